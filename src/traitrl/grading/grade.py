"""The result of grading one response against one rubric, and the grader interface.

Every grader (the learned offline judge, rubric checks, an LLM judge, the constitution grader) maps
(scenario, response) to a `Grade`: one `ItemGrade` per rubric item, and the scores computed by
`traitrl.grading.scoring`. `score` is the strict score (verdicts), the held-out metric; `expected_score` uses
each item's P(met) where the grader gives one, the RL reward. Neither is clipped: means are (`mean_score`).
"""

from __future__ import annotations

import math
from typing import Protocol

from pydantic import BaseModel, Field

from traitrl.grading.scoring import rubric_score, score_by_tag
from traitrl.types import RubricItem, Scenario


class ItemGrade(BaseModel):
    criterion: str
    points: float
    tags: list[str] = Field(default_factory=list)
    met: bool | None
    evidence: str = ""
    probability: float | None = Field(default=None, description="P(met) from a probabilistic grader.")


class Grade(BaseModel):
    scenario_id: str
    items: list[ItemGrade]
    grader: str

    @property
    def score(self) -> float:
        """Strict score from the verdicts (unclipped; NaN when unscored)."""
        return rubric_score([i.points for i in self.items], [i.met for i in self.items])

    @property
    def expected_score(self) -> float:
        """Expected score under the grader's P(met) where given, else the strict verdicts: the RL reward."""
        return rubric_score([i.points for i in self.items],
                            [i.probability if i.probability is not None and i.met is not None else i.met
                             for i in self.items])

    @property
    def missing(self) -> int:
        return sum(i.met is None for i in self.items)

    def by_tag(self) -> dict[str, float]:
        return score_by_tag([i.points for i in self.items], [i.met for i in self.items],
                            [i.tags for i in self.items])

    def to_row(self) -> dict:
        s = self.score
        return {"scenario_id": self.scenario_id, "score": None if math.isnan(s) else s,
                "expected_score": None if math.isnan(e := self.expected_score) else e,
                "items": [i.model_dump(exclude={"tags"}) for i in self.items]}


def item_grade(item: RubricItem, met: bool | None, evidence: str = "", probability: float | None = None) -> ItemGrade:
    return ItemGrade(criterion=item.criterion, points=item.points, tags=item.tags, met=met, evidence=evidence,
                     probability=probability)


class Grader(Protocol):
    """Grades responses to scenarios; `name` records which grader (and arguments) produced a grade."""

    name: str

    def grade_batch(self, scenarios: list[Scenario], responses: list[str]) -> list[Grade]: ...
