"""The rubric-check grader (spec `checks`): every rubric item's hand-written `check` run locally, deterministic.

No longer the default (that is the learned judge, `grading/learned/`): on the gold set, checks built from
phrase lists are bought by phrase salad and miss paraphrase (see `traitrl grade calibrate --grader checks`).
It stays for rubrics whose checks are exact by nature (formats, counts, citations) and as a baseline.

An item without a `check` is missing (`met=None`), never met. A response that fails the degenerate-response
gate (`grading/gate.py`) gets every positive item not met, while negative items are still checked. Check
functions are built once per distinct spec and reused; when a batch uses `similar_to`, its responses are
embedded together before grading.

    from traitrl.grading.check_grader import CheckGrader
    grades = CheckGrader().grade_batch(scenarios, responses)
"""

from __future__ import annotations

import json
from functools import lru_cache

from traitrl.errors import InputError
from traitrl.grading.checks import CheckFn, build_check
from traitrl.grading.checks.semantic import prefetch
from traitrl.grading.gate import check_gate
from traitrl.grading.grade import Grade, ItemGrade, item_grade
from traitrl.types import CheckSpec, RubricItem, Scenario

GRADER_VERSION = "checks-v2"


def spec_key(spec: CheckSpec) -> str:
    return json.dumps(spec.model_dump(mode="json"), sort_keys=True)


@lru_cache(maxsize=16384)
def _compiled(key: str) -> CheckFn:
    return build_check(json.loads(key))


def compile_rubric(scenario: Scenario) -> list[CheckFn | None]:
    """Build every item's check; a bad spec raises InputError naming the scenario and the item."""
    fns: list[CheckFn | None] = []
    for i, item in enumerate(scenario.rubric):
        if item.check is None:
            fns.append(None)
            continue
        try:
            fns.append(_compiled(spec_key(item.check)))
        except InputError as e:
            raise InputError(f"scenario {scenario.id!r} rubric[{i}]: {e.message}", field=e.field) from None
    return fns


def uses_similarity(scenario: Scenario) -> bool:
    return any(item.check is not None and '"similar_to"' in spec_key(item.check) for item in scenario.rubric)


class CheckGrader:
    """Deterministic rubric grader built from offline check primitives."""

    def __init__(self, gate: bool = True) -> None:
        self.gate = gate
        self.name = f"checks(version={GRADER_VERSION},gate={gate})"

    def validate(self, scenarios: list[Scenario]) -> None:
        """Build every check now, so a bad rubric fails at load time."""
        for s in scenarios:
            compile_rubric(s)

    def grade_batch(self, scenarios: list[Scenario], responses: list[str]) -> list[Grade]:
        if len(scenarios) != len(responses):
            raise ValueError(f"{len(scenarios)} scenarios but {len(responses)} responses")
        compiled = [compile_rubric(s) for s in scenarios]
        prefetch(r for s, r in zip(scenarios, responses, strict=True) if r.strip() and uses_similarity(s))
        return [self._grade(s, r, fns) for s, r, fns in zip(scenarios, responses, compiled, strict=True)]

    def grade(self, scenario: Scenario, response: str) -> Grade:
        return self.grade_batch([scenario], [response])[0]

    def _grade(self, scenario: Scenario, response: str, fns: list[CheckFn | None]) -> Grade:
        gate = check_gate(response, scenario) if self.gate else None
        gated = gate.reason if gate and not gate.passed else ""
        items = [self._item(item, fn, scenario, response, gated)
                 for item, fn in zip(scenario.rubric, fns, strict=True)]
        return Grade(scenario_id=scenario.id, items=items, grader=self.name)

    @staticmethod
    def _item(item: RubricItem, fn: CheckFn | None, scenario: Scenario, response: str,
              gated: str) -> ItemGrade:
        if fn is None:
            return item_grade(item, None, "no offline check for this item")
        if gated and item.points > 0:
            return item_grade(item, False, f"gate: {gated}")
        try:
            met, evidence = fn(response, scenario.messages)
        except Exception as e:  # a check bug must not crash a run: record the item as unscored
            return item_grade(item, None, f"check error: {type(e).__name__}: {e}")
        return item_grade(item, bool(met), evidence)
