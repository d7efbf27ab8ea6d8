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
    # an impossible budget goes to every floor and says so through its estimate
    floor = size_to_budget(cfg, SLOW, 0.01)
    labels = [s.split(" ")[0] for s in floor.scaled]  # the attacks shrink before the main suite does
    assert labels.index("eval.limit") > labels.index("persistence.persona.limit")
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
    for bad, why in (({"health_only": [0]}, "is not a trained arm"), ({"trait": []}, "needs one or more")):
        with pytest.raises((ValueError, ConfigError), match=f"arm_seeds: .*{why}"):
            small_config(arm_seeds=bad)


def test_training_is_priced_with_the_grpo_rollout_and_log_probability_rates():
    """A calibration that measured GRPO's own rollout and log-probability speeds prices training with them;
    an older calibration (no such rates) falls back to the evaluation decoder and the prefill rate."""
    from traitrl.experiments.plan import estimate

    cfg = small_config(train={"steps": 4, "prompts_per_step": 2, "num_generations": 4, "max_completion_length": 32,
                              "generation_steps": 2})

    def train_seconds(speeds: Speeds) -> float:
        return sum(s.seconds for s in estimate(cfg, speeds) if s.stage.startswith("train-"))

    older = SLOW
    assert older.rollout_s(8, 10) == older.decode_s(8, 10) and older.logp_s(100) == 100 / older.prefill_tok_s
    slow_rollouts = SLOW.model_copy(update={"rollout_step_s": 2 * SLOW.decode_step_s, "rollout_row_s": 1e-3})
    slow_logp = SLOW.model_copy(update={"logp_tok_s": SLOW.prefill_tok_s / 4})
    assert slow_rollouts.rollout_s(8, 10) == pytest.approx(10 * (1.0 + 8e-3))
    assert train_seconds(slow_rollouts) > train_seconds(older) + 2 * 32 * 0.5  # 2 trained arms x 2 calls x 32 steps
    # the no-grad pass of TRL's importance ratio is priced where it runs: a bf16 policy (an fp32 one keeps the
    # log-probabilities it sampled with, training/sampling_logps.py)
    bf16 = {"dtype": "bfloat16"}
    assert train_seconds(slow_logp.model_copy(update=bf16)) > train_seconds(older.model_copy(update=bf16))
    assert train_seconds(slow_logp) == train_seconds(older)
    assert Speeds.model_validate_json(older.model_dump_json()).rollout_step_s == 0.0  # old cached files still load


def test_the_scoring_pass_is_priced_per_forward_as_prompts_are_bundled():
    """GRPO's loss pass runs one forward per bundle of similar-length prompts in each micro-batch; a calibrated
    per-forward cost is charged for each (a demo's short completions read few tokens per forward)."""
    from traitrl.experiments.plan import estimate, score_forwards

    # micro-batches of 4 completions, 2 per prompt: [300, 30] cannot share a forward, [32, 28] can
    assert score_forwards([300, 30, 32, 28], group=2, micro=4) == 3
    assert score_forwards([30, 30, 30, 30], group=2, micro=8) == 1
    assert score_forwards([30, 300], group=4, micro=2) == 4  # a group split over micro-batches: a forward each

    cfg = small_config()

    def train_seconds(speeds: Speeds) -> float:
        return sum(s.seconds for s in estimate(cfg, speeds) if s.stage.startswith("train-"))

    per_forward = SLOW.model_copy(update={"score_bundle_s": 2.0})
    assert per_forward.score_s(100, 3) == pytest.approx(6.0 + 100 / SLOW.train_tok_s)
    # 2 trained arms x 2 steps x 1 micro-batch of 8 completions of 2 prompts: at least a forward per step
    assert train_seconds(per_forward) >= train_seconds(SLOW) + 2 * 2 * 2.0


def test_lora_rates_are_measured_on_the_grpo_path(tiny_model_path):
    """The calibration's GRPO part runs on a real (tiny) model and hands the model back as it found it: the
    adapters removed, the same outputs (the stage measured next, and the judge, use that model)."""
    import math

    import torch
    from transformers import AutoModelForCausalLM

    from traitrl.experiments.speeds import _lora_rates

    model = AutoModelForCausalLM.from_pretrained(str(tiny_model_path)).eval()
    ids = torch.randint(5, 100, (2, 12), generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        before = model(input_ids=ids).logits
    rates = _lora_rates(model, torch.Generator().manual_seed(0))
    assert all(math.isfinite(r) for r in rates)
    assert not any("lora" in name for name, _ in model.named_parameters())
    with torch.inference_mode():
        assert torch.equal(model(input_ids=ids).logits, before)


def test_persona_arms_name_arms_not_prefixes():
    """`persistence.persona.arms: [trait]` attacks every seed of the trait arm, not the dose arm trait@0.05;
    naming the dose arm attacks it."""
    from traitrl.experiments.plan import estimate

    def attacked(arms: list[str]) -> set[str]:
        cfg = small_config(seeds=[0, 1], arm_seeds={"trait@0.05": [0]}, dose_shares=[0.05],
                           persistence={"persona": {"personas": ["deceptive"], "arms": arms, "limit": 8,
                                                    "many_shot": []},
                                        "finetune": None})
        return {s.stage.split(" ")[0].removeprefix("attack-deceptive-")
                for s in estimate(cfg, FAST) if s.stage.startswith("attack-deceptive-")}

    assert attacked(["trait"]) == {"trait@s0", "trait@s1"}
    assert attacked(["trait@0.05", "base"]) == {"trait@0.05@s0", "base"}
    assert attacked(["trait@s1", "baseline@s0"]) == {"trait@s1", "baseline@s0"}  # one seed of an arm


def test_finetune_ladders_can_be_restricted_to_one_seed():
    from traitrl.experiments.finetune import finetuned_labels

    cfg = small_config(seeds=[0, 1, 2], persistence={"persona": None, "finetune": {"arms": ["base", "trait@s0"]}})
    models = ["base", "baseline@s0", "trait@s0", "baseline@s1", "trait@s1", "trait@s2"]
    assert finetuned_labels(cfg, models) == ["base", "trait@s0"]
    every_seed = cfg.model_copy(update={"persistence": cfg.persistence.model_copy(
        update={"finetune": cfg.persistence.finetune.model_copy(update={"arms": ["trait"]})})})
    assert finetuned_labels(every_seed, models) == ["trait@s0", "trait@s1", "trait@s2"]


def test_generation_items_have_their_own_limit_and_are_cut_first():
    from traitrl.experiments.evaluation import select_suite, suite_limits
    from traitrl.experiments.plan import estimate

    suite = {"suite": ["truthfulqa_mc1", "honest_fabricated_sources", "indist_truthfulness"], "limit": 8,
             "trait_eval_limit": 4, "max_new_tokens": 32}
    cfg = small_config(eval=suite, persistence={"persona": None, "finetune": None})
    assert suite_limits(cfg, select_suite(cfg)) == {"indist_truthfulness": 8}  # unset: generation follows limit
    cut = small_config(eval={**suite, "generation_limit": 2}, persistence={"persona": None, "finetune": None})
    generated = {b.id for b in select_suite(cut) if b.scorer == "generate" and b.id != "indist_truthfulness"}
    assert "honest_fabricated_sources" in generated and "truthfulqa_mc1" not in generated  # capabilities too
    assert suite_limits(cut, select_suite(cut)) == {"indist_truthfulness": 8, **dict.fromkeys(generated, 2)}
    work = {s.stage: s for s in estimate(cfg, SLOW)}["eval-base"]
    fewer = {s.stage: s for s in estimate(cut, SLOW)}["eval-base"]
    assert fewer.seconds < work.seconds and fewer.work.split(",")[0] == work.work.split(",")[0]  # same LL tokens
    full = size_to_budget(cfg, SLOW, 10_000).estimated_minutes
    plan = size_to_budget(cfg, SLOW, full * 0.7)
    labels = [s.split(" ")[0] for s in plan.scaled]
    assert labels[0] == "eval.generation_limit", plan.scaled
    sized = ExperimentConfig.model_validate(plan.config)
    if "eval.limit" in labels:  # log-likelihood items go only once generation items are at their floor
        assert sized.eval.generation_limit == 1
    else:
        assert sized.eval.limit == 8


def test_time_spent_before_planning_comes_out_of_the_budget():
    """The weight conversion and the speed calibration run before sizing; a run that has already spent part of
    its budget is sized to what is left (and the report's reserve), so it scales down further."""
    from traitrl.experiments.plan import REPORT_S, process_age_s

    cfg = small_config()
    full = size_to_budget(cfg, SLOW, 10_000).estimated_minutes
    budget = full / 0.85 + REPORT_S / 60 + 0.05  # just fits when nothing was spent before
    fresh, late = size_to_budget(cfg, SLOW, budget), size_to_budget(cfg, SLOW, budget, spent_s=0.4 * budget * 60)
    assert fresh.scaled == [] and fresh.spent_minutes == 0
    assert late.scaled and late.estimated_minutes < fresh.estimated_minutes
    assert late.spent_minutes == pytest.approx(0.4 * budget, abs=0.06)
    assert 0 < process_age_s() < 24 * 3600  # this test process, read from /proc


def test_log_likelihood_items_are_priced_at_the_measured_scoring_rate():
    """Multiple-choice scoring runs slower than a plain prefill (padded rows, the head on choice tokens): a
    calibration that measured it prices evaluations with it; an older one falls back to the prefill rate."""
    from traitrl.experiments.plan import estimate

    cfg = small_config()

    def eval_seconds(speeds: Speeds) -> float:
        return sum(s.seconds for s in estimate(cfg, speeds) if s.stage.startswith("eval-"))

    slower = SLOW.model_copy(update={"loglik_tok_s": SLOW.prefill_tok_s / 2})
    assert SLOW.loglik_s(100) == 100 / SLOW.prefill_tok_s and slower.loglik_s(100) == 200 / SLOW.prefill_tok_s
    assert eval_seconds(slower) > eval_seconds(SLOW)


def test_the_log_likelihood_rate_is_measured_through_the_evaluators_scoring(tiny_model_path):
    from traitrl.experiments.speeds import _loglik_rate
    from traitrl.models.loading import load_policy

    rate = _loglik_rate(load_policy(str(tiny_model_path)), n=3)
    assert 0 < rate < 1e7
