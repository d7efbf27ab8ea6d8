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

KILL_POINTS = [  # in run order: model by model (baseline, trait, then base), each through all its stages
    "data",                              # scenarios built, nothing trained
    "eval-baseline:mid",                 # mid-evaluation: first benchmark cached, stage unfinished
    "train-trait-s0:step2",              # mid-training: checkpoint-1 saved, step 2 logged, not saved
    "after-train:trait",                 # between a model's training and its evaluation
    "stage-publish:attack-bad_medical-trait",  # stage finished (DONE.json) but not yet renamed
    "report",                            # results.json written, report not yet
]


PLANTED_KEY = "sk-test-PLANTED-crash-0123456789abcdef"


def _run(config: Path, cwd: Path, cache: Path, kill_at: str | None = None, *extra: str):
    env = cli_env(cache, TRAITRL_API_KEY=PLANTED_KEY, **({"TRAITRL_TEST_KILL_AT": kill_at} if kill_at else {}))
    return run_cli(["experiment", "run", str(config), "--out", "run", *extra], cwd=cwd, env=env, timeout=400)


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
    assert "dropping incomplete checkpoint checkpoint-2" in logs["after-train:trait"], logs["after-train:trait"][-3000:]
    assert "resuming from" in logs["after-train:trait"] and "checkpoint-1" in logs["after-train:trait"]
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


def _stage_log(stderr: str) -> list[str]:
    return [line.split("▶", 1)[1].strip() for line in stderr.splitlines() if "▶" in line]


def test_a_packed_run_moves_to_a_fresh_machine_and_resumes_there(tmp_path, tiny_experiment, reference):
    """`experiment pack` keeps a finished run's stages without checkpoints or weights; restored into a new
    folder with an empty cache, the rerun computes nothing and gives the same results. A stage that needs
    weights the pack left out (here: an evaluation removed after restoring) retrains that model first."""
    packed, cache = tmp_path / "packed", tmp_path / "cache"
    proc = run_cli(["experiment", "pack", str(reference / "run"), str(packed)], cwd=tmp_path, env=cli_env(cache))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not [p for p in packed.rglob("*") if p.suffix in (".safetensors", ".bin", ".pt")]
    assert not list(packed.rglob("checkpoint-*")) and list(packed.rglob("weights-dropped.json"))
    assert sum(p.stat().st_size for p in packed.rglob("*") if p.is_file()) < 2e6
    fresh = tmp_path  # the run folder at the reference's depth: an adapter names its base by a relative path
    proc = run_cli(["experiment", "restore", str(packed), str(fresh / "run")], cwd=tmp_path, env=cli_env(cache))
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = _run(tiny_experiment, fresh, cache)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _stage_log(proc.stderr) == [], _stage_log(proc.stderr)
    assert _results(fresh) == _results(reference)

    shutil.rmtree(next((fresh / "run" / "stages").glob("eval-trait-*")))
    proc = _run(tiny_experiment, fresh, cache, None, "--pack-to", str(tmp_path / "repacked"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the evaluation starts, finds no weights, and the model is trained again (bit-identical: same seed)
    assert _stage_log(proc.stderr) == ["eval-trait", "train-trait-s0", "eval-trait"], proc.stderr[-3000:]
    assert "packed without its weights" in proc.stderr
    assert _results(fresh) == _results(reference), "\n".join(json_diff(_results(reference), _results(fresh))[:40])
    # --pack-to packed every stage as it finished (cached ones too) and the results at the end
    repacked = tmp_path / "repacked"
    assert sorted(p.name for p in (repacked / "stages").iterdir()) == sorted(
        p.name for p in (fresh / "run" / "stages").iterdir())
    assert (repacked / "results.json").exists() and not list(repacked.rglob("*.safetensors"))


def test_packing_a_run_with_no_finished_stage_is_refused(tmp_path):
    (tmp_path / "run" / "stages").mkdir(parents=True)
    proc = run_cli(["experiment", "pack", str(tmp_path / "run"), str(tmp_path / "out")], cwd=tmp_path,
                   env=cli_env(tmp_path / "cache"))
    assert proc.returncode == 2 and "no finished stage to pack" in proc.stderr and not (tmp_path / "out").exists()
