"""The result of grading one response against one rubric, and the grader interface.

Every grader — offline checks, an LLM judge, the constitution grader — maps (scenario, response) to a
`Grade`: one `ItemGrade` per rubric item, and the score computed by `traitrl.grading.scoring`.
"""

from __future__ import annotations

import math
from typing import Protocol

from pydantic import BaseModel, Field

from traitrl.grading.scoring import score_by_tag, score_rubric
from traitrl.scenarios.schema import RubricItem, Scenario


class ItemGrade(BaseModel):
    criterion: str
    points: float
    tags: list[str] = Field(default_factory=list)
    met: bool | None
    evidence: str = ""
    credit: float | None = Field(default=None, description="Partial credit in [0, 1] (reward graders only).")


class Grade(BaseModel):
    scenario_id: str
    items: list[ItemGrade]
    grader: str

    @property
    def score(self) -> float:
        return score_rubric([i.points for i in self.items], [i.met for i in self.items])

    @property
    def partial_score(self) -> float:
        """The score with partial credit where the grader gave it (the RL reward); else `score`."""
        return score_rubric([i.points for i in self.items],
                            [i.credit if i.credit is not None and i.met is not None else i.met for i in self.items])

    @property
    def missing(self) -> int:
        return sum(i.met is None for i in self.items)

    def by_tag(self) -> dict[str, float]:
        return score_by_tag([i.points for i in self.items], [i.met for i in self.items],
                            [i.tags for i in self.items])

    def to_row(self) -> dict:
        s = self.score
        return {"scenario_id": self.scenario_id, "score": None if math.isnan(s) else s,
                "items": [i.model_dump(exclude={"tags", "credit"}) for i in self.items]}


def item_grade(item: RubricItem, met: bool | None, evidence: str = "") -> ItemGrade:
    return ItemGrade(criterion=item.criterion, points=item.points, tags=item.tags, met=met, evidence=evidence)


class Grader(Protocol):
    """Grades responses to scenarios; `name` records which grader (and arguments) produced a grade."""

    name: str

    def grade_batch(self, scenarios: list[Scenario], responses: list[str]) -> list[Grade]: ...
