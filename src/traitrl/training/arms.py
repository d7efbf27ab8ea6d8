"""One arm's data and rewards, from a `TrainConfig`: the only place the three arms differ.

| arm            | rows                                   | reward on trait rows            |
| -------------- | -------------------------------------- | ------------------------------- |
| baseline       | 100% standard (trait share forced to 0) | -                               |
| trait          | standard with `trait_share` replaced    | rubric score (`trait_rubric`)   |
| reward_control | the same rows as `trait`                | generic helpfulness             |

Standard rows are always scored by `standard_reward`; the standard pool is generated from the config seed,
so all arms with one seed share it (and, through `build_mixture`, the same rows at the same steps).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from traitrl.training.config import TrainConfig
from traitrl.training.helpfulness_reward import helpfulness_reward
from traitrl.training.mixture import build_mixture, filter_scenarios
from traitrl.training.standard_reward import standard_reward
from traitrl.training.standard_tasks import build_standard_tasks
from traitrl.types import Scenario


def load_trait_scenarios(config: TrainConfig, seed: int = 0) -> list[Scenario]:
    """Built-in train-split scenarios, filtered by the config's domain/trait options."""
    from traitrl.scenarios.build import load_builtin

    return filter_scenarios(load_builtin(split="train", seed=seed), domains=config.domains,
                            exclude_domains=config.exclude_domains, traits=config.traits)


def arm_rows(config: TrainConfig, scenarios: Sequence[Scenario]) -> list[dict]:
    standard = build_standard_tasks(config.n_rows, seed=config.seed, arithmetic_share=config.arithmetic_share)
    return build_mixture(standard, scenarios, config.n_rows, config.effective_trait_share, seed=config.seed)


def arm_rewards(config: TrainConfig, scenarios: Sequence[Scenario], grader=None) -> list[Callable]:
    if config.effective_trait_share == 0:
        return [standard_reward]
    if config.arm == "reward_control":
        return [standard_reward, helpfulness_reward]
    from traitrl.grading.api import load_grader
    from traitrl.training.reward import make_trait_reward

    trait = make_trait_reward({s.id: s for s in scenarios}, grader or load_grader(config.grader),
                              num_generations=config.num_generations)
    return [standard_reward, trait]


def prepare_arm(config: TrainConfig, scenarios: Sequence[Scenario] | None = None,
                grader=None) -> tuple[list[dict], list[Callable]]:
    """(rows, reward functions) for `config.arm`; scenarios default to the filtered built-in train split."""
    if scenarios is None:
        scenarios = load_trait_scenarios(config) if config.effective_trait_share > 0 else []
    return arm_rows(config, scenarios), arm_rewards(config, scenarios, grader)
