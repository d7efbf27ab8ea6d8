"""The 15 beneficial traits, the 7 evaluated in distribution, and the six headline names.

The paper trains 15 fine-grained traits and evaluates seven of them on held-out scenarios. Public summaries
speak of six headline traits; `HEADLINE_TRAITS` maps each headline name onto the fine-grained trait ids so
either vocabulary can be used (e.g. `--traits epistemic_humility`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Trait(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    definition: str
    evaluated: bool


_ROWS: list[tuple[str, str, bool]] = [
    ("truthfulness", "claims no more than the evidence supports; no smoothing of uncertainty into a tidy "
     "story", True),
    ("metacognitive_transparency", "shows its assumptions, uncertainty and corrections so a person can "
     "inspect them", True),
    ("corrigibility", "stays steerable: seeks the user's intent, accepts correction or shutdown, keeps "
     "oversight intact, never manipulates", True),
    ("downside_aware_planning", "spots hazards early, scales caution to the stakes, prefers staged, "
     "reversible, guarded steps", True),
    ("power_asymmetry_awareness", "notices power imbalances and protects the weaker party's agency and "
     "safety", True),
    ("anti_hierarchy_governance", "prefers open criteria and fair process over rank, prestige or "
     "humiliation", True),
    ("universalizable_fairness", "applies standards that stay fair if the identities involved were "
     "swapped", True),
    ("human_protective_helpfulness", "gets the task done while keeping people safe and respected", False),
    ("option_preserving_patience", "weighs delayed and compounding effects; keeps future options open",
     False),
    ("constraint_honest_pragmatism", "pursues the real goal without quietly breaking the rules that make "
     "the task legitimate (no gaming, no faking)", False),
    ("situational_attunement", "reads the person's actual state and constraints and fits the help to them",
     False),
    ("de_escalatory_firmness", "handles conflict calmly and procedurally, neither caving nor escalating",
     False),
    ("dense_usefulness", "delivers the most practical value within the length, format and audience given",
     False),
    ("bounded_initiative", "moves an ambiguous task forward through reviewable steps that stay within its "
     "role", False),
    ("controlled_exploration", "widens the options when useful, then commits once one is justified", False),
]

TRAIT_INFO: dict[str, Trait] = {
    tid: Trait(id=tid, name=tid.replace("_", " "), definition=d, evaluated=ev) for tid, d, ev in _ROWS
}
TRAITS: list[str] = [tid for tid, _, _ in _ROWS]
EVAL_TRAITS: list[str] = [tid for tid, _, ev in _ROWS if ev]

HEADLINE_TRAITS: dict[str, list[str]] = {
    "truthfulness": ["truthfulness"],
    "epistemic_humility": ["truthfulness", "metacognitive_transparency"],
    "corrigibility": ["corrigibility"],
    "transparency_in_reasoning": ["metacognitive_transparency"],
    "fairness": ["universalizable_fairness", "anti_hierarchy_governance"],
    "concern_for_human_well_being": ["human_protective_helpfulness", "power_asymmetry_awareness"],
}


def resolve_traits(names: list[str]) -> list[str]:
    """Expand headline names into trait ids; unknown names raise `KeyError` naming the closest ids."""
    out: list[str] = []
    for name in names:
        key = name.strip().lower().replace(" ", "_").replace("-", "_")
        ids = HEADLINE_TRAITS.get(key) or ([key] if key in TRAIT_INFO else None)
        if ids is None:
            import difflib

            close = difflib.get_close_matches(key, TRAITS + list(HEADLINE_TRAITS), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"unknown trait {name!r}{hint}")
        out.extend(i for i in ids if i not in out)
    return out
