"""An arm is one value: which scenarios replace part of the standard mix, at what share, rewarded how.

| arm                 | trait rows                         | share           | reward on trait rows                 |
| ------------------- | ---------------------------------- | --------------- | ------------------------------------ |
| baseline            | none (100% standard)               | 0               | -                                    |
| trait               | all training scenarios             | the run's share | the scenario's own rubric            |
| health_only         | health-domain scenarios only       | the run's share | rubric                               |
| no_health_science   | scenarios outside health & science | the run's share | rubric                               |
| reward_control      | all training scenarios             | the run's share | generic helpfulness + instructions   |
| constitution_reward | all training scenarios             | the run's share | the constitution's global principles |
| constitutional_sft  | none: best-of-n constitution SFT first (an experiment stage), then the baseline's RL    |
| `<arm>@<share>`     | any rubric arm at another share (dose response), e.g. `trait@0.1`                      |

All arms share the start model, seed, optimizer, steps and rollouts, and the same standard rows (see
`traitrl.training.mixture`); standard rows are always scored by `standard_reward`. `TrainConfig.arm` names
an arm; the config's own domain/trait filters narrow the arm's scenarios further.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from traitrl.training.helpfulness_reward import helpfulness_reward
from traitrl.training.mixture import build_mixture, filter_scenarios
from traitrl.training.standard_reward import standard_reward
from traitrl.training.standard_tasks import build_standard_tasks
from traitrl.types import Scenario

if TYPE_CHECKING:
    from traitrl.training.config import TrainConfig

RewardKind = Literal["none", "rubric", "helpfulness", "constitution"]


class Arm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    reward: RewardKind
    share: float | None = Field(None, ge=0, le=1, description="None: the run's trait share.")
    domains: list[str] | None = None
    exclude_domains: list[str] = Field(default_factory=list)
    sft_first: bool = Field(False, description="Constitutional SFT before RL (run by the experiment).")

    def trait_share(self, run_share: float) -> float:
        return 0.0 if self.reward == "none" else self.share if self.share is not None else run_share


ARMS: dict[str, Arm] = {a.name: a for a in [
    Arm(name="baseline", reward="none"),
    Arm(name="trait", reward="rubric"),
    Arm(name="health_only", reward="rubric", domains=["health"]),
    Arm(name="no_health_science", reward="rubric", exclude_domains=["health", "science"]),
    Arm(name="reward_control", reward="helpfulness"),
    Arm(name="constitution_reward", reward="constitution"),
    Arm(name="constitutional_sft", reward="none", sft_first=True),
]}


def resolve_arm(name: str) -> Arm:
    """The arm a name stands for: a registered arm, or `<arm>@<share>` for a rewarded arm at another share."""
    base, _, share = name.partition("@")
    arm = ARMS.get(base)
    if arm is None:
        raise ValueError(f"unknown arm {name!r}; expected one of {', '.join(map(repr, ARMS))} (or <arm>@<share>)")
    if not share:
        return arm
    try:
        value = float(share)
    except ValueError:
        raise ValueError(f"arm {name!r}: the share after '@' must be a number") from None
    if arm.reward == "none" or not 0 < value <= 1:
        raise ValueError(f"arm {name!r}: only a rewarded arm takes a share, in (0, 1]")
    return arm.model_copy(update={"name": name, "share": value})


def _standard(config: TrainConfig, scenarios: Sequence[Scenario], grader) -> list[Callable]:
    return [standard_reward]


def _rubric(config: TrainConfig, scenarios: Sequence[Scenario], grader) -> list[Callable]:
    from traitrl.grading.api import load_grader
    from traitrl.training.reward import make_trait_reward

    grader = grader or load_grader(config.grader)
    return [standard_reward, make_trait_reward({s.id: s for s in scenarios}, grader,
                                               num_generations=config.num_generations)]


def _helpfulness(config: TrainConfig, scenarios: Sequence[Scenario], grader) -> list[Callable]:
    return [standard_reward, helpfulness_reward]


def _constitution(config: TrainConfig, scenarios: Sequence[Scenario], grader) -> list[Callable]:
    from traitrl.constitution.document import load_constitution
    from traitrl.constitution.grader import ConstitutionGrader

    funcs = _rubric(config, scenarios, grader or ConstitutionGrader(load_constitution(config.constitution)))
    funcs[-1].__name__ = "constitution_reward"
    return funcs


REWARDS: dict[str, Callable[..., list[Callable]]] = {
    "none": _standard, "rubric": _rubric, "helpfulness": _helpfulness, "constitution": _constitution}


def load_trait_scenarios(config: TrainConfig) -> list[Scenario]:
    """The built-in train-split scenarios of `config.data_source`."""
    from traitrl.scenarios.build import load_builtin

    return load_builtin(split="train", seed=config.data_seed, source=config.data_source)


def arm_scenarios(config: TrainConfig, scenarios: Sequence[Scenario]) -> list[Scenario]:
    """The scenarios whose rows the arm trains on: the arm's filter, then the config's."""
    arm = config.resolved_arm
    if arm.trait_share(config.trait_share) == 0:
        return []
    kept = filter_scenarios(scenarios, domains=arm.domains, exclude_domains=arm.exclude_domains)
    return filter_scenarios(kept, domains=config.domains, exclude_domains=config.exclude_domains,
                            traits=config.traits)


def arm_rows(config: TrainConfig, scenarios: Sequence[Scenario] | None = None) -> tuple[list[dict], list[Scenario]]:
    """(training rows, trait scenarios they draw on) of `config.arm`; scenarios default to the built-in train
    split."""
    share = config.resolved_arm.trait_share(config.trait_share)
    if scenarios is None:
        scenarios = load_trait_scenarios(config) if share > 0 else []
    chosen = arm_scenarios(config, scenarios)
    standard = build_standard_tasks(config.n_rows, seed=config.seed, arithmetic_share=config.arithmetic_share)
    return build_mixture(standard, chosen, config.n_rows, share, seed=config.seed), chosen


def prepare_arm(config: TrainConfig, scenarios: Sequence[Scenario] | None = None,
                grader=None) -> tuple[list[dict], list[Callable]]:
    """(rows, reward functions) of `config.arm` (`arm_rows`). `grader` replaces the one the arm's reward would
    load (tests, or a grader already in memory)."""
    rows, chosen = arm_rows(config, scenarios)
    return rows, REWARDS[config.resolved_arm.reward](config, chosen, grader)
