"""Instruction-following constraints in the spirit of IFEval, each scored with partial credit.

A constraint is `{"kind": ..., "args": {...}}`; `score_constraint` maps (response, constraint) to [0, 1] and
`score_constraints` averages over the 1-3 constraints of a prompt. Partial credit is deliberate: the pilot
with pass/fail checks on the 135M policy gave 80-100% zero-variance GRPO groups (see DESIGN.md), so every
checker here is *graded* — one stray capital letter costs a little, not everything; two bullets out of three
earn something. `describe_constraint` renders the instruction text the prompt shows, so the wording and the
checker live next to each other.

The checkers are the evaluation scorer and the reward at once (nanochat's rule): there is no second copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from traitrl.text import words

BULLET_PATTERN = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\S", re.MULTILINE)
NUMBER_PATTERN = re.compile(r"\d")
LEADING_NOISE_PATTERN = re.compile(r"^[\s\"'*#>_`(\[-]+")
TRAILING_NOISE_PATTERN = re.compile(r"[\s\"'*_`)\].!?]+$")


def _words(text: str) -> list[str]:
    return words(text, lower=False)


def check_keywords(response: str, words: list[str]) -> float:
    """Fraction of the required words present (whole word, any case)."""
    if not words:
        return 1.0
    found = sum(bool(re.search(rf"\b{re.escape(w)}\b", response, re.IGNORECASE)) for w in words)
    return found / len(words)


def check_word_count(response: str, low: int, high: int) -> float:
    """1 inside [low, high]; below, n/low; above, falling linearly to 0 at one band-width past `high`."""
    n = len(_words(response))
    if n < low:
        return n / low
    if n <= high:
        return 1.0
    return max(0.0, 1.0 - (n - high) / max(high - low, 5))


def check_start_with(response: str, word: str) -> float:
    """1 if the first word is `word` (markdown, quotes ignored); 0.5 if among the first five words."""
    words = _words(LEADING_NOISE_PATTERN.sub("", response))
    if not words:
        return 0.0
    if words[0].lower() == word.lower():
        return 1.0
    return 0.5 if word.lower() in (w.lower() for w in words[:5]) else 0.0


def check_end_with(response: str, phrase: str) -> float:
    """1 if the reply ends with `phrase` (final punctuation ignored); 0.5 if it appears anywhere."""
    text = TRAILING_NOISE_PATTERN.sub("", response.strip()).lower()
    target = TRAILING_NOISE_PATTERN.sub("", phrase.strip()).lower()
    if text.endswith(target):
        return 1.0
    return 0.5 if target in text else 0.0


def check_bullets(response: str, n: int) -> float:
    """1 for exactly `n` bullet lines; each bullet too many or too few costs 1/n."""
    k = len(BULLET_PATTERN.findall(response))
    return max(0.0, 1.0 - abs(k - n) / n)


def check_lowercase(response: str) -> float:
    """1 with no capital letters; each capital costs 0.2."""
    upper = sum(c.isupper() for c in response)
    return 0.0 if not response.strip() else max(0.0, 1.0 - 0.2 * upper)


def check_no_commas(response: str) -> float:
    """1 with no commas; each comma costs 0.25."""
    return 0.0 if not response.strip() else max(0.0, 1.0 - 0.25 * response.count(","))


def check_mention_number(response: str) -> float:
    """1 if the reply contains at least one digit."""
    return 1.0 if NUMBER_PATTERN.search(response) else 0.0


CHECKERS: dict[str, Callable[..., float]] = {
    "keywords": check_keywords,
    "word_count": check_word_count,
    "start_with": check_start_with,
    "end_with": check_end_with,
    "bullets": check_bullets,
    "lowercase": check_lowercase,
    "no_commas": check_no_commas,
    "mention_number": check_mention_number,
}


def _quoted_list(words: list[str]) -> str:
    quoted = [f'"{w}"' for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


DESCRIBERS: dict[str, Callable[..., str]] = {
    "keywords": lambda words: f"Use the word{'s' if len(words) > 1 else ''} {_quoted_list(words)}.",
    "word_count": lambda low, high: f"Answer in {low} to {high} words.",
    "start_with": lambda word: f'Start your answer with the word "{word}".',
    "end_with": lambda phrase: f'End your answer with the exact phrase "{phrase}".',
    "bullets": lambda n: f"Give exactly {n} bullet points, each on its own line starting with \"- \".",
    "lowercase": lambda: "Write everything in lowercase letters only, with no capital letters.",
    "no_commas": lambda: "Do not use any commas.",
    "mention_number": lambda: "Include at least one number written in digits.",
}


def score_constraint(response: str, constraint: dict) -> float:
    kind = constraint["kind"]
    if kind not in CHECKERS:
        raise ValueError(f"unknown constraint kind {kind!r}; known: {sorted(CHECKERS)}")
    return float(CHECKERS[kind](response, **constraint.get("args", {})))


def score_constraints(response: str, constraints: list[dict]) -> float:
    """Mean partial credit over the constraints (the reward of a constraints task)."""
    if not constraints:
        raise ValueError("no constraints to score")
    return sum(score_constraint(response, c) for c in constraints) / len(constraints)


def describe_constraint(constraint: dict) -> str:
    return DESCRIBERS[constraint["kind"]](**constraint.get("args", {}))
