"""accelerate launch command, tracking (tensorboard written and read back), model card, GPU check smoke test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from traitrl.errors import ConfigError
from traitrl.integrations.model_card import write_model_card
from traitrl.training.launch import accelerate_command, train_args_without_launcher
from traitrl.training.tracking import eval_metrics, log_eval_metrics, trackers

REPO = Path(__file__).resolve().parents[2]
RESULTS = {"model": "runs/trait/adapter", "benchmarks": {
    "xstest_safe": {"category": "harmful_compliance", "mean": 0.75, "n": 4, "missing": 0, "ci": [0.5, 1.0]},
    "truthfulqa_mc1": {"category": "deception_honesty", "mean": 0.25, "n": 4, "missing": 1, "ci": None},
    "skipped_mc": {"category": "sycophancy", "mean": None, "n": 0, "missing": 3, "ci": None}}}


@pytest.mark.parametrize("name", ["ddp.yaml", "zero2.yaml", "zero3.yaml"])
def test_accelerate_command(name):
    cfg = REPO / "configs" / "accelerate" / name
    argv = ["--launcher", "accelerate", "--accelerate-config", str(cfg), "--config", "c.yaml", "--out=runs/x",
            "--num-processes=2", "--steps", "3"]
    cmd = accelerate_command(cfg, argv, num_processes=2)
    assert cmd[1:] == ["launch", "--config_file", str(cfg), "--num_processes", "2", "-m", "traitrl.cli", "train",
                       "--config", "c.yaml", "--out=runs/x", "--steps", "3"]
    import yaml

    assert yaml.safe_load(cfg.read_text())["distributed_type"] in {"MULTI_GPU", "DEEPSPEED"}


def test_launcher_flags_stripped_and_missing_config():
    assert train_args_without_launcher(["--launcher=accelerate", "--out", "o"]) == ["--out", "o"]
    with pytest.raises(ConfigError):
        accelerate_command("nope.yaml", [])


def test_tensorboard_eval_metrics_round_trip(tmp_path, monkeypatch):
    pytest.importorskip("tensorboard")  # extra `tracking`
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    monkeypatch.delenv("TENSORBOARD_LOGGING_DIR", raising=False)
    assert trackers(["tensorboard", "none"]) == ["tensorboard"]
    logged = log_eval_metrics(RESULTS, ["tensorboard"], tmp_path, step=7)
    assert "eval/xstest_safe" in logged["tensorboard"]
    acc = EventAccumulator(str(tmp_path / "tensorboard"))
    acc.Reload()
    events = acc.Scalars("eval/xstest_safe")
    assert [(e.step, e.value) for e in events] == [(7, 0.75)]
    assert acc.Scalars("eval/suite_mean")[0].value == pytest.approx(0.5)
    assert "eval/skipped_mc" not in eval_metrics(RESULTS)  # skipped: no mean, only its n


def test_model_card(tmp_path):
    adapter = tmp_path / "run" / "adapter"
    adapter.mkdir(parents=True)
    (adapter / "adapter_config.json").write_text("{}")
    (tmp_path / "run" / "train_config.json").write_text(json.dumps(
        {"config": {"model": "HuggingFaceTB/SmolLM2-135M-Instruct", "arm": "trait", "steps": 200},
         "git_revision": "abc123"}))
    card = write_model_card(adapter, RESULTS).read_text()
    assert card.startswith("---\nlibrary_name: peft\n") and "base_model: HuggingFaceTB/SmolLM2-135M-Instruct" in card
    assert "| xstest_safe | harmful_compliance | 0.750 | [0.500, 1.000] | 4 | 0 |" in card
    assert "| skipped_mc | sycophancy | n/a | n/a | 0 | 3 |" in card and "abc123" in card


@pytest.mark.integration
def test_gpu_check_smoke_on_cpu(tiny_model_path, tmp_path):
    out = tmp_path / "check.json"
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "gpu_check.py"), "--model", str(tiny_model_path),
                           "--out", str(out), "--steps", "1", "--limit", "2", "--small"],
                          capture_output=True, text=True, timeout=300)
    report = json.loads(out.read_text())
    assert proc.returncode == 0 and report["ok"], report.get("traceback") or proc.stderr[-2000:]
    assert report["train"]["steps"] == 1 and set(report["seconds"]) == {"load", "train", "eval", "total"}
    assert all(b["n"] > 0 for b in report["eval"].values())
    assert (tmp_path / "check.run" / "train" / "adapter" / "README.md").exists()
