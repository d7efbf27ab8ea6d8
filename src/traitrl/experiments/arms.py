"""The experiment's arms, each a small function from the shared inputs to a training plan.

All RL arms share the start model, seed, optimizer, steps and number of rollouts, and the same standard rows
(see `traitrl.training.mixture`); they differ only in which rows replace part of the standard mix and how
those rows are rewarded:

| arm                 | trait rows                         | reward on trait rows                      |
| ------------------- | ---------------------------------- | ----------------------------------------- |
| baseline            | none (100% standard, share 0)      | —                                         |
| trait               | all training scenarios             | the scenario's own rubric                 |
| health_only         | health-domain scenarios only       | rubric                                    |
| no_health_science   | scenarios outside health & science | rubric                                    |
| reward_control      | all training scenarios             | generic helpfulness + instruction following |
| constitution_reward | all training scenarios             | the constitution's global principles      |
| constitutional_sft  | none: best-of-n constitution SFT first, then the baseline's RL                  |
| trait@<share>       | dose-response: the trait arm at another share                                  |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from traitrl.experiments.config import ExperimentConfig
from traitrl.training.config import TrainConfig
from traitrl.training.mixture import filter_scenarios
from traitrl.types import Scenario


@dataclass
class ArmPlan:
    name: str
    scenarios: list[Scenario]
    trait_share: float
    reward: str  # "none" | "rubric" | "helpfulness" | "constitution"
    key: dict[str, Any] = field(default_factory=dict)
    start_model: str | None = None  # constitutional SFT: RL starts from the SFT'd model


def _plan(name: str, scenarios: list[Scenario], share: float, reward: str) -> ArmPlan:
    ids = sorted(s.id for s in scenarios)
    return ArmPlan(name=name, scenarios=scenarios, trait_share=share if scenarios else 0.0, reward=reward,
                   key={"arm": name, "share": share, "reward": reward, "n_scenarios": len(ids),
                        "scenario_ids_head": ids[:5]})


ARM_PLANNERS: dict[str, Callable[[ExperimentConfig, list[Scenario]], ArmPlan]] = {
    "baseline": lambda cfg, sc: _plan("baseline", [], 0.0, "none"),
    "trait": lambda cfg, sc: _plan("trait", sc, cfg.trait_share, "rubric"),
    "health_only": lambda cfg, sc: _plan("health_only", filter_scenarios(sc, domains=["health"]),
                                         cfg.trait_share, "rubric"),
    "no_health_science": lambda cfg, sc: _plan(
        "no_health_science", filter_scenarios(sc, exclude_domains=["health", "science"]), cfg.trait_share,
        "rubric"),
    "reward_control": lambda cfg, sc: _plan("reward_control", sc, cfg.trait_share, "helpfulness"),
    "constitution_reward": lambda cfg, sc: _plan("constitution_reward", sc, cfg.trait_share, "constitution"),
    "constitutional_sft": lambda cfg, sc: _plan("constitutional_sft", [], 0.0, "none"),
}


def rl_arm_plans(cfg: ExperimentConfig, train_scenarios: list[Scenario]) -> list[ArmPlan]:
    """The RL arms of a config, in order, with dose-response arms appended."""
    plans = [ARM_PLANNERS[a](cfg, train_scenarios) for a in cfg.arms if a in ARM_PLANNERS]
    for share in cfg.dose_shares:
        if share != cfg.trait_share:
            plans.append(_plan(f"trait@{share:g}", train_scenarios, share, "rubric"))
    return plans


def train_arm_kind(plan: ArmPlan) -> str:
    """The `TrainConfig.arm` that builds this plan's rows and rewards (see `traitrl.training.arms`)."""
    if plan.trait_share == 0:
        return "baseline"
    return "reward_control" if plan.reward == "helpfulness" else "trait"


def reward_funcs(plan: ArmPlan, cfg: ExperimentConfig, train_config: TrainConfig) -> list[Callable]:
    """The TRL reward functions of an arm: `traitrl.training.arms.arm_rewards`, with the constitution grader
    in place of the scenario rubrics for the constitution-reward arm."""
    from traitrl.training.arms import arm_rewards

    if plan.reward != "constitution":
        return arm_rewards(train_config, plan.scenarios)
    from traitrl.constitution.document import load_constitution
    from traitrl.constitution.grader import ConstitutionGrader

    grader = ConstitutionGrader(load_constitution(cfg.constitution))
    funcs = arm_rewards(train_config, plan.scenarios, grader)
    funcs[-1].__name__ = "constitution_reward"
    return funcs
