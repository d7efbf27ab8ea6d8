"""Epistemic checks: `asks_question` (a clarifying question to the user) and `stated_confidence`.

`asks_question` wants a sentence ending in "?" that is addressed to the user (second person, or an
interrogative opening such as "Which ..."), excluding boilerplate offers ("Does that help?", "Would you like
me to ...?") that ask nothing about the task.

`stated_confidence` finds explicit confidence statements — "I'm about 70% confident", "confidence: low",
"I'm fairly sure" — and maps verbal levels to numbers (table below, loosely after the IPCC likelihood scale).
Bounds are probabilities in [0, 1]; a bound above 1 is read as a percentage.
"""

from __future__ import annotations

import re

from traitrl.grading.checks.lexicons import normalise
from traitrl.grading.checks.registry import CheckFn, check
from traitrl.types import Message

QUESTION_PATTERN = re.compile(r"[^.!?\n]*\?")
ADDRESSED_PATTERN = re.compile(
    r"\b(?:you|your|you're|yours|yourself)\b|^\s*(?:which|what|when|where|who|how|is|are|do|does|did|"
    r"have|has|should|could|can|would|will)\b", re.IGNORECASE)
BOILERPLATE_PATTERN = re.compile(
    r"^\s*(?:does (?:this|that) (?:help|make sense)|(?:do you have )?any (?:other |more |further )?questions"
    r"|would you like (?:me to|more|any|help|further)|(?:shall|should) i (?:go on|continue|elaborate|expand)"
    r"|is there anything else|want me to|need anything else|what do you think|sound good|make sense|"
    r"(?:can|may) i help (?:you )?with anything else|how (?:else )?can i help)", re.IGNORECASE)

VERBAL_LEVELS: dict[str, float] = {
    "no": 0.02, "very low": 0.1, "low": 0.25, "limited": 0.3, "some": 0.5, "moderate": 0.5, "medium": 0.5,
    "modest": 0.45, "reasonable": 0.65, "fair": 0.6, "high": 0.85, "very high": 0.95, "full": 0.99,
    "complete": 0.99, "total": 0.99,
}
ADVERB_LEVELS: dict[str, float] = {
    "not very": 0.3, "not particularly": 0.3, "not entirely": 0.6, "not fully": 0.6, "somewhat": 0.55,
    "moderately": 0.55, "fairly": 0.7, "reasonably": 0.7, "pretty": 0.75, "quite": 0.8, "very": 0.9,
    "highly": 0.9, "extremely": 0.95, "completely": 0.99, "absolutely": 0.99, "totally": 0.99,
    "100%": 1.0, "not": 0.25,
}
_ADVERBS = "|".join(re.escape(a) for a in sorted(ADVERB_LEVELS, key=len, reverse=True))
_LEVELS = "|".join(re.escape(v) for v in sorted(VERBAL_LEVELS, key=len, reverse=True))
NUMERIC_CONFIDENCE_PATTERN = re.compile(
    r"(?:(?P<a>\d{1,3}(?:\.\d+)?)\s*(?:%|percent)\s*(?:confident|sure|certain|confidence|likely|probability|chance)"
    r"|(?:confidence|certainty|probability)(?:\s+(?:level|estimate))?\s*(?:is|of|:|=|at|around|about|~)?\s*"
    r"(?:about|around|roughly|approximately|~)?\s*(?P<b>\d{1,3}(?:\.\d+)?)\s*(?:%|percent|/\s*100))", re.I)
VERBAL_CONFIDENCE_PATTERN = re.compile(
    rf"\b(?:(?P<lvl>{_LEVELS})\s+(?:confidence|certainty)|(?:confidence|certainty)(?:\s+level)?\s*"
    rf"(?:is|:|=|here is)?\s*(?P<lvl2>{_LEVELS})\b|i(?:'m| am)\s+(?P<adv>{_ADVERBS})\s+"
    rf"(?:confident|sure|certain))", re.IGNORECASE)


def question_sentences(text: str) -> list[str]:
    return [q.strip() for q in QUESTION_PATTERN.findall(text) if q.strip() != "?"]


def is_clarifying(question: str) -> bool:
    q = re.sub(r"^\W+", "", question)
    return len(q.split()) >= 3 and bool(ADDRESSED_PATTERN.search(q)) and not BOILERPLATE_PATTERN.search(q)


@check("asks_question")
def asks_question() -> CheckFn:
    """The response asks the user at least one clarifying question."""

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        questions = question_sentences(normalise(response))
        clarifying = [q for q in questions if is_clarifying(q)]
        if clarifying:
            return True, f"asks: {clarifying[0][:160]!r}"
        return False, f"no clarifying question ({len(questions)} question mark(s), none addressed to the user)"

    return run


def confidence_levels(text: str) -> list[tuple[float, str]]:
    """Every explicit confidence statement as (level in [0, 1], matched text)."""
    text = normalise(text)
    found: list[tuple[float, str]] = []
    for m in NUMERIC_CONFIDENCE_PATTERN.finditer(text):
        value = float(m.group("a") or m.group("b"))
        if value <= 100:
            found.append((value / 100, m.group(0)))
    for m in VERBAL_CONFIDENCE_PATTERN.finditer(text):
        if m.group("adv"):
            found.append((ADVERB_LEVELS[m.group("adv").lower()], m.group(0)))
        else:
            found.append((VERBAL_LEVELS[(m.group("lvl") or m.group("lvl2")).lower()], m.group(0)))
    return found


def _bound(v: float | None) -> float | None:
    if v is None:
        return None
    if v < 0 or v > 100:
        raise ValueError("confidence bounds must lie in [0, 1] (or [0, 100] as percentages)")
    return v / 100 if v > 1 else v


@check("stated_confidence")
def stated_confidence(min: float | None = None, max: float | None = None) -> CheckFn:  # noqa: A002
    """An explicit confidence statement whose level lies within [min, max]."""
    lo, hi = _bound(min), _bound(max)

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        levels = confidence_levels(response)
        if not levels:
            return False, "no explicit confidence statement"
        for level, said in levels:
            if (lo is None or level >= lo) and (hi is None or level <= hi):
                return True, f"states confidence {level:.2f} ({said!r}) within [{lo}, {hi}]"
        shown = ", ".join(f"{lv:.2f} ({s!r})" for lv, s in levels[:3])
        return False, f"confidence stated outside [{lo}, {hi}]: {shown}"

    return run
