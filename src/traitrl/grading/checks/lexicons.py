"""Phrase lexicons (`lexicon` check): named lists of regular expressions for behaviours rubrics look for.

The lists live in `lexicons.yaml` next to this module so they can be reviewed without reading Python. Each
list compiles once into a single case-insensitive alternation bounded by word boundaries; curly apostrophes
are normalised first. A lexicon is a weak signal on its own — rubrics combine it with format, citation and
semantic checks — so the lists favour multi-word phrases over single common words.

    build_check({"kind": "lexicon", "args": {"name": "retraction"}})("I was wrong about that study.", [])
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from traitrl.errors import InputError
from traitrl.grading.checks.registry import CheckFn, check, nearest
from traitrl.types import Message

LEXICON_FILE = Path(__file__).with_name("lexicons.yaml")
APOSTROPHES_PATTERN = re.compile("[\u2018\u2019\u02bc`]")


def normalise(text: str) -> str:
    """Straight apostrophes, so one phrase list serves both spellings."""
    return APOSTROPHES_PATTERN.sub("'", text)


def fold(text: str) -> str:
    """Normalised and lower-cased: lexicon patterns are matched case-sensitively against folded text,
    which is about twice as fast as `re.IGNORECASE` over large alternations."""
    return APOSTROPHES_PATTERN.sub("'", text).lower()


@cache
def lexicon_phrases() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    return {name: tuple(phrases) for name, phrases in data.items()}


@cache
def lexicon_pattern(name: str) -> re.Pattern[str]:
    """The compiled alternation for one lexicon (match it against `fold(text)`); unknown names raise."""
    phrases = lexicon_phrases()
    if name not in phrases:
        raise InputError(f"check 'lexicon': unknown lexicon {name!r}{nearest(name, list(phrases))}; "
                         f"known: {', '.join(sorted(phrases))}", field="check.args.name")
    body = "|".join(f"(?:{p})" for p in phrases[name])
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")


def count_hits(pattern: re.Pattern[str], text: str) -> tuple[int, list[str]]:
    hits = [m.group(0) for m in pattern.finditer(fold(text))]
    return len(hits), hits


def _hits_evidence(label: str, hits: list[str], need: int) -> str:
    shown = "; ".join(repr(h) for h in hits[:3])
    return f"{label}: {len(hits)} hit(s) (need {need})" + (f": {shown}" if shown else "")


@check("lexicon")
def lexicon(name: str, min_count: int = 1) -> CheckFn:
    """At least `min_count` phrases from the named lexicon appear in the response."""
    pattern = lexicon_pattern(name)
    if min_count < 1:
        raise ValueError("min_count must be at least 1")

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        n, hits = count_hits(pattern, response)
        return n >= min_count, _hits_evidence(f"lexicon {name}", hits, min_count)

    return run


@check("phrases")
def phrases(phrases: list[str], min_count: int = 1) -> CheckFn:
    """Any listed phrase, case-insensitive, at word boundaries (phrases are literal text, not regex)."""
    if not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
        raise ValueError("phrases must be a non-empty list of non-empty strings")
    body = "|".join(re.escape(fold(p.strip())) for p in sorted(phrases, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w])(?:{body})(?![\w])")

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        n, hits = count_hits(pattern, response)
        return n >= min_count, _hits_evidence("phrases", hits, min_count)

    return run
