"""timings.json: every finished stage's wall seconds beside the planner's estimate for that same stage."""

from __future__ import annotations

import json

from traitrl.experiments.config import ExperimentConfig
from traitrl.experiments.speeds import Speeds, _cache_file
from traitrl.models.tiny import tiny_llama_path

SPEEDS = Speeds(cpu="test", dtype="float32", threads=2, prefill_tok_s=1e4, decode_step_s=1e-3, decode_row_s=1e-5,
                train_tok_s=1e4, judge_reply_s=1e-3, load_s=0.1)


def test_every_stage_the_plan_prices_is_timed_under_the_same_name(tmp_path, isolated_cache):
    from traitrl.experiments.run import run_experiment

    cfg = ExperimentConfig.model_validate({
        "model": str(tiny_llama_path(0)), "arms": ["base", "baseline"], "budget_minutes": 1000.0,
        "train": {"steps": 1, "prompts_per_step": 2, "num_generations": 2, "max_completion_length": 4,
                  "save_steps": 1, "dtype": "float32"},
        "eval": {"suite": ["truthfulqa_mc1", "health_triage", "indist_truthfulness"], "limit": 1, "trait_eval_limit": 1,
                 "max_new_tokens": 8},
        # two attacks on the same benchmarks (a persona and its many-shot form): one shared `before` stage
        "persistence": {"persona": {"personas": ["bad_medical"], "arms": ["baseline"], "limit": 1,
                                    "many_shot": [1]}, "finetune": None}})
    path = _cache_file(cfg.model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SPEEDS.model_dump_json())  # a cached calibration: the run is sized without measuring
    out = run_experiment(cfg, tmp_path / "run").out_dir

    timings = json.loads((out / "timings.json").read_text())
    planned = [s["stage"] for s in json.loads((out / "plan.json").read_text())["stages"]]
    ran = {name.rsplit("-", 1)[0]: t for name, t in timings["stages"].items()}
    assert len(ran) == len(timings["stages"]), "two stages of this run share a name"
    assert sorted(ran) == sorted(planned), (sorted(ran), sorted(planned))
    assert [n for n in ran if n.startswith("before-")] == ["before-bad_medical-baseline"]
    assert {"attack-bad_medical-baseline", "attack-many_shot_1-baseline", "eval-baseline"} <= set(ran)
    assert all(t["seconds"] > 0 and t["estimated"] > 0 for t in ran.values())
    assert timings["measured_s"] == round(sum(t["seconds"] for t in ran.values()), 1)
    assert timings["training_steps"].keys() == {n for n in timings["stages"] if n.startswith("train-")}
    assert timings["steal_share"] is None or 0 <= timings["steal_share"] < 1
