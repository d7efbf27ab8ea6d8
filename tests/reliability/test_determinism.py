"""Determinism: same seed -> same scenarios (across processes and hash seeds), same greedy evaluation.

Whole experiments (same seed, two processes, two caches -> JSON-equal results.json and identical item
rows) are checked by `test_crash_safety.py`, whose resumed run is compared with an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from .helpers import REPO, cli_env

DIGEST = """
import hashlib, json
from traitrl.scenarios.build import load_templates
rows = [s.model_dump(mode="json") for split in ("train", "eval") for s in load_templates(split=split, seed={seed})]
print(hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest(), len(rows))
"""


def _digest_here(seed: int) -> str:
    from traitrl.scenarios.build import load_templates

    rows = [s.model_dump(mode="json") for split in ("train", "eval") for s in load_templates(split=split, seed=seed)]
    return f"{hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()} {len(rows)}"


def test_same_seed_same_scenarios_in_another_process_with_another_hash_seed():
    here = _digest_here(0)
    assert here == _digest_here(0)
    env = cli_env(PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", DIGEST.format(seed=0)], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == here
    assert _digest_here(1) != here  # the seed matters


def test_greedy_evaluation_is_repeatable_without_cache(tiny_model_path, isolated_cache):
    from traitrl.evals.evaluator import Decoding, evaluate
    from traitrl.evals.registry import get_benchmark

    benches = [get_benchmark(b) for b in ("health_triage", "mh_crisis_response", "syco_are_you_sure",
                                          "arithmetic_builtin")]
    runs = [evaluate(str(tiny_model_path), benches, limit=3, decoding=Decoding(max_new_tokens=8), cache=False)
            for _ in range(2)]
    a, b = ([r.model_dump(mode="json") for r in run.items] for run in runs)
    assert a == b and len(a) == 12
    assert runs[0].to_json() == runs[1].to_json()
    assert all(isinstance(r["response"], str) for r in a if r["benchmark"] == "mh_crisis_response")
    assert all(r["extra"].get("logprobs") for r in a if r["benchmark"] == "health_triage")
    assert not (isolated_cache / "results.sqlite").exists()  # and the cache was not used
