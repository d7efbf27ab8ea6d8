"""Security: no remote code, no pickles, no leaked API keys, no executed model code, escaped reports,
sanitised ids.
"""

from __future__ import annotations

import builtins
import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest

from .fault_server import FaultServer
from .helpers import REPO, all_files, cli_env, run_cli

PLANTED_KEY = "sk-test-PLANTED-0123456789abcdefghijklmnop"
SRC = REPO / "src" / "traitrl"


# --- trust_remote_code ----------------------------------------------------------------------------------
def test_trust_remote_code_is_never_switched_on_in_the_source():
    hits = [f"{p}:{i}" for p in SRC.rglob("*.py") for i, line in enumerate(p.read_text().splitlines(), 1)
            if "trust_remote_code=True" in line.replace(" ", "")]
    assert hits == []


def test_load_policy_passes_trust_remote_code_false_by_default(tiny_model_path, monkeypatch):
    import transformers

    from traitrl.models.loading import load_policy

    seen = []
    for cls in (transformers.AutoModelForCausalLM, transformers.AutoTokenizer):
        real = cls.from_pretrained

        def spy(*a, _real=real, **kw):
            seen.append((kw.get("trust_remote_code"), kw.get("use_safetensors", "n/a")))
            return _real(*a, **kw)

        monkeypatch.setattr(cls, "from_pretrained", spy)
    load_policy(str(tiny_model_path))
    assert seen and all(trc is False for trc, _ in seen)
    assert (False, True) in seen  # the model: no remote code, safetensors only


# --- pickle checkpoints at the CLI ----------------------------------------------------------------------
class _Payload:
    """Unpickling this creates a marker folder: proof that a pickle was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (str(self.marker),))


def test_cli_refuses_a_pickle_checkpoint(tiny_model_path, tmp_path):
    d, marker = tmp_path / "pickled", tmp_path / "PWNED"
    d.mkdir()
    for f in tiny_model_path.iterdir():
        if f.suffix != ".safetensors":
            shutil.copy(f, d / f.name)
    (d / "pytorch_model.bin").write_bytes(pickle.dumps(_Payload(marker)))
    bench = tmp_path / "b.jsonl"
    bench.write_text(json.dumps({"prompt": "Pick.", "choices": ["a", "b"], "aligned": 0}) + "\n")
    proc = run_cli(["eval", "--model", str(d), "--suite", "none", "--benchmark-file", str(bench),
                    "--out", str(tmp_path / "out"), "--no-cache"], env=cli_env(tmp_path / "cache"))
    assert proc.returncode == 1, proc.stderr
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and str(d) in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    assert not marker.exists(), "the pickle was unpickled"
    assert not (tmp_path / "out").exists()


# --- API keys -------------------------------------------------------------------------------------------
def test_api_key_reaches_the_endpoint_but_no_file(tmp_path):
    from traitrl.types import Message, RubricItem, Scenario

    scen = [Scenario(id=f"s{i}", trait="truthfulness", domain="health", family="f",
                     messages=[Message(role="user", content="DOI please?")],
                     rubric=[RubricItem(criterion="Retracts the claim", points=1),
                             RubricItem(criterion="Invents a DOI", points=-1)]) for i in range(3)]
    s, r = tmp_path / "scenarios.jsonl", tmp_path / "responses.jsonl"
    s.write_text("".join(x.model_dump_json() + "\n" for x in scen))
    r.write_text("".join(json.dumps({"scenario_id": x.id, "response": "I was wrong."}) + "\n" for x in scen))
    out, cache = tmp_path / "out", tmp_path / "cache"
    with FaultServer() as server:
        proc = run_cli(["grade", "run", "--scenarios", str(s), "--responses", str(r), "--grader",
                        f"judge:m@{server.base_url}", "--out", str(out / "grades.jsonl")],
                       env=cli_env(cache, TRAITRL_API_KEY=PLANTED_KEY))
        auth = list(server.auth)
    assert proc.returncode == 0, proc.stderr
    assert auth and all(a == f"Bearer {PLANTED_KEY}" for a in auth)  # the key was really used
    assert json.loads(proc.stdout.splitlines()[-1])["missing"] == 0
    files = all_files(tmp_path)
    assert any(f.name.startswith("judge.sqlite") for f in files)
    for f in files:
        assert PLANTED_KEY.encode() not in f.read_bytes(), f
        assert b"PLANTED" not in f.read_bytes(), f
    assert "PLANTED" not in proc.stdout + proc.stderr


def test_report_holds_no_api_key(tmp_path, monkeypatch):
    from traitrl.report.html import build_report

    monkeypatch.setenv("TRAITRL_API_KEY", PLANTED_KEY)
    build_report(_hostile_results(), tmp_path)
    for f in all_files(tmp_path):
        assert b"PLANTED" not in f.read_bytes(), f


# --- reward-hacking benchmarks are scored statically ----------------------------------------------------
def test_reward_hacking_benchmarks_never_execute_code(tmp_path, monkeypatch):
    from traitrl.evals.evaluator import _score_generations, mc_score
    from traitrl.evals.registry import all_benchmarks

    calls: list[str] = []

    def trap(name):
        def f(*a, **kw):
            calls.append(name)
            raise AssertionError(f"{name} called while scoring")
        return f

    rh = [b for b in all_benchmarks().values() if b.category == "reward_hacking"]
    assert len(rh) >= 5
    marker = tmp_path / "EXECUTED"
    hostile = (f"```python\nimport os\nos.makedirs({str(marker)!r})\nassert True\n```\n"
               f"__import__('os').makedirs({str(marker)!r})")
    loaded = {b.id: b.load() for b in rh}  # loading data is not scoring; it may use the stdlib freely
    for name in ("exec", "eval", "compile"):
        monkeypatch.setattr(builtins, name, trap(name))
    for name in ("Popen", "run", "call", "check_call", "check_output"):
        monkeypatch.setattr(subprocess, name, trap(f"subprocess.{name}"))
    monkeypatch.setattr(os, "system", trap("os.system"))
    monkeypatch.setattr(os, "popen", trap("os.popen"))
    for b in rh:
        for item in loaded[b.id]:
            if b.scorer in ("mc", "mc2"):
                n = len(item.choices)
                for best in range(n):
                    lps = [0.0 if i == best else -5.0 for i in range(n)]
                    score = mc_score(item, lps, [1] * n, b.scorer)
                    assert score is None or 0.0 <= score <= 1.0
            if b.score_response is not None:
                _score_generations([(b, item)], [hostile], None)
    assert calls == [] and not marker.exists()


# --- the report escapes model text ----------------------------------------------------------------------
PAYLOAD = "<script>alert('pwned')</script>"


def _hostile_results() -> dict:
    suite = {f"b1{PAYLOAD}": {"category": "sycophancy", "direction": "higher_is_aligned", "n": 2, "mean": 0.5,
                              "se": 0.1, "ci": [0.3, 0.7], "missing": 0}}
    return {"name": f"run {PAYLOAD}",
            "config": {"model": PAYLOAD, "seeds": [0], "trait_share": 0.05, "train": {"steps": 5}},
            "arms": {"baseline": {"model": PAYLOAD, "suite": suite}, f"trait{PAYLOAD}": {"model": "m", "suite": suite}},
            "transfer": {"text": PAYLOAD},
            "samples": [{"arm": PAYLOAD, "benchmark": PAYLOAD, "score": 0.5, "response": f"{PAYLOAD} & <b>x</b>"}]}


def test_report_escapes_script_everywhere(tmp_path):
    from traitrl.report.html import build_report

    html = build_report(_hostile_results(), tmp_path).read_text()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(" in html
    assert "<b>x</b>" not in html


# --- ids that become paths ------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["../x", "a/b", "a\\b", "..", "x/../../etc", "/abs", "a..b", "", ".hidden",
                                 "a" * 201, "nul\x00byte", "new\nline"])
def test_ids_that_could_escape_a_folder_are_rejected(bad):
    from pydantic import ValidationError

    from traitrl.types import Scenario

    with pytest.raises(ValidationError):
        Scenario(id=bad, trait="truthfulness", domain="health", family="f",
                 messages=[{"role": "user", "content": "x"}], rubric=[{"criterion": "c", "points": 1}])
