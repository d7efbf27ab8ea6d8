"""`compare` on a fixture with hand-known answers; the eval and benchmarks commands via typer."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from traitrl.evals.commands import compare_runs, register
from traitrl.files import atomic_write_json, atomic_write_jsonl


def _run(path, scores: dict[str, dict[str, float | None]], refusals=None):
    rows = []
    for bench, items in scores.items():
        for item_id, s in items.items():
            rows.append({"benchmark": bench, "item_id": item_id, "score": s,
                         "refusal": (refusals or {}).get(item_id)})
    atomic_write_jsonl(path / "items.jsonl", rows)
    cats = {"up": "health", "down": "sycophancy", "flat": "health"}
    atomic_write_json(path / "results.json", {"model": path.name, "fingerprint": "x",
                                              "benchmarks": {b: {"category": cats[b]} for b in scores}})


@pytest.fixture
def runs(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    ids = [f"i{k}" for k in range(20)]
    _run(a, {"up": dict.fromkeys(ids, 0.0), "down": dict.fromkeys(ids, 1.0),
             "flat": {i: float(k % 2) for k, i in enumerate(ids)}},
         refusals={"i0": "full_refusal", "i1": "full_compliance"})
    up_b = {i: (1.0 if k < 10 else 0.0) for k, i in enumerate(ids)}
    up_b["i19"] = None  # missing on one side: dropped from the pairs
    _run(b, {"up": up_b, "down": {i: (0.0 if k < 2 else 1.0) for k, i in enumerate(ids)},
             "flat": {i: float(k % 2) for k, i in enumerate(ids)}},
         refusals={"i0": "full_compliance", "i1": "full_compliance"})
    return a, b


def test_compare_hand_counts(runs):
    out = compare_runs(*runs)
    up, down, flat = (out["per_benchmark"][k] for k in ("up", "down", "flat"))
    assert up["diff"] == pytest.approx(10 / 19) and up["paired"] and up["n_b"] == 19
    assert down["diff"] == pytest.approx(-0.1)
    assert flat["diff"] == 0 and flat["p"] == 1.0
    assert up["q"] < 0.05 and down["q"] > 0.05  # 2/20 flips: p ≈ 0.16
    assert (out["n_benchmarks"], out["improved"], out["sig_improved"], out["sig_regressed"]) == (3, 1, 1, 0)
    assert out["mean_gain"] == pytest.approx((10 / 19 - 0.1) / 3)
    assert out["per_category"]["health"]["n_benchmarks"] == 2
    # only i1 is a non-refusal on both sides
    assert up["refusal_adjusted"]["n"] == 1


def test_cli_compare_and_eval(runs, tmp_path, monkeypatch):
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["compare", str(runs[0]), str(runs[1]), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["improved"] == 1

    from traitrl.evals.benchmark import Benchmark, BenchmarkItem
    from traitrl.models.tiny import tiny_llama_path
    from traitrl.types import Message

    items = [BenchmarkItem(id=f"q{i}", messages=[Message(role="user", content=f"Q{i}?")],
                           choices=[" a", " bb"], aligned=[0]) for i in range(3)]
    bench = Benchmark(id="toy", category="health", scorer="mc", source="builtin", load=lambda: items)
    monkeypatch.setattr("traitrl.evals.registry.get_benchmark", lambda bid: bench)
    model = str(tiny_llama_path())  # before the cache moves, or the tiny model is rebuilt
    monkeypatch.setenv("TRAITRL_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "ev"
    result = CliRunner().invoke(app, ["eval", "--model", model, "--suite", "toy",
                                      "--limit", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text())
    assert data["benchmarks"]["toy"]["n"] == 2
