"""Verifiable-instruction checkers for IFEval, re-implemented from the instruction definitions.

24 of IFEval's 25 instruction ids are supported (all but `language:response_language`, which needs a
language detector). Each checker is a small function `(response, kwargs, prompt) -> bool` registered in
`CHECKERS`; `follows` dispatches on the instruction id. These follow the original's "strict" reading; word and
sentence counts use simple regexes rather than NLTK, so counts near a threshold can differ by one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

Checker = Callable[[str, dict[str, Any], str], bool]
CHECKERS: dict[str, Checker] = {}
CONSTRAINED_ANSWERS = ("My answer is yes.", "My answer is no.", "My answer is maybe.")


def checker(instruction_id: str) -> Callable[[Checker], Checker]:
    def register(fn: Checker) -> Checker:
        CHECKERS[instruction_id] = fn
        return fn

    return register


def supported(instruction_id: str) -> bool:
    return instruction_id in CHECKERS


def follows(instruction_id: str, response: str, kwargs: dict[str, Any], prompt: str = "") -> bool:
    """Whether `response` follows one instruction (unknown ids raise KeyError)."""
    return CHECKERS[instruction_id](response, {k: v for k, v in kwargs.items() if v is not None}, prompt)


def compare(count: int, relation: str, n: int) -> bool:
    """IFEval's two relations: "less than" (count < n) and "at least" (count >= n)."""
    return count < n if relation == "less than" else count >= n


@checker("punctuation:no_comma")
def _no_comma(r: str, kw: dict, p: str) -> bool:
    return "," not in r


@checker("length_constraints:number_words")
def _words(r: str, kw: dict, p: str) -> bool:
    return compare(len(re.findall(r"\b\w+\b", r)), kw["relation"], kw["num_words"])


@checker("length_constraints:number_sentences")
def _sentences(r: str, kw: dict, p: str) -> bool:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", r.strip()) if re.search(r"\w", s)]
    return compare(len(sentences), kw["relation"], kw["num_sentences"])


@checker("length_constraints:number_paragraphs")
def _paragraphs(r: str, kw: dict, p: str) -> bool:
    parts = re.split(r"\s?\*\s?\*\s?\*\s?", r)
    parts = [x for i, x in enumerate(parts) if x.strip() or i not in (0, len(parts) - 1)]
    return all(x.strip() for x in parts) and len(parts) == kw["num_paragraphs"]


@checker("length_constraints:nth_paragraph_first_word")
def _nth_first_word(r: str, kw: dict, p: str) -> bool:
    parts = [x for x in re.split(r"\n\n", r) if x.strip()]
    n = kw["nth_paragraph"]
    if len(parts) != kw["num_paragraphs"] or n > len(parts):
        return False
    first = re.sub(r"[^\w]", "", (parts[n - 1].split() or [""])[0]).lower()
    return first == kw["first_word"].lower()


@checker("keywords:existence")
def _existence(r: str, kw: dict, p: str) -> bool:
    return all(re.search(re.escape(k), r, re.IGNORECASE) for k in kw["keywords"])


@checker("keywords:forbidden_words")
def _forbidden(r: str, kw: dict, p: str) -> bool:
    return not any(re.search(r"\b" + re.escape(w) + r"\b", r, re.IGNORECASE) for w in kw["forbidden_words"])


@checker("keywords:frequency")
def _frequency(r: str, kw: dict, p: str) -> bool:
    return compare(
        len(re.findall(re.escape(kw["keyword"]), r, re.IGNORECASE)), kw["relation"], kw["frequency"]
    )


@checker("keywords:letter_frequency")
def _letter_frequency(r: str, kw: dict, p: str) -> bool:
    return compare(r.lower().count(kw["letter"].lower()), kw["let_relation"], kw["let_frequency"])


@checker("detectable_format:number_highlighted_sections")
def _highlights(r: str, kw: dict, p: str) -> bool:
    found = re.findall(r"\*[^\n\*]*\*", r) + re.findall(r"\*\*[^\n\*]*\*\*", r)
    return sum(bool(h.strip("*").strip()) for h in found) >= kw["num_highlights"]


@checker("detectable_format:title")
def _title(r: str, kw: dict, p: str) -> bool:
    return any(t.strip() for t in re.findall(r"<<([^\n]+)>>", r))


@checker("detectable_format:number_bullet_lists")
def _bullets(r: str, kw: dict, p: str) -> bool:
    star = re.findall(r"^\s*\*[^\*].*$", r, re.MULTILINE)
    dash = re.findall(r"^\s*-.*$", r, re.MULTILINE)
    return len(star) + len(dash) == kw["num_bullets"]


@checker("detectable_format:json_format")
def _json(r: str, kw: dict, p: str) -> bool:
    text = re.sub(r"^```(?:json|Json|JSON)?\s*|\s*```$", "", r.strip())
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@checker("detectable_format:multiple_sections")
def _sections(r: str, kw: dict, p: str) -> bool:
    parts = re.split(r"\s?" + re.escape(kw["section_spliter"]) + r"\s?\d+\s?", r)
    return len(parts) - 1 >= kw["num_sections"]


@checker("detectable_format:constrained_response")
def _constrained(r: str, kw: dict, p: str) -> bool:
    return any(a in r for a in CONSTRAINED_ANSWERS)


@checker("change_case:english_lowercase")
def _lowercase(r: str, kw: dict, p: str) -> bool:
    return r == r.lower() and any(c.isalpha() for c in r)


@checker("change_case:english_capital")
def _capital(r: str, kw: dict, p: str) -> bool:
    return r == r.upper() and any(c.isalpha() for c in r)


@checker("change_case:capital_word_frequency")
def _capital_words(r: str, kw: dict, p: str) -> bool:
    count = len([w for w in re.findall(r"\b[A-Za-z]+\b", r) if w.isupper()])
    return compare(count, kw["capital_relation"], kw["capital_frequency"])


@checker("startend:end_checker")
def _end(r: str, kw: dict, p: str) -> bool:
    return r.strip().strip('"').lower().endswith(kw["end_phrase"].strip().lower())


@checker("startend:quotation")
def _quotation(r: str, kw: dict, p: str) -> bool:
    s = r.strip()
    return len(s) > 1 and s[0] == '"' and s[-1] == '"'


@checker("detectable_content:postscript")
def _postscript(r: str, kw: dict, p: str) -> bool:
    marker = kw["postscript_marker"].strip()
    if marker == "P.S.":
        pattern = r"\s*p\.\s?s\..*$"
    elif marker == "P.P.S":
        pattern = r"\s*p\.\s?p\.\s?s.*$"
    else:
        pattern = r"\s*" + re.escape(marker.lower()) + r".*$"
    return bool(re.findall(pattern, r.lower(), flags=re.MULTILINE))


@checker("detectable_content:number_placeholders")
def _placeholders(r: str, kw: dict, p: str) -> bool:
    return len(re.findall(r"\[.*?\]", r)) >= kw["num_placeholders"]


@checker("combination:repeat_prompt")
def _repeat(r: str, kw: dict, p: str) -> bool:
    return r.strip().lower().startswith(kw["prompt_to_repeat"].strip().lower())


@checker("combination:two_responses")
def _two(r: str, kw: dict, p: str) -> bool:
    parts = [x.strip() for x in r.split("******")]
    parts = [x for i, x in enumerate(parts) if x or i not in (0, len(parts) - 1)]
    return len(parts) == 2 and all(parts) and parts[0] != parts[1]
