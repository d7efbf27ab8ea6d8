"""Arithmetic and short word problems: generated from a seed, scored with graded credit.

The 135M policy gets single-digit sums right but wraps them in prose ("3 + 4 = 7"), so the parser reads
the *declared* answer — the number after the last "=", or after "answer is"/"is", else the last number —
rather than insisting on a bare number. Credit:

- 1.0  the declared answer is right;
- 0.6  the right answer appears somewhere, but another number is declared;
- up to 0.4 for a declared number close to the answer (linear in relative error, 0 at 100% off);
- plus 0.1 for naming both operands (showing the work), capped at 0.5 for a wrong answer;
- 0.0  no number at all.

Items come from a project seed and use templates of our own, so they are disjoint from GSM8K.
"""

from __future__ import annotations

import random
import re

NUMBER_PATTERN = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
DECLARED_PATTERN = re.compile(r"(?:=|\banswer is|\banswer:|\bis)\s*\$?\s*(-?\d[\d,]*(?:\.\d+)?)",
                              re.IGNORECASE)

NAMES = ["Maya", "Leo", "Aisha", "Tom", "Priya", "Kenji", "Sofia", "Omar", "Lena", "Diego", "Mei", "Sam"]
ITEMS = ["apples", "stickers", "marbles", "books", "coins", "pencils", "shells", "cookies", "stamps", "cards"]
WORD_TEMPLATES = {
    "+": "{name} has {a} {item} and gets {b} more. How many {item} does {name} have now?",
    "-": "{name} has {a} {item} and gives away {b}. How many {item} are left?",
    "*": "{name} has {a} bags with {b} {item} in each bag. How many {item} are there in total?",
}
SYMBOLS = {"+": "+", "-": "-", "*": "×"}
BARE_TEMPLATES = ["What is {a} {sym} {b}?", "Compute {a} {sym} {b}.",
                  "Calculate {a} {sym} {b}. Give the result."]


def _to_number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def declared_answer(response: str) -> float | None:
    """The number the response commits to: after the last '=' / 'answer is' / 'is', else the last number."""
    declared = DECLARED_PATTERN.findall(response)
    if declared:
        return _to_number(declared[-1])
    numbers = NUMBER_PATTERN.findall(response)
    return _to_number(numbers[-1]) if numbers else None


def score_arithmetic(response: str, answer: float, operands: list[float]) -> float:
    """Graded credit for one response (see the module docstring)."""
    numbers = [n for n in (_to_number(t) for t in NUMBER_PATTERN.findall(response)) if n is not None]
    if not numbers:
        return 0.0
    final = declared_answer(response)
    if final is not None and abs(final - answer) < 1e-9:
        return 1.0
    if any(abs(n - answer) < 1e-9 for n in numbers):
        return 0.6
    closeness = 0.0
    if final is not None:
        closeness = 0.4 * max(0.0, 1.0 - abs(final - answer) / max(abs(answer), 1.0))
    shown = 0.1 if all(any(abs(n - o) < 1e-9 for n in numbers) for o in operands) else 0.0
    return min(0.5, closeness + shown)


def make_arithmetic_item(rng: random.Random) -> dict:
    """One item: difficulty mixes single-digit (easy), two-digit (medium) and word problems."""
    level = rng.choices(["easy", "medium", "word"], weights=[0.4, 0.3, 0.3])[0]
    op = rng.choice(["+", "-", "*"])
    if level == "easy" or op == "*":
        a, b = rng.randint(2, 9), rng.randint(2, 9)
    else:
        a, b = rng.randint(10, 60), rng.randint(2, 40)
    if op == "-" and b > a:
        a, b = b, a
    answer = {"+": a + b, "-": a - b, "*": a * b}[op]
    if level == "word":
        text = WORD_TEMPLATES[op].format(name=rng.choice(NAMES), item=rng.choice(ITEMS), a=a, b=b)
    else:
        text = rng.choice(BARE_TEMPLATES).format(a=a, b=b, sym=SYMBOLS[op])
    return {"text": text, "answer": answer, "operands": [a, b], "level": level, "op": op}
