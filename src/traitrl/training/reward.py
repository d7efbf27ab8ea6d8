"""The bridge from grading to RL: a TRL reward function that IS the evaluation scorer.

`make_trait_reward(scenarios_by_id)` returns `reward(prompts, completions, scenario_id, **kwargs)`, which
grades every completion with `traitrl.grading.api.grade_many` (the function evaluation uses) and returns
`Grade.partial_score`: the same rubric and scoring rule, with partial credit on positive items from the
default reward grader `CheckGrader(partial_credit=True)` (see `grading/partial_credit.py`; a strict grader
passed in gives exactly `Grade.score`). Rows whose `scenario_id` is None (standard-task rows in the mixture)
get None, which TRL keeps out of the group baseline; so do unscored grades (no positive item with a verdict).
Completions may be strings or conversational lists of `{"role", "content"}` messages.

TRL passes completions grouped by prompt, `num_generations` at a time. A group whose rewards are all equal has
zero advantage and teaches nothing; `zero_variance_fraction` measures how many there are and the reward
function records the last value in `reward.last_zero_variance_fraction` for the trainer to log.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from traitrl.grading.api import grade_many, load_grader
from traitrl.grading.grade import Grader
from traitrl.training.standard_reward import completion_text
from traitrl.types import Scenario


def zero_variance_fraction(rewards: Sequence[float | None], group_size: int) -> float:
    """Fraction of complete groups of `group_size` whose scored rewards are all equal (NaN if no group)."""
    if group_size < 2:
        return math.nan
    zero = total = 0
    for start in range(0, len(rewards) - group_size + 1, group_size):
        group = [r for r in rewards[start:start + group_size] if r is not None]
        if len(group) < 2:
            continue
        total += 1
        zero += max(group) - min(group) < 1e-12
    return zero / total if total else math.nan


class TraitReward:
    """Callable TRL reward; see the module docstring."""

    def __init__(self, scenarios_by_id: Mapping[str, Scenario], grader: Grader | None = None,
                 num_generations: int | None = None) -> None:
        self.scenarios_by_id = dict(scenarios_by_id)
        self.grader = grader or load_grader()
        self.num_generations = num_generations
        self.last_zero_variance_fraction = math.nan
        self.__name__ = "trait_rubric"

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any],
                 scenario_id: Sequence[str | None] | None = None, **kwargs: Any) -> list[float | None]:
        ids = list(scenario_id) if scenario_id is not None else [None] * len(completions)
        if len(ids) != len(completions):
            raise ValueError(f"{len(ids)} scenario ids for {len(completions)} completions")
        rows = [i for i, sid in enumerate(ids) if sid is not None]
        unknown = [ids[i] for i in rows if ids[i] not in self.scenarios_by_id]
        if unknown:
            raise KeyError(f"unknown scenario_id {unknown[0]!r} (not in the scenarios given to the reward)")
        grades = grade_many([self.scenarios_by_id[ids[i]] for i in rows],
                            [completion_text(completions[i]) for i in rows], self.grader)
        rewards: list[float | None] = [None] * len(completions)
        for i, g in zip(rows, grades, strict=True):
            s = g.expected_score
            rewards[i] = None if math.isnan(s) else s
        group = self.num_generations or _infer_group_size(prompts)
        if group:
            self.last_zero_variance_fraction = zero_variance_fraction(rewards, group)
        return rewards


def _infer_group_size(prompts: Sequence[Any]) -> int | None:
    """Length of the first run of identical prompts (TRL repeats each prompt num_generations times)."""
    if not prompts:
        return None
    n = 1
    while n < len(prompts) and prompts[n] == prompts[0]:
        n += 1
    return n if n > 1 else None


def make_trait_reward(scenarios_by_id: Mapping[str, Scenario], grader: Grader | None = None,
                      num_generations: int | None = None) -> TraitReward:
    """A TRL reward function scoring completions with the scenario rubrics (default: the learned judge)."""
    return TraitReward(scenarios_by_id, grader, num_generations)
