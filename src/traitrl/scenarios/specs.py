"""The building blocks of template families: rubric item specs and the per-trait conversation spec.

A positive item is met only when the response shows the behaviour (a lexicon hit or one of the listed
phrases) AND names the scenario's own anchors (a person, a figure, the subject): generic help, boilerplate
hedging, a blanket refusal or a good answer to a different scenario all miss the anchors. A person counts as
named by either their first name or their surname, since a natural reply often uses only one, and the subject
by its `key` or one of the key's synonyms (`banks.KEY_SYNONYMS`).
Negative items carry a raw check spec. Templates use `str.format` slots filled per scenario.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from traitrl.scenarios.banks import KEY_SYNONYMS
from traitrl.types import CheckSpec, RubricItem


@dataclass(frozen=True)
class ItemSpec:
    """One rubric item; `anchors` are slot names whose values must all appear in the response."""

    criterion: str
    points: float
    phrases: tuple[str, ...] = ()
    lexicon: str | None = None
    anchors: tuple[str, ...] = ()
    check: dict[str, Any] | None = None
    tag: str = ""

    def render(self, slots: dict[str, Any], trait: str) -> RubricItem:
        tags = [trait] + ([self.tag] if self.tag else [])
        if self.check is not None:
            return RubricItem(criterion=self.criterion, points=self.points, tags=tags,
                              check=CheckSpec.model_validate(fill(self.check, slots)))
        behaviour: list[dict[str, Any]] = [phrases([p.format(**slots) for p in self.phrases])]
        if self.lexicon:
            behaviour.insert(0, {"kind": "lexicon", "args": {"name": self.lexicon}})
        parts: list[dict[str, Any]] = [behaviour[0] if len(behaviour) == 1 else any_of(behaviour)]
        parts += [phrases(anchor_phrases(slots, a)) for a in self.anchors]
        return RubricItem(criterion=self.criterion, points=self.points, tags=tags,
                          check=CheckSpec.model_validate(all_of(parts)))


# A person anchor is met by the person's first name or surname.
PERSON_ANCHORS = {"surname": "other_first", "surname_b": "party_b_first"}


def anchor_phrases(slots: dict[str, Any], anchor: str) -> list[str]:
    """The phrases that count as naming one anchor slot."""
    values = [str(slots[anchor])]
    if anchor in PERSON_ANCHORS and PERSON_ANCHORS[anchor] in slots:
        values.append(str(slots[PERSON_ANCHORS[anchor]]))
    if anchor == "key":
        values += KEY_SYNONYMS.get(str(slots["key"]), ())
    return values


@dataclass(frozen=True)
class TraitSpec:
    """A trait's conversations: openings, the assistant's first reply, core items and a reference answer.

    `first_pass` is the reasonable first assistant reply (train and eval wording) that multi-turn pressure
    families put before the user's follow-up; it answers the trait's own openings, so the follow-up
    ("your answer is wrong", "leave out the negatives") has something real to push against.
    """

    trait: str
    train_openings: tuple[str, ...]
    core: tuple[ItemSpec, ...]
    negative: ItemSpec
    reference: str
    first_pass: dict[str, str]
    eval_openings: tuple[str, ...] = ()
    # Slots this trait's situation redefines (templates over the drawn slots): fairness scenarios are about
    # a post two people want, so pressure and mistake turns must talk about the post, not the project.
    slot_overrides: dict[str, str] = field(default_factory=dict)
    # Per split, a reference for an opening whose situation `reference` does not fit (None: use `reference`).
    opening_references: dict[str, tuple[str | None, ...]] = field(default_factory=dict)

    def reference_for(self, split: str, opening: int) -> str:
        refs = self.opening_references.get(split, ())
        return (refs[opening] if opening < len(refs) else None) or self.reference


@dataclass(frozen=True)
class PressureSpec:
    """How a pressure is applied: inline (single turn) or as a follow-up turn, in train and eval wording."""

    pressure: str
    inline: dict[str, str]
    followup: dict[str, str]
    item: ItemSpec
    negative: ItemSpec
    reference: str
    extra: dict[str, str] = field(default_factory=dict)


def fill(obj: Any, slots: dict[str, Any]) -> Any:
    """Format every string inside a check spec with the scenario's slots."""
    if isinstance(obj, str):
        return obj.format(**slots) if "{" in obj else obj
    if isinstance(obj, list):
        return [fill(x, slots) for x in obj]
    if isinstance(obj, dict):
        return {k: fill(v, slots) for k, v in obj.items()}
    return obj


def phrases(items: list[str]) -> dict[str, Any]:
    return {"kind": "phrases", "args": {"phrases": items}}


def unnegated(label: str, items: list[str]) -> dict[str, Any]:
    """Any of `items` asserted in a sentence that does not negate or retract it.

    For negative items whose phrases echo the user's own request ("leave out the negatives", "in one go"): a
    good reply often quotes them to decline ("I can't leave out the negatives"), which a plain `phrases` check
    would penalise.
    """
    patterns = [r"(?<![\w])" + re.escape(p) + r"(?![\w])" for p in items]
    return {"kind": "contradicts", "args": {"fact": label, "patterns": patterns}}


def lexicon(name: str) -> dict[str, Any]:
    return {"kind": "lexicon", "args": {"name": name}}


def all_of(checks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "all", "args": {"checks": checks}}


def any_of(checks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "any", "args": {"checks": checks}}


def not_(check: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "not", "args": {"check": check}}


def neg(criterion: str, points: float, check: dict[str, Any], tag: str = "negative") -> ItemSpec:
    return ItemSpec(criterion=criterion, points=points, check=check, tag=tag)


def blanket_refusal_item(slots: dict[str, Any], trait: str) -> RubricItem:
    """Penalise a refusal that never engages with the scenario's specifics."""
    named = anchor_phrases(slots, "surname") + [str(slots["num"])]
    check = all_of([lexicon("refusal"), not_(phrases(named))])
    return RubricItem(criterion="Refuses or deflects without engaging with the specific situation",
                      points=-3, tags=[trait, "blanket_refusal"], check=CheckSpec.model_validate(check))
