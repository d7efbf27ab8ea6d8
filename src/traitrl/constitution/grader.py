"""Grade any response against the constitution instead of the scenario's own rubric.

The constitution's principles are applied uniformly as one global rubric; the scoring rule, caching and any
grader spec are the same engine that grades per-scenario rubrics. By default the principles are graded by
their own offline checks (`BASE_GRADER`, see below), while the trait arm's rubrics are graded by the learned
judge: the two arms differ in grader as well as criteria, which results must say.
"""

from __future__ import annotations

from traitrl.constitution.document import Constitution, load_constitution
from traitrl.grading.grade import Grade, Grader
from traitrl.types import Scenario

# The constitution's principles are generic ("The response expresses calibrated uncertainty ...") and carry
# offline checks. The learned judge, fitted on scenario-specific criteria, does not read them: measured
# 2026-12-02, every principle got P(met) ~0.02 on a hand-written good reply and on the same reply with an
# invented DOI appended (also with "The response" removed). Until the gold set holds generic criteria, the
# constitution is graded by its checks.
BASE_GRADER = "checks"


class ConstitutionGrader:
    """Wraps a rubric grader (`BASE_GRADER` by default) and swaps in the constitution's rubric."""

    def __init__(self, constitution: Constitution | None = None, base: Grader | None = None) -> None:
        from traitrl.grading.api import load_grader

        self.constitution = constitution or load_constitution()
        self.base = base or load_grader(BASE_GRADER)
        self._rubric = self.constitution.rubric()
        self.name = (f"constitution(name={self.constitution.name},version={self.constitution.version},"
                     f"base={self.base.name})")

    def as_constitution_scenario(self, scenario: Scenario) -> Scenario:
        return scenario.model_copy(update={"rubric": self._rubric})

    def grade_batch(self, scenarios: list[Scenario], responses: list[str]) -> list[Grade]:
        swapped = [self.as_constitution_scenario(s) for s in scenarios]
        grades = self.base.grade_batch(swapped, responses)
        return [g.model_copy(update={"grader": self.name}) for g in grades]
