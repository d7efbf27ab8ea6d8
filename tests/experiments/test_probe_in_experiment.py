"""An experiment with `probe:`: each seed's arm carries its own training and held-out probe curve
into results.json and summary.md."""

from __future__ import annotations

import json

from traitrl.experiments.config import ExperimentConfig
from traitrl.models.tiny import tiny_llama_path
from traitrl.training.callbacks import read_metrics


def test_each_seed_keeps_its_own_training_and_probe_curve(tmp_path, isolated_cache):
    from traitrl.experiments.run import run_experiment

    cfg = ExperimentConfig.model_validate({
        "model": str(tiny_llama_path(0)), "arms": ["baseline"], "seeds": [0, 1],
        "train": {"steps": 2, "prompts_per_step": 2, "num_generations": 2, "max_completion_length": 4,
                  "save_steps": 2, "dtype": "float32"},
        "probe": {"every": 1, "limit": 2},
        "eval": {"suite": ["honest_calibration"], "limit": 1, "max_new_tokens": 8},
        "persistence": {"persona": None, "finetune": None}})
    out = run_experiment(cfg, tmp_path / "run")
    arms = json.loads((out.out_dir / "results.json").read_text())["arms"]
    assert set(arms) == {"baseline@s0", "baseline@s1"}
    for seed in (0, 1):
        stage = next((out.out_dir / "stages").glob(f"train-baseline-s{seed}-*"))
        training = arms[f"baseline@s{seed}"]["training"]
        own = [{k: v for k, v in r.items() if k != "seconds"} for r in read_metrics(stage / "metrics.jsonl")]
        assert training["metrics"] == own  # its own seed's curve, not seed 0's for every seed
        assert [p["step"] for p in training["probe"]] == [0, 1, 2]
        assert training["summary"]["probe_first"] == training["probe"][0]["strict"]
    summary = (out.out_dir / "summary.md").read_text()
    assert ("Held-out probe (2 scenarios), strict (unclipped mean; training reward; share of degenerate replies)"
            in summary)
    p = arms["baseline@s1"]["training"]["probe"][-1]  # each point with its unclipped mean, reward, degenerate share
    assert (f"step 2 {p['strict']:+.3f} ({p['strict_raw']:+.3f}; {p['reward_raw']:+.3f}; {p['degenerate']:+.2f})"
            in summary)
