"""`experiment plan` and sizing to a budget: what shrinks, in which order, and that a resumed run keeps its sizes."""

from __future__ import annotations

import pytest

from traitrl.experiments.config import ExperimentConfig
from traitrl.experiments.plan import _shrink, plan_run, size_to_budget, total_minutes
from traitrl.experiments.speeds import Speeds, _cache_file, measure_speeds

FAST = Speeds(cpu="test", dtype="float32", threads=2, prefill_tok_s=1e6, decode_step_s=1e-4, decode_row_s=1e-6,
              train_tok_s=1e6, judge_reply_s=1e-4, load_s=0.1)
SLOW = FAST.model_copy(update={"prefill_tok_s": 50.0, "decode_step_s": 0.5, "train_tok_s": 20.0,
                               "judge_reply_s": 0.5})


def small_config(**extra) -> ExperimentConfig:
    return ExperimentConfig.model_validate({
        "name": "t", "arms": ["base", "baseline", "trait"], "trait_share": 0.5,
        "train": {"steps": 2, "prompts_per_step": 2, "num_generations": 4, "max_completion_length": 32},
        "eval": {"suite": ["truthfulqa_mc1", "indist_truthfulness"], "limit": 8, "trait_eval_limit": 4,
                 "max_new_tokens": 32},
        "persistence": {"persona": {"personas": ["bad_medical"], "arms": ["trait"], "limit": 8,
                                    "many_shot": [1, 4]}, "finetune": None},
        **extra})


def test_shrink_halves_to_floor_and_keeps_sweep_ends():
    assert _shrink(8, 1) == 4 and _shrink(1, 1) is None and _shrink(3, 2) == 2
    assert _shrink([0, 20], 5) == [0, 10] and _shrink([0, 5], 5) is None
    assert _shrink([1, 4], None) == [1, 2] and _shrink([1], None) is None
    assert _shrink([0.0, 2.0, 8.0], "sweep") == [0.0, 8.0] and _shrink([0.0, 8.0], "sweep") is None


def test_fast_machine_scales_nothing():
    plan = size_to_budget(small_config(), FAST, 20)
    assert plan.scaled == [] and plan.estimated_minutes <= 20
    assert ExperimentConfig.model_validate(plan.config) == small_config()


def test_slow_machine_shrinks_attacks_before_the_main_suite():
    cfg = small_config()
    full = size_to_budget(cfg, SLOW, 10_000)
    assert full.scaled == []
    plan = size_to_budget(cfg, SLOW, full.estimated_minutes * 0.8)
    assert plan.scaled, "a budget under the estimate must scale something down"
    assert plan.estimated_minutes < full.estimated_minutes
    assert plan.scaled[0].startswith("persistence.persona.limit 8 -> 4")
    sized = ExperimentConfig.model_validate(plan.config)
    assert sized.arms == cfg.arms and sized.train == cfg.train  # never an arm or a training step
    labels = [s.split(" ")[0] for s in plan.scaled]
    if "eval.limit" in labels:
        assert labels.index("eval.limit") > labels.index("persistence.persona.limit")
    # an impossible budget goes to every floor and says so through its estimate
    floor = size_to_budget(cfg, SLOW, 0.01)
    assert floor.estimated_minutes > 0.01 and total_minutes(floor.stages) == pytest.approx(floor.estimated_minutes,
                                                                                            abs=0.06)
    floored = ExperimentConfig.model_validate(floor.config)
    assert floored.eval.limit == 1 and floored.persistence.persona.many_shot == [1]
    assert floored.train == cfg.train  # training is cut only where the config allows it (a demo)
    demo = size_to_budget(small_config(budget_trains=True), SLOW, 0.01)
    trained = ExperimentConfig.model_validate(demo.config).train
    assert (trained.num_generations, trained.max_completion_length, trained.steps) == (2, 16, 2)
    assert demo.estimated_minutes < floor.estimated_minutes


def test_resumed_run_keeps_its_plan(isolated_cache, tmp_path):
    cfg = small_config(budget_minutes=1.0)
    path = _cache_file(cfg.model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SLOW.model_dump_json())  # this machine's speeds, as a calibration would have cached them
    assert measure_speeds(cfg.model) == SLOW
    sized, plan = plan_run(cfg, tmp_path)
    assert plan.scaled and (tmp_path / "plan.json").exists()
    path.write_text(FAST.model_dump_json())  # a later start on a faster hour must not re-decide the sizes
    again, plan2 = plan_run(cfg, tmp_path)
    assert again.model_dump() == sized.model_dump()
    assert plan2.scaled == plan.scaled
    other, plan3 = plan_run(small_config(budget_minutes=1000.0), tmp_path)  # another budget: planned anew
    assert plan3.scaled == [] and other.eval.limit == 8


def test_arm_seeds_train_some_arms_once_and_the_plan_prices_just_those():
    from traitrl.errors import ConfigError
    from traitrl.experiments.plan import estimate

    cfg = small_config(seeds=[0, 1], arm_seeds={"trait@0.05": [0]}, dose_shares=[0.05])
    assert cfg.trained_models() == [(0, "baseline"), (0, "trait"), (0, "trait@0.05"), (1, "baseline"), (1, "trait")]
    assert cfg.model_label("trait@0.05", 0) == "trait@0.05@s0" and cfg.label_seed("trait@0.05@s0") == ("trait@0.05", 0)
    stages = [s.stage for s in estimate(cfg, FAST)]
    assert [s for s in stages if s.startswith("train-")] == [
        "train-baseline-s0", "train-trait-s0", "train-trait@0.05-s0", "train-baseline-s1", "train-trait-s1"]
    assert "eval-trait@0.05@s0" in stages and "eval-trait@0.05@s1" not in stages
    one = small_config(arm_seeds={"trait": [3]})  # an arm's own seeds alone make the run several-seeded
    assert one.trained_models() == [(0, "baseline"), (3, "trait")] and one.model_label("trait", 3) == "trait@s3"
    for bad in ({"health_only": [0]}, {"trait": []}):
        with pytest.raises((ValueError, ConfigError)):
            small_config(arm_seeds=bad)
