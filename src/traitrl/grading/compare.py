"""Agreement between two graders on the same responses: per criterion and overall.

For every rubric item where both graders gave a verdict: agreement (= accuracy of b taking a as the
reference), Cohen's kappa, and each grader's met rate. Items missing in either grader are counted, not
compared.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel

from traitrl.grading.grade import Grade


class Agreement(BaseModel):
    n: int
    accuracy: float
    kappa: float
    a_met_rate: float
    b_met_rate: float
    missing: int = 0


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Cohen's kappa for two binary raters; NaN when undefined (no items, or chance agreement is 1 and
    observed agreement is not)."""
    n = len(a)
    if n == 0 or n != len(b):
        return math.nan
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1:
        return 1.0 if po == 1 else math.nan
    return (po - pe) / (1 - pe)


def agreement(pairs: Sequence[tuple[bool | None, bool | None]]) -> Agreement:
    both = [(a, b) for a, b in pairs if a is not None and b is not None]
    a = [x for x, _ in both]
    b = [y for _, y in both]
    n = len(both)
    return Agreement(n=n, accuracy=sum(x == y for x, y in both) / n if n else math.nan,
                     kappa=cohen_kappa(a, b), a_met_rate=sum(a) / n if n else math.nan,
                     b_met_rate=sum(b) / n if n else math.nan, missing=len(pairs) - n)


def compare_grades(grades_a: Sequence[Grade], grades_b: Sequence[Grade]) -> dict:
    """{"overall": Agreement, "by_criterion": {criterion: Agreement}} for grades of the same responses."""
    if len(grades_a) != len(grades_b):
        raise ValueError(f"{len(grades_a)} grades from a but {len(grades_b)} from b")
    by_criterion: dict[str, list[tuple[bool | None, bool | None]]] = defaultdict(list)
    pairs: list[tuple[bool | None, bool | None]] = []
    for ga, gb in zip(grades_a, grades_b, strict=True):
        if ga.scenario_id != gb.scenario_id or len(ga.items) != len(gb.items):
            raise ValueError(f"grades for {ga.scenario_id!r} and {gb.scenario_id!r} do not line up")
        for ia, ib in zip(ga.items, gb.items, strict=True):
            by_criterion[ia.criterion].append((ia.met, ib.met))
            pairs.append((ia.met, ib.met))
    return {"overall": agreement(pairs),
            "by_criterion": {c: agreement(p) for c, p in sorted(by_criterion.items())}}
