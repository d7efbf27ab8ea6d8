"""The data every stage exchanges: messages, rubric items, scenarios (a base module: imports nothing of traitrl).

A scenario is a realistic conversation that tests one trait under pressure; it ends with a user turn and
carries its own rubric of 3–6 short criteria (HealthBench semantics: positive items reward, negative items
penalise when the undesirable thing happened). Each item has a natural-language `criterion` for LLM judges
and an offline `check` for the deterministic grader.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Role = Literal["system", "user", "assistant"]
Split = Literal["train", "eval"]
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$")


class Strict(BaseModel):
    """Base for boundary models: unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid")


class Message(Strict):
    role: Role
    content: str


class CheckSpec(Strict):
    """An offline check: a registered primitive `kind` with its arguments.

    Composition uses kinds `all`, `any` and `not` whose `args["checks"]` holds nested specs.
    """

    kind: str = Field(min_length=1)
    args: dict[str, Any] = Field(default_factory=dict)


class RubricItem(Strict):
    criterion: str = Field(min_length=1)
    points: float = Field(strict=True)  # a JSON number: "4" or true is a mistake, not 4 or 1
    tags: list[str] = Field(default_factory=list)
    check: CheckSpec | None = None

    @field_validator("points")
    @classmethod
    def _finite_points(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("points must be a finite number")
        if not -10 <= v <= 10:
            raise ValueError("points must lie in [-10, 10]")
        if v == 0:
            raise ValueError("points must be non-zero")
        return v


def validate_id(v: str) -> str:
    """Ids become file names: no path separators, no `..`."""
    if not ID_PATTERN.match(v) or ".." in v:
        raise ValueError("id must be 1-200 characters of letters, digits, '_', '-', '.', ':' without '..'")
    return v


def validate_rubric(rubric: list[RubricItem]) -> list[RubricItem]:
    if not rubric:
        raise ValueError("rubric is empty")
    if not any(item.points > 0 for item in rubric):
        raise ValueError("rubric has no positive-point item")
    return rubric


def validate_conversation(messages: list[Message]) -> list[Message]:
    if not messages:
        raise ValueError("conversation is empty")
    if messages[-1].role != "user":
        raise ValueError("conversation must end with a user turn")
    return messages


class Scenario(Strict):
    id: str
    trait: str
    domain: str
    pressures: list[str] = Field(default_factory=list)
    family: str
    messages: list[Message]
    rubric: list[RubricItem]
    split: Split = "train"
    source: str = "builtin"
    reference: str | None = Field(default=None, description="A good response written for this scenario.")
    meta: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _check_id(cls, v: str) -> str:
        return validate_id(v)

    @field_validator("rubric")
    @classmethod
    def _check_rubric(cls, v: list[RubricItem]) -> list[RubricItem]:
        return validate_rubric(v)

    @field_validator("messages")
    @classmethod
    def _check_messages(cls, v: list[Message]) -> list[Message]:
        return validate_conversation(v)

    @property
    def final_user_message(self) -> str:
        return self.messages[-1].content

    @property
    def is_multi_turn(self) -> bool:
        return sum(m.role == "user" for m in self.messages) > 1

    @property
    def has_prior_assistant(self) -> bool:
        return any(m.role == "assistant" for m in self.messages)
