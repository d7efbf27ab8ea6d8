"""Pattern checks over the response text: `regex` and `contradicts`.

`contradicts` lets a rubric name a fact given in the scenario and the regular expressions that would assert
its opposite. A match only counts when the sentence holding it does not negate or retract it ("I said the
trial showed 40% remission, but that was wrong" mentions the claim in order to withdraw it).
"""

from __future__ import annotations

import re

from traitrl.grading.checks.lexicons import fold, lexicon_pattern, normalise
from traitrl.grading.checks.registry import CheckFn, check
from traitrl.types import Message

SENTENCE_PATTERN = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
NEGATION_BEFORE_PATTERN = re.compile(
    r"\b(?:not|no|never|isn't|wasn't|aren't|weren't|doesn't|didn't|don't|cannot|can't|won't|wouldn't|"
    r"shouldn't|couldn't|rather not|nor|neither|"
    r"false(?:ly)?|wrong(?:ly)?|incorrect(?:ly)?|mistaken(?:ly)?|claimed|said|stated|suggested)\b"
    r"(?:\W+\w+){0,3}\W*$", re.IGNORECASE)


def compile_pattern(pattern: str, what: str = "pattern") -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as e:
        raise ValueError(f"invalid regular expression {what} {pattern!r}: {e}") from None


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_PATTERN.findall(text) if s.strip()]


@check("regex")
def regex(pattern: str) -> CheckFn:
    """The (case-insensitive) regular expression matches somewhere in the response."""
    compiled = compile_pattern(pattern)

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        m = compiled.search(normalise(response))
        return (True, f"regex matched {m.group(0)!r}") if m else (False, "regex: no match")

    return run


@check("contradicts")
def contradicts(fact: str, patterns: list[str]) -> CheckFn:
    """The response asserts something contradicting `fact`: one of `patterns` matches, un-negated."""
    if not patterns:
        raise ValueError("patterns must list at least one regular expression")
    compiled = [compile_pattern(p) for p in patterns]
    retraction = lexicon_pattern("retraction")

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        for sentence in sentences(normalise(response)):
            if retraction.search(fold(sentence)):
                continue
            for pat in compiled:
                m = pat.search(sentence)
                if m and not NEGATION_BEFORE_PATTERN.search(sentence[: m.start()]):
                    return True, f"contradicts fact {fact!r}: {m.group(0)!r} in {sentence[:160]!r}"
        return False, f"no assertion contradicting {fact!r}"

    return run
