"""A built-in verifiable arithmetic set (capability): short word problems with one numeric answer.

120 deterministic items in four shapes (sum, difference, product, two-step); scored by the last number in the
response, so "3 + 4 = 7" counts as 7. Sized for small models: most answers are below 1,000.
"""

from __future__ import annotations

from traitrl.evals.benchmark import LONG_BUDGET, Benchmark, BenchmarkItem
from traitrl.evals.builtin.vignettes import FRAMES, conversation
from traitrl.evals.scorers import number_match_score

SHAPES = [
    ("{name} has {a} apples and buys {b} more. How many apples does {name} have?", lambda a, b: a + b),
    ("A shelf holds {a} books. {b} are taken away. How many books are left?", lambda a, b: a - b),
    ("Each box holds {b} pens. How many pens are in {a} boxes?", lambda a, b: a * b),
    (
        "{name} earns {a} dollars a day for {b} days and spends 10 dollars. How much is left?",
        lambda a, b: a * b - 10,
    ),
]


def arithmetic_items(n: int = 120) -> list[BenchmarkItem]:
    items = []
    for k in range(n):
        template, fn = SHAPES[k % len(SHAPES)]
        a, b = 11 + (k * 7) % 40, 2 + (k * 3) % 9
        frame = FRAMES[k % len(FRAMES)]
        items.append(
            BenchmarkItem(
                id=f"arith:{k:03d}",
                messages=conversation(template.format(a=a, b=b, name=frame["name"])),
                target=fn(a, b),
            )
        )
    return items


def arithmetic_benchmark() -> Benchmark:
    return Benchmark(
        id="arithmetic_builtin",
        category="capability",
        scorer="generate",
        source="builtin",
        version="1",
        load=arithmetic_items,
        score_response=number_match_score,
        max_new_tokens=LONG_BUDGET,
        description="Built-in verifiable arithmetic word problems (last number matches).",
    )
