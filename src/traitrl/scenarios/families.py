"""Template families and how one is rendered into a concrete `Scenario`.

A family is (trait, opening, pressure, mode) within one split; eval families use eval-only openings and
eval-only pressure wording, so no held-out scenario shares a template with training. Rendering draws the
people, figures, dates and subject for one scenario from a seeded `random.Random`, fills the templates (the
first assistant reply of a multi-turn family is the trait's own `first_pass`), and assembles the rubric: two
trait items, one pressure item, the trait's negative item, the pressure's negative item and a blanket-refusal
penalty (six items, three positive, each anchored on the scenario's own names or figures).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from traitrl.scenarios.banks import BANKS, DEADLINES, FAKE_AUTHORS, FIRST_NAMES, JOURNALS, SURNAMES
from traitrl.scenarios.mistakes import MISTAKE_SPECS
from traitrl.scenarios.pressure_specs import PRESSURE_SPECS
from traitrl.scenarios.specs import PressureSpec, TraitSpec, blanket_refusal_item
from traitrl.scenarios.traits_eval import EVAL_TRAIT_SPECS
from traitrl.scenarios.traits_train import TRAIN_ONLY_SPECS
from traitrl.types import Message, Scenario

TRAIT_SPECS: dict[str, TraitSpec] = {s.trait: s for s in EVAL_TRAIT_SPECS + TRAIN_ONLY_SPECS}
SCHOOLS = ["Oxford", "Stanford", "Harvard", "Cambridge", "Yale", "Princeton"]
# The openings that ask to choose between {other} and {party_b}: the only ones a biased comparison of the
# two can follow (split, trait, opening index).
BIAS_OPENINGS = {("train", "universalizable_fairness", 0), ("train", "universalizable_fairness", 2),
                 ("eval", "universalizable_fairness", 0)}


@dataclass(frozen=True)
class Family:
    """One template family; `id` is stable and names the split, so train and eval never share one."""

    split: str
    trait: str
    opening: int
    pressure: str
    mode: str  # "single", "multi" or a prior-mistake kind

    @property
    def id(self) -> str:
        return f"{self.split}.{self.trait}.o{self.opening}.{self.pressure}.{self.mode}"

    @property
    def is_mistake(self) -> bool:
        return self.pressure == "prior_mistake"


def mistake_kinds(trait: str, split: str = "train", opening: int = 0) -> list[str]:
    if (split, trait, opening) in BIAS_OPENINGS:
        return ["biased_judgement", "fabricated_citation", "overconfident_claim"]
    if trait == "universalizable_fairness":  # a selection rule has no risky rollout to suggest
        return ["fabricated_citation", "overconfident_claim"]
    return ["fabricated_citation", "overconfident_claim", "unsafe_suggestion"]


def families_for(trait: str, split: str) -> list[Family]:
    """Every family of one trait in one split (eval families exist only for traits with eval openings)."""
    spec = TRAIT_SPECS[trait]
    openings = spec.train_openings if split == "train" else spec.eval_openings
    out: list[Family] = []
    for o in range(len(openings)):
        for p in PRESSURE_SPECS:
            out += [Family(split, trait, o, p, "single"), Family(split, trait, o, p, "multi")]
        out += [Family(split, trait, o, "prior_mistake", k) for k in mistake_kinds(trait, split, o)]
    return out


def draw_slots(rng: random.Random, domain: str) -> dict[str, Any]:
    """People, figures, dates and the subject for one scenario."""
    s = rng.choice(BANKS[domain])
    firsts = rng.sample(FIRST_NAMES, 3)
    surnames = rng.sample(SURNAMES, 2)
    num, num2 = rng.sample(range(120, 990), 2)
    slots: dict[str, Any] = dict(s._asdict())
    slots.update(
        user=firsts[0], user_first=firsts[0], other=f"{firsts[1]} {surnames[0]}", other_first=firsts[1],
        surname=surnames[0], party_b=f"{firsts[2]} {surnames[1]}", party_b_first=firsts[2],
        surname_b=surnames[1], num=num, num2=num2, deadline=rng.choice(DEADLINES), title=s.boss,
        fake=rng.choice(FAKE_AUTHORS), journal=rng.choice(JOURNALS[domain]), year=rng.randint(2012, 2022),
        pct=rng.randint(18, 64), school=rng.choice(SCHOOLS),
    )
    slots["noticer"] = slots["other"]  # who spots an earlier mistake (a trait may override it)
    for name in ("title", "thing", "safe_step", "weak", "study", "noticer"):
        slots[f"{name}_cap"] = _cap(slots[name])
    return slots


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _pressure_spec(family: Family) -> PressureSpec:
    return MISTAKE_SPECS[family.mode] if family.is_mistake else PRESSURE_SPECS[family.pressure]


def render(family: Family, domain: str, rng: random.Random, scenario_id: str) -> Scenario:
    """Fill one family with freshly drawn slots."""
    spec, pspec = TRAIT_SPECS[family.trait], _pressure_spec(family)
    slots = draw_slots(rng, domain)
    overrides = {name: value.format(**slots) for name, value in spec.slot_overrides.items()}
    slots.update(overrides)
    slots.update({f"{name}_cap": _cap(slots[name]) for name in overrides})
    wording = family.split
    openings = spec.train_openings if wording == "train" else spec.eval_openings
    template = openings[family.opening]
    opening = template.format(**slots)
    if family.mode == "single":
        # An opening that already names the deadline gets the pressure wording that doesn't repeat it.
        known = f"{wording}:known"
        inline = pspec.inline[known] if "{deadline}" in template and known in pspec.inline else pspec.inline[wording]
        messages = [Message(role="user", content=f"{opening} {inline.format(**slots)}")]
    else:
        first = pspec.extra[wording] if family.is_mistake else spec.first_pass[wording]
        messages = [Message(role="user", content=opening),
                    Message(role="assistant", content=first.format(**slots)),
                    Message(role="user", content=pspec.followup[wording].format(**slots))]
    rubric = [item.render(slots, family.trait) for item in spec.core]
    rubric.append(pspec.item.render(slots, family.trait))
    rubric.append(spec.negative.render(slots, family.trait))
    rubric.append(pspec.negative.render(slots, family.trait))
    rubric.append(blanket_refusal_item(slots, family.trait))
    core_ref = spec.reference_for(family.split, family.opening).format(**slots)
    p_ref = pspec.reference.format(**slots)
    reference = f"{p_ref}\n\n{core_ref}" if family.is_mistake else f"{core_ref}\n\n{p_ref}"
    meta: dict[str, Any] = {"mode": "multi" if family.mode != "single" else "single", "subject": slots["key"],
                            "anchors": {k: slots[k] for k in ("surname", "num", "key")}}
    if family.is_mistake:
        meta["mistake"] = family.mode
    return Scenario(id=scenario_id, trait=family.trait, domain=domain, pressures=[family.pressure],
                    family=family.id, messages=messages, rubric=rubric, split=family.split, source="builtin",
                    reference=reference, meta=meta)
