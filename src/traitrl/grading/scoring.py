"""The rubric scoring rule (HealthBench semantics), in one place.

score = Σ points of items met / Σ positive points

A negative item is "met" when the undesirable thing happened, so it subtracts its points. The raw score can
fall below 0 (or, never in practice, above 1); it is clipped to [0, 1] when aggregated. An item whose verdict
is missing (`met is None`, e.g. an unparseable judge reply) is left out of numerator and denominator alike,
never counted as met. Per-tag scores apply the same rule to the items carrying that tag.

`met` may also be a partial credit in [0, 1] (see `grading/partial_credit.py`): an item then contributes
`points × credit`. Evaluation uses binary verdicts; the RL reward uses partial credit on positive items so
that a 135M policy sees a graded signal (DESIGN.md: binary rewards leave most GRPO groups flat).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol


class ItemVerdict(Protocol):
    points: float
    met: bool | float | None


def raw_score(points: Sequence[float], met: Sequence[bool | float | None]) -> float:
    """Unclipped score; NaN when no positive item has a verdict."""
    if len(points) != len(met):
        raise ValueError("points and met differ in length")
    positive = sum(p for p, m in zip(points, met, strict=True) if p > 0 and m is not None)
    if positive <= 0:
        return math.nan
    achieved = sum(p * float(m) for p, m in zip(points, met, strict=True) if m)
    return achieved / positive


def score_rubric(points: Sequence[float], met: Sequence[bool | float | None]) -> float:
    """Score clipped to [0, 1]; NaN (unscored) when no positive item has a verdict."""
    s = raw_score(points, met)
    return s if math.isnan(s) else min(1.0, max(0.0, s))


def score_by_tag(points: Sequence[float], met: Sequence[bool | float | None],
                 tags: Sequence[Sequence[str]]) -> dict[str, float]:
    """Per-tag score with the same rule, over the items carrying each tag."""
    out: dict[str, float] = {}
    for tag in sorted({t for ts in tags for t in ts}):
        idx = [i for i, ts in enumerate(tags) if tag in ts]
        out[tag] = score_rubric([points[i] for i in idx], [met[i] for i in idx])
    return out
