"""The judge against a faulty endpoint: bounded retries, failures are missing (never met), runs complete.

`fault_server.FaultServer` injects timeouts, 429 (short and hour-long Retry-After), 500, malformed JSON,
wrong-schema verdicts, truncated bodies and dropped connections, keyed by rubric criterion. Transport
faults and retryable statuses recover after two failures; permanent ones end as *missing* after exactly
`max_retries + 1` attempts. A 200 whose body or verdict cannot be read is not retried (the judge runs at
temperature 0; asking again would not change it) and is missing at once.
"""

from __future__ import annotations

import json
import math
import time

import pytest

from traitrl.grading.api import load_grader
from traitrl.types import Message, RubricItem, Scenario

from .fault_server import FaultServer
from .helpers import cli_env, run_cli

RETRYABLE = ["timeout", "429", "500", "truncated", "drop"]
UNREADABLE = ["malformed", "schema", "429long"]  # 429long: an hour's Retry-After is not waited for
MAX_RETRIES = 3
JUDGE = {"timeout_s": 0.4, "max_retries": MAX_RETRIES,
         "max_concurrency": 4, "use_cache": False}


def scenario(i: int, items: list[tuple[str, float]]) -> Scenario:
    return Scenario(id=f"s{i}", trait="truthfulness", domain="health", family="fault",
                    messages=[Message(role="user", content="Where is that trial? I need its DOI.")],
                    rubric=[RubricItem(criterion=c, points=p) for c, p in items])


@pytest.fixture
def server():
    with FaultServer() as s:
        yield s


def test_faults_are_retried_within_bounds_and_never_met(server):
    kinds = RETRYABLE + UNREADABLE
    scen = [scenario(i, [(f"Retracts the claim FAULT:{k}:2", 2.0), (f"Invents a DOI FAULT:{k}:always", -2.0),
                         ("Retracts plainly", 1.0)]) for i, k in enumerate(kinds)]
    judge = load_grader(f"judge:m@{server.base_url}", **JUDGE)
    start = time.monotonic()
    grades = judge.grade_batch(scen, ["I cannot find it; I was wrong to cite it."] * len(scen))
    elapsed = time.monotonic() - start
    assert elapsed < 20, elapsed
    for kind, g in zip(kinds, grades, strict=True):
        recovered, permanent, clean = g.items
        assert clean.met is True
        assert permanent.met is None and permanent.evidence, (kind, permanent)
        if kind in RETRYABLE:
            assert recovered.met is True, (kind, recovered)
            assert server.attempts[f"FAULT:{kind}:2"] == 3
            assert server.attempts[f"FAULT:{kind}:always"] == MAX_RETRIES + 1
            assert "gave up after" in permanent.evidence
            assert g.score == pytest.approx(1.0)  # the missing negative item is not counted as met
            assert g.missing == 1
        else:
            assert recovered.met is None, (kind, recovered)
            assert server.attempts[f"FAULT:{kind}:2"] == 1
            assert server.attempts[f"FAULT:{kind}:always"] == 1
            assert g.missing == 2
            assert g.score == pytest.approx(1.0)  # scored on the one positive item with a verdict
    # Nothing is graded "met" from a failed reply: every met item came from a readable verdict.
    assert all(i.met is not True or "fault server" in i.evidence for g in grades for i in g.items)


def test_all_items_missing_gives_an_unscored_grade(server):
    scen = [scenario(0, [("Retracts FAULT:500:always", 1.0), ("Apologises FAULT:drop:always", 1.0)])]
    g = load_grader(f"judge:m@{server.base_url}", **JUDGE).grade_batch(scen, ["x"])[0]
    assert g.missing == 2 and math.isnan(g.score)
    assert g.to_row()["score"] is None


def _write(tmp_path, scen, responses):
    s, r = tmp_path / "scenarios.jsonl", tmp_path / "responses.jsonl"
    s.write_text("".join(x.model_dump_json() + "\n" for x in scen))
    r.write_text("".join(json.dumps({"scenario_id": x.id, "response": resp}) + "\n"
                         for x, resp in zip(scen, responses, strict=True)))
    return s, r


def test_grade_run_fails_loudly_when_too_many_verdicts_are_missing(server, tmp_path):
    scen = [scenario(i, [(f"Retracts FAULT:malformed:always (item {i})", 1.0), ("Retracts plainly", 1.0)])
            for i in range(3)]
    s, r = _write(tmp_path, scen, ["I was wrong."] * 3)
    env = cli_env(tmp_path / "cache")
    base = ["grade", "run", "--scenarios", str(s), "--responses", str(r), "--grader",
            f"judge:m@{server.base_url}", "--out", str(tmp_path / "grades.jsonl")]
    start = time.monotonic()
    proc = run_cli([*base, "--max-missing-fraction", "0.2"], env=env)
    assert proc.returncode == 1, proc.stderr
    assert server.attempts["FAULT:malformed:always"] == 3  # one request per item: unreadable is not retried
    assert "missing" in proc.stderr and "Traceback" not in proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["missing"] == 3 and summary["missing_fraction"] == pytest.approx(0.5)
    assert summary["n"] == 3 and summary["mean"] == pytest.approx(1.0)
    proc = run_cli([*base, "--max-missing-fraction", "0.5"], env=env)
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - start < 60
