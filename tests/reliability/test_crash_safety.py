"""Crash safety: SIGKILL `traitrl experiment run` at six points, rerun, and get the uninterrupted result.

Kill points come from the `TRAITRL_TEST_KILL_AT` hook (`traitrl.experiments.stages.kill_point`), so each
kill lands at the same place every time. One run folder is killed at every point in turn (each rerun
resumes, passes the previous point and dies at the next); the final rerun must then produce a
`results.json` JSON-equal to a run that was never interrupted, with no truncated file, no temp file, no
`.partial` stage and no duplicate row. This is also the determinism check for whole experiments: two
processes, two caches, same seed, same numbers.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .helpers import all_files, assert_files_whole, assert_no_duplicate_rows, cli_env, json_diff, run_cli

KILL_POINTS = [
    "data",                              # scenarios built, nothing trained
    "train-trait-s0:step2",              # mid-training: checkpoint-1 saved, step 2 logged, not saved
    "after-train",                       # between training and evaluation
    "eval-baseline:mid",                 # mid-evaluation: first benchmark cached, stage unfinished
    "stage-publish:attack-bad_medical-trait",  # stage finished (DONE.json) but not yet renamed
    "report",                            # results.json written, report not yet
]


PLANTED_KEY = "sk-test-PLANTED-crash-0123456789abcdef"


def _run(config: Path, cwd: Path, cache: Path, kill_at: str | None = None):
    env = cli_env(cache, TRAITRL_API_KEY=PLANTED_KEY, **({"TRAITRL_TEST_KILL_AT": kill_at} if kill_at else {}))
    return run_cli(["experiment", "run", str(config), "--out", "run"], cwd=cwd, env=env, timeout=400)


def _results(cwd: Path) -> dict:
    r = json.loads((cwd / "run" / "results.json").read_text())
    r.pop("git_revision", None)
    return r


@pytest.fixture(scope="module")
def reference(tmp_path_factory, tiny_experiment) -> Path:
    cwd = tmp_path_factory.mktemp("reference")
    proc = _run(tiny_experiment, cwd, cwd / "cache")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return cwd


def test_kill_anywhere_then_resume_gives_the_uninterrupted_result(tmp_path, tiny_experiment, reference):
    cwd, cache = tmp_path, tmp_path / "cache"
    logs = {}
    for point in KILL_POINTS:
        proc = _run(tiny_experiment, cwd, cache, kill_at=point)
        logs[point] = proc.stderr
        assert proc.returncode == -9, f"{point}: expected SIGKILL, got {proc.returncode}\n{proc.stderr[-3000:]}"
        assert not (cwd / "run" / "report.html").exists(), point
        assert_files_whole(cwd / "run")
        if point == "train-trait-s0:step2":
            partial = next((cwd / "run" / "stages").glob("train-trait-s0-*.partial"))
            ckpts = sorted(p.name for p in (partial / "checkpoints").glob("checkpoint-*"))
            assert ckpts == ["checkpoint-1"], ckpts
            # A kill while the Trainer writes checkpoint-2 leaves it without trainer_state.json: the
            # resume must ignore such a torn checkpoint rather than crash on it.
            torn = partial / "checkpoints" / "checkpoint-2"
            shutil.copytree(partial / "checkpoints" / "checkpoint-1", torn)
            (torn / "trainer_state.json").unlink()
    proc = _run(tiny_experiment, cwd, cache)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # The rerun after the mid-training kill dropped the torn checkpoint and resumed from checkpoint-1.
    assert "dropping incomplete checkpoint checkpoint-2" in logs["after-train"], logs["after-train"][-3000:]
    assert "resuming from" in logs["after-train"] and "checkpoint-1" in logs["after-train"]
    run = cwd / "run"
    assert (run / "report.html").exists() and (run / "summary.md").exists()
    assert not list((run / "stages").glob("*.partial"))
    assert_files_whole(run)
    assert_no_duplicate_rows(run)
    mine, ref = _results(cwd), _results(reference)
    assert mine == ref, "\n".join(json_diff(ref, mine)[:40])
    ref_stages = sorted(p.name for p in (reference / "run" / "stages").iterdir())
    assert sorted(p.name for p in (run / "stages").iterdir()) == ref_stages
    for name in ref_stages:  # item rows of every evaluation stage, byte for byte
        for f in ("items.jsonl", "metrics.jsonl"):
            if (reference / "run" / "stages" / name / f).exists():
                mine, ref = run / "stages" / name / f, reference / "run" / "stages" / name / f
                if f == "metrics.jsonl":
                    strip = [{k: v for k, v in json.loads(x).items() if k != "seconds"}
                             for x in mine.read_text().splitlines()]
                    want = [{k: v for k, v in json.loads(x).items() if k != "seconds"}
                            for x in ref.read_text().splitlines()]
                    assert strip == want, name
                else:
                    assert mine.read_bytes() == ref.read_bytes(), name


def test_reference_run_is_whole_and_holds_no_api_key(reference):
    run = reference / "run"
    assert_files_whole(run)
    for f in all_files(reference):  # run folder and cache (SQLite included); the key was in the env
        assert PLANTED_KEY.encode() not in f.read_bytes(), f
    assert_no_duplicate_rows(run)
    assert not list((run / "stages").glob("*.partial"))
