"""Grade any response against the constitution instead of the scenario's own rubric.

The constitution's principles are applied uniformly as one global rubric; everything else — offline checks,
LLM judges, the degenerate-response gate, the scoring rule, caching — is the same engine that grades
per-scenario rubrics. So the constitution-reward arm differs from the trait arm in the reward's *criteria*
only, not in its machinery.
"""

from __future__ import annotations

from traitrl.constitution.document import Constitution, load_constitution
from traitrl.grading.grade import Grade, Grader
from traitrl.types import Scenario


class ConstitutionGrader:
    """Wraps a rubric grader (offline by default) and swaps in the constitution's rubric."""

    def __init__(self, constitution: Constitution | None = None, base: Grader | None = None) -> None:
        from traitrl.grading.api import default_grader

        self.constitution = constitution or load_constitution()
        self.base = base or default_grader()
        self._rubric = self.constitution.rubric()
        self.name = (f"constitution(name={self.constitution.name},version={self.constitution.version},"
                     f"base={self.base.name})")

    def as_constitution_scenario(self, scenario: Scenario) -> Scenario:
        return scenario.model_copy(update={"rubric": self._rubric})

    def grade_batch(self, scenarios: list[Scenario], responses: list[str]) -> list[Grade]:
        swapped = [self.as_constitution_scenario(s) for s in scenarios]
        grades = self.base.grade_batch(swapped, responses)
        return [g.model_copy(update={"grader": self.name}) for g in grades]
