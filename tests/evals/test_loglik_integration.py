"""One short check on the real embedded model: 20 TruthfulQA MC1 questions through the evaluator."""

from __future__ import annotations

import json

import pytest

from traitrl.evals.benchmark import Benchmark, BenchmarkItem
from traitrl.types import Message


@pytest.mark.integration
def test_truthfulqa_slice_on_embedded_model(tmp_path):
    from traitrl.evals.evaluator import evaluate
    from traitrl.evals.result_cache import ResultCache
    from traitrl.settings import data_dir

    rows = json.loads((data_dir() / "truthfulqa" / "mc_task.json").read_text())[:20]
    items = [BenchmarkItem(id=f"tqa:{i}", messages=[Message(role="user", content=f"Q: {r['question']}\nA:")],
                           choices=[f" {c}" for c in r["mc1_targets"]],
                           aligned=[j for j, v in enumerate(r["mc1_targets"].values()) if v == 1])
             for i, r in enumerate(rows)]
    bench = Benchmark(id="tqa20", category="deception_honesty", scorer="mc", source="test", load=lambda: items)
    suite = evaluate("embedded", [bench], cache=ResultCache(tmp_path / "r.sqlite"), out_dir=tmp_path)
    r = suite.benchmarks["tqa20"]
    assert r.n == 20 and r.missing == 0 and 0.0 <= r.mean <= 1.0
    lps = [row.extra["logprobs"] for row in suite.items]
    assert all(lp < 0 for row in lps for lp in row)
