"""Format checks: `word_count`, `bullet_count`, `numbered_steps`."""

from __future__ import annotations

import re

from traitrl.grading.checks.registry import CheckFn, check
from traitrl.text import words
from traitrl.types import Message

BULLET_PATTERN = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)])\s+\S", re.MULTILINE)
NUMBERED_PATTERN = re.compile(r"^\s*(?:step\s+)?(\d{1,2})[.):]\s+\S", re.MULTILINE | re.IGNORECASE)


def _bounds(lo: float | None, hi: float | None) -> None:
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"min ({lo}) exceeds max ({hi})")
    if (lo is not None and lo < 0) or (hi is not None and hi < 0):
        raise ValueError("bounds must be non-negative")


def _within(n: int, lo: float | None, hi: float | None) -> bool:
    return (lo is None or n >= lo) and (hi is None or n <= hi)


def word_count_of(text: str) -> int:
    return len(words(text))


@check("word_count")
def word_count(min: int | None = None, max: int | None = None) -> CheckFn:  # noqa: A002
    """The response has between `min` and `max` words (either bound optional)."""
    _bounds(min, max)

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        n = word_count_of(response)
        return _within(n, min, max), f"{n} words (bounds [{min}, {max}])"

    return run


@check("bullet_count")
def bullet_count(min: int | None = None, max: int | None = None) -> CheckFn:  # noqa: A002
    """The response has between `min` and `max` list items (bulleted or numbered lines)."""
    _bounds(min, max)

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        n = len(BULLET_PATTERN.findall(response))
        return _within(n, min, max), f"{n} list items (bounds [{min}, {max}])"

    return run


def longest_numbered_run(text: str) -> int:
    """Length of the longest run of consecutively numbered lines (1, 2, 3 ...)."""
    best = run = 0
    expected = None
    for m in NUMBERED_PATTERN.finditer(text):
        n = int(m.group(1))
        run = run + 1 if n == expected else (1 if n == 1 else 0)
        expected = n + 1
        best = max(best, run)
    return best


@check("numbered_steps")
def numbered_steps(min: int = 2) -> CheckFn:  # noqa: A002
    """The response lays out at least `min` consecutively numbered steps."""
    _bounds(min, None)

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        n = longest_numbered_run(response)
        return n >= min, f"{n} consecutive numbered steps (need {min})"

    return run
