"""The bridge from grading to RL: a TRL reward function that IS the evaluation scorer.

`make_trait_reward(scenarios_by_id)` returns `reward(prompts, completions, scenario_id, **kwargs)`, which
grades every completion with `traitrl.grading.api.grade_many` (the function evaluation uses) and returns
`grading.reward_rule.reward_score`: the expected rubric score under the judge's P(met), except that a non-reply
(empty, or a loop) gets the rubric's floor, so that saying nothing never beats an attempt. Rows whose
`scenario_id` is None (standard-task rows in the mixture) get None, which TRL keeps out of the group baseline;
so do unscored grades (no positive item with a verdict).
Completions may be strings or conversational lists of `{"role", "content"}` messages.

Which rows are trait rows, from the dataset columns TRL passes as keyword arguments:
- `rubric` (the `traitrl data export --format hf` layout): a row with a rubric is graded from its own columns
  (`id`, `trait`, `domain`, `family`, `rubric`, ...; the conversation is the prompt); a row whose rubric is None
  (a standard row of a mixed set) gets None;
- else `scenario_id` or `id`, looked up in the scenarios given (None: not a trait row; unknown: KeyError).
A batch with none of these columns raises: a reward that scored nothing would leave every advantage at 0.
`trait_reward` is the ready-made one for your own `GRPOTrainer` (learned offline judge, scenarios from the
columns); needs TRL >= 1.6, where a None reward stays out of the group baseline (`pyproject.toml`):

    from traitrl.training.reward import trait_reward
    trainer = GRPOTrainer(model=..., reward_funcs=[trait_reward, my_standard_reward],
                          train_dataset=load_dataset("export/hf")["train"], ...)

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
from traitrl.grading.reward_rule import reward_score
from traitrl.scenarios.export import scenario_from_hf_row
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
        self._grader = grader
        self.num_generations = num_generations
        self.last_zero_variance_fraction = math.nan
        self.__name__ = "trait_rubric"

    @property
    def grader(self) -> Grader:
        """The grader, loaded on first use (default: the learned offline judge)."""
        if self._grader is None:
            self._grader = load_grader()
        return self._grader

    @grader.setter
    def grader(self, value: Grader) -> None:
        self._grader = value

    def scenarios(self, prompts: Sequence[Any], n: int, scenario_id: Sequence[str | None] | None,
                  columns: Mapping[str, Any]) -> list[Scenario | None]:
        """The scenario of every row (None: not a trait row); see the module docstring."""
        if "rubric" in columns and columns["rubric"] is not None:
            rubrics = list(columns["rubric"])
            _check_length("rubric", rubrics, n)
            rows = [{k: v[i] for k, v in columns.items() if isinstance(v, Sequence) and not isinstance(v, str)
                     and len(v) == n} for i in range(n)]
            out: list[Scenario | None] = []
            for i, row in enumerate(rows):
                if not rubrics[i]:
                    out.append(None)
                    continue
                try:
                    out.append(scenario_from_hf_row(row, messages=prompts[i] if not isinstance(prompts[i], str)
                                                    else None))
                except (KeyError, ValueError) as e:
                    raise ValueError(f"row {i} (id {row.get('id')!r}) is not a trait scenario row: "
                                     f"{str(e).splitlines()[0]}") from None
            return out
        key = "scenario_id" if scenario_id is not None else "id" if "id" in columns else None
        if key is None:
            raise ValueError("the trait reward needs a `rubric` column (`traitrl data export --format hf`) or a "
                             "`scenario_id` / `id` column naming the scenarios it was given; this batch has none, "
                             "so every reward would be None and every advantage 0")
        ids = list(scenario_id if scenario_id is not None else columns["id"])
        _check_length(key, ids, n)
        unknown = [sid for sid in ids if sid is not None and sid not in self.scenarios_by_id]
        if unknown:
            raise KeyError(f"unknown {key} {unknown[0]!r} (not in the scenarios given to the reward)")
        return [None if sid is None else self.scenarios_by_id[sid] for sid in ids]

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any],
                 scenario_id: Sequence[str | None] | None = None, **kwargs: Any) -> list[float | None]:
        scenarios = self.scenarios(prompts, len(completions), scenario_id, kwargs)
        rows = [i for i, s in enumerate(scenarios) if s is not None]
        texts = [completion_text(completions[i]) for i in rows]
        grades = grade_many([scenarios[i] for i in rows], texts, self.grader) if rows else []
        rewards: list[float | None] = [None] * len(completions)
        for i, g, text in zip(rows, grades, texts, strict=True):
            s = reward_score(g, text)
            rewards[i] = None if math.isnan(s) else s
        group = self.num_generations or _infer_group_size(prompts)
        if group:
            self.last_zero_variance_fraction = zero_variance_fraction(rewards, group)
        return rewards


def _check_length(name: str, values: Sequence[Any], n: int) -> None:
    if len(values) != n:
        raise ValueError(f"{len(values)} values of {name} for {n} completions")


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


trait_reward = TraitReward({})
"""The TRL reward for your own `GRPOTrainer` on `traitrl data export --format hf` data (see the module docstring)."""
