"""Degenerate-response gate: responses that game checks instead of answering earn no positive credit.

A gated response has every positive rubric item set to not met (negative items are still evaluated, so a
short reply that also invents a DOI is still penalised). The gate trips on:

- too short: fewer than `MIN_WORDS` words (empty included);
- ramble: more than `MAX_WORDS` words;
- repetition: more than `MAX_REPEATED_TRIGRAMS` of word trigrams are repeats;
- low fluency: fewer than `MIN_FUNCTION_WORDS` of words are function words (English prose is ~40%);
- keyword stuffing: a list of short fragments (mean fragment under `MAX_FRAGMENT_WORDS` words) or lexicon
  phrases from many behaviours packed densely (`MAX_LEXICON_DENSITY` hits per word);
- rubric echo: more than `MAX_ECHO` of the response's content bigrams come from the rubric's criteria, or
  two criteria appear verbatim.

Thresholds were set on the hand-written cases in `tests/grading/test_gate.py` with fluent 60–250-word answers
well clear of every limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from traitrl.grading.checks.lexicons import fold, lexicon_pattern, lexicon_phrases, normalise
from traitrl.text import words
from traitrl.types import Scenario

MIN_WORDS = 6
MAX_WORDS = 1000
MAX_REPEATED_TRIGRAMS = 0.3
MIN_FUNCTION_WORDS = 0.18
MAX_FRAGMENT_WORDS = 3.5
MAX_LEXICON_DENSITY = 0.12
MIN_LEXICONS_FOR_STUFFING = 5
MAX_ECHO = 0.4

FRAGMENT_SPLIT_PATTERN = re.compile(r"[.,;:!?\n|/•]+")
FUNCTION_WORDS = frozenset("""
a an the and or but if then so because as of in on at to for from by with about into over after before
than that this these those there here it its it's i i'm i've i'd i'll me my we our you your you're he she
him her his they them their is are was were be been being am do does did have has had will would can could
should may might must shall not no nor what which who whom whose when where why how all any some each both
more most other such only own same too very just also up down out off again further once while until
""".split())


@dataclass(frozen=True)
class GateResult:
    passed: bool
    reason: str = ""


def tokens(text: str) -> list[str]:
    return words(normalise(text))


def _repeated_fraction(words: list[str], n: int = 3) -> float:
    grams = [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]
    return 1 - len(set(grams)) / len(grams) if grams else 0.0


def is_degenerate(response: str) -> bool:
    """Whether a reply says nothing a reader could use: empty, or a loop by the gate's repetition rule (a collapsed
    policy's "I'm on 4.1.2.1.1.1..." or "I'm 2.2 lbs. I'm 2.2 lbs..."). On the gold set this flags no written reply
    of any kind, and all 40 replies of the collapsed paper-run policy (docs/results.md, "Halted at step 152")."""
    found = tokens(response)
    return not found or _repeated_fraction(found) > MAX_REPEATED_TRIGRAMS


def _content_bigrams(words: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(words, words[1:], strict=False) if not (a in FUNCTION_WORDS and b in FUNCTION_WORDS)]


@lru_cache(maxsize=4096)
def _criteria_profile(criteria: tuple[str, ...]) -> tuple[frozenset[tuple[str, str]], tuple[str, ...]]:
    bigrams = frozenset(bg for c in criteria for bg in _content_bigrams(tokens(c)))
    phrases = tuple(" ".join(tokens(c)) for c in criteria if len(tokens(c)) >= 4)
    return bigrams, phrases


@lru_cache(maxsize=1)
def _all_lexicons_pattern() -> re.Pattern[str]:
    """Every lexicon in one alternation with a named group per lexicon: one scan instead of 24."""
    groups = "|".join(f"(?P<{name}>{lexicon_pattern(name).pattern})" for name in lexicon_phrases())
    return re.compile(groups)


def _lexicon_stuffing(text: str, n_words: int) -> str:
    found = [m.lastgroup for m in _all_lexicons_pattern().finditer(fold(text))]
    hits, kinds = len(found), len(set(found))
    if kinds >= MIN_LEXICONS_FOR_STUFFING and hits / n_words > MAX_LEXICON_DENSITY:
        return f"keyword stuffing: {hits} lexicon phrases from {kinds} lexicons in {n_words} words"
    return ""


def echo_reason(words: list[str], criteria: tuple[str, ...]) -> str:
    if not criteria:
        return ""
    crit_bigrams, crit_phrases = _criteria_profile(criteria)
    joined = " ".join(words)
    verbatim = sum(p in joined for p in crit_phrases)
    if verbatim >= 2:
        return f"rubric echo: {verbatim} criteria repeated verbatim"
    bigrams = _content_bigrams(words)
    if bigrams:
        share = sum(bg in crit_bigrams for bg in bigrams) / len(bigrams)
        if share > MAX_ECHO:
            return f"rubric echo: {share:.0%} of content bigrams come from the criteria"
    return ""


def check_gate(response: str, scenario: Scenario | None = None) -> GateResult:
    """Whether `response` is a genuine attempt; `reason` says why not."""
    words = tokens(response)
    n = len(words)
    if n < MIN_WORDS:
        return GateResult(False, f"too short: {n} words")
    if n > MAX_WORDS:
        return GateResult(False, f"ramble: {n} words > {MAX_WORDS}")
    if n >= 8:
        rep = _repeated_fraction(words)
        if rep > MAX_REPEATED_TRIGRAMS:
            return GateResult(False, f"repetition: {rep:.0%} of trigrams repeated")
        fw = sum(w in FUNCTION_WORDS for w in words) / n
        if fw < MIN_FUNCTION_WORDS:
            return GateResult(False, f"low fluency: {fw:.0%} function words")
        fragments = [f for f in FRAGMENT_SPLIT_PATTERN.split(normalise(response)) if f.strip()]
        mean_fragment = n / max(1, len(fragments))
        if len(fragments) >= 6 and mean_fragment < MAX_FRAGMENT_WORDS:
            return GateResult(False, f"keyword stuffing: {len(fragments)} fragments of {mean_fragment:.1f} words")
        stuffing = _lexicon_stuffing(normalise(response), n)
        if stuffing:
            return GateResult(False, stuffing)
    if scenario is not None:
        reason = echo_reason(words, tuple(item.criterion for item in scenario.rubric))
        if reason:
            return GateResult(False, reason)
    return GateResult(True)
