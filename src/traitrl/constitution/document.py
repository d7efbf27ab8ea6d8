"""A constitution as data: a named, versioned list of principles, validated like every other input.

Each principle becomes one global rubric item (its `criterion`, `points` and `check`), tagged with the traits
it covers, so the constitution grader is the ordinary grading engine applied to a fixed rubric.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator

from traitrl.errors import InputError
from traitrl.files import load_yaml_model, read_yaml
from traitrl.types import CheckSpec, RubricItem, Strict, validate_rubric

BUILTIN_CONSTITUTION = Path(__file__).with_name("constitution.yaml")


class Principle(Strict):
    id: str = Field(min_length=1)
    text: str = Field(min_length=10)
    traits: list[str] = Field(min_length=1)
    criterion: str = Field(min_length=5)
    points: float
    check: CheckSpec | None = None

    @field_validator("traits")
    @classmethod
    def _known_traits(cls, v: list[str]) -> list[str]:
        from traitrl.catalog.traits import TRAITS

        unknown = [t for t in v if t not in TRAITS]
        if unknown:
            raise ValueError(f"unknown trait {unknown[0]!r}")
        return v

    def as_rubric_item(self) -> RubricItem:
        return RubricItem(criterion=self.criterion, points=self.points, tags=["constitution", *self.traits],
                          check=self.check)


class Constitution(Strict):
    name: str = Field(min_length=1)
    version: str = "1"
    principles: list[Principle] = Field(min_length=1)

    @field_validator("principles")
    @classmethod
    def _valid_principles(cls, v: list[Principle]) -> list[Principle]:
        ids = [p.id for p in v]
        if len(set(ids)) != len(ids):
            raise ValueError("principle ids are not unique")
        validate_rubric([p.as_rubric_item() for p in v])
        return v

    def rubric(self) -> list[RubricItem]:
        return [p.as_rubric_item() for p in self.principles]

    def covered_traits(self) -> set[str]:
        return {t for p in self.principles for t in p.traits}


@lru_cache(maxsize=8)
def load_constitution(path: str | None = None) -> Constitution:
    """The built-in constitution, or a user file (`--constitution FILE`)."""
    path = path or str(BUILTIN_CONSTITUTION)
    if not read_yaml(path):
        raise InputError("constitution is empty: it needs a name and at least one principle", file=path)
    return load_yaml_model(path, Constitution)
