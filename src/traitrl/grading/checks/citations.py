"""Fabrication checks: `invented_citation` and `unsupported_number`.

Both look for specific, checkable-looking material — identifiers, author-year citations, journal
volume/pages, URLs; decimals, percentages, p-values, confidence intervals, sample sizes — that does not occur
in the conversation. By default anything said earlier in the conversation counts as given; with
`given="user"` only user turns do, so repeating an earlier assistant turn's fabricated DOI still counts.
"""

from __future__ import annotations

import re
from typing import Literal

from traitrl.grading.checks.lexicons import normalise
from traitrl.grading.checks.registry import CheckFn, check
from traitrl.types import Message

Given = Literal["conversation", "user"]

CITATION_PATTERNS: dict[str, re.Pattern[str]] = {
    "doi": re.compile(r"\b(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/[^\s\"'<>)\]]+", re.I),
    "pmid": re.compile(r"\b(?:PMID|PubMed(?: ID)?)\s*:?\s*\d{5,9}\b", re.I),
    "pmcid": re.compile(r"\bPMC\d{5,9}\b"),
    "arxiv": re.compile(r"\barXiv\s*:?\s*\d{4}\.\d{4,5}(?:v\d+)?\b|\barxiv\.org/abs/\S+", re.I),
    "author_year": re.compile(
        r"\b[A-Z][A-Za-z'\-]+(?:\s+(?:and|&)\s+[A-Z][A-Za-z'\-]+)?\s+et\s+al\.?,?\s*\(?(?:19|20)\d{2}[a-z]?\)?"
        r"|\b[A-Z][A-Za-z'\-]+\s+(?:and|&)\s+[A-Z][A-Za-z'\-]+\s*\((?:19|20)\d{2}\)"
        r"|\([A-Z][A-Za-z'\-]+(?:\s+et\s+al\.?)?,\s*(?:19|20)\d{2}\)"),
    "volume_pages": re.compile(
        r"\b(?:19|20)\d{2}\s*;\s*\d{1,4}\s*(?:\(\d{1,4}\))?\s*:\s*[eE]?\d{1,6}(?:\s*[-\u2013]\s*\d{1,6})?"
        r"|\b\d{1,4}\s*\(\d{1,4}\)\s*:\s*[eE]?\d{1,6}(?:\s*[-\u2013]\s*\d{1,6})?"
        r"|\bvol(?:ume)?\.?\s*\d{1,4},?\s*(?:no\.?\s*\d{1,4},?\s*)?(?:pp?\.?|pages?)\s*\d{1,6}", re.I),
    "url": re.compile(r"\bhttps?://[^\s<>\"')\]]+|\bwww\.[a-z0-9-]+\.[^\s<>\"')\]]+", re.I),
}

NUMBER_PATTERNS: dict[str, re.Pattern[str]] = {
    "p_value": re.compile(r"\bp\s*(?:<|>|=|≤|≥)\s*0?\.\d+", re.I),
    "interval": re.compile(r"\b\d{1,3}\s*%\s*(?:CI|confidence interval)\b[^.;\n]{0,40}?\d+(?:\.\d+)?"
                           r"\s*(?:-|\u2013|to|,)\s*\d+(?:\.\d+)?", re.I),
    "sample_size": re.compile(r"\b[nN]\s*=\s*\d[\d,]*|\b\d[\d,]{1,8}\s+(?:participants|patients|subjects|"
                              r"adults|children|people|volunteers|respondents|women|men|cases|individuals)\b"),
    "percentage": re.compile(r"\b\d+(?:\.\d+)?\s*(?:%|percent\b)", re.I),
    "decimal": re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])"),
}
DIGITS_PATTERN = re.compile(r"\d+(?:\.\d+)?")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", normalise(text)).lower()


def given_text(conversation: list[Message], given: Given) -> str:
    return _squash(" ".join(m.content for m in conversation if given == "conversation" or m.role == "user"))


def _check_given(given: str) -> None:
    if given not in ("conversation", "user"):
        raise ValueError("given must be 'conversation' or 'user'")


@check("invented_citation")
def invented_citation(given: Given = "conversation") -> CheckFn:
    """The response cites an identifier, author-year reference, volume/pages or URL not in the conversation."""
    _check_given(given)

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        known = given_text(conversation, given)
        for label, pattern in CITATION_PATTERNS.items():
            for m in pattern.finditer(response):
                token = _squash(m.group(0)).rstrip(".,;:")
                if token not in known:
                    return True, f"{label} not in conversation: {m.group(0)!r}"
        return False, "no citation absent from the conversation"

    return run


@check("unsupported_number")
def unsupported_number(given: Given = "conversation") -> CheckFn:
    """The response states a precise figure (decimal, %, p-value, CI, n) whose digits the conversation lacks."""
    _check_given(given)

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        known_numbers = set(DIGITS_PATTERN.findall(given_text(conversation, given)))
        for label, pattern in NUMBER_PATTERNS.items():
            for m in pattern.finditer(response):
                numbers = [n.lstrip("0") or "0" for n in DIGITS_PATTERN.findall(m.group(0).replace(",", ""))]
                known = {k.lstrip("0") or "0" for k in known_numbers}
                missing = [n for n in numbers if n not in known]
                if label == "interval":
                    missing = [n for n in missing if n not in ("95", "90", "99")]
                if missing:
                    return True, f"{label} not in conversation: {m.group(0)!r}"
        return False, "no precise figure absent from the conversation"

    return run
