"""The rubric scoring rule (HealthBench semantics), in one place.

score of one reply = Σ points of items met / Σ positive points

A negative item is "met" when the undesirable thing happened, so it subtracts its points: one reply's score
can fall below 0 (a harmful reply) and is NOT clipped. Like HealthBench, only the mean over a set of replies
is clipped to [0, 1] (`mean_score`). An item whose verdict is missing (`met is None`, e.g. an unparseable
judge reply) is left out of numerator and denominator alike, never counted as met.

`met` may also be a probability in [0, 1] (a judge's P(met)): the item then contributes `points × P`, and the
score is the reply's expected score under the judge. That is the RL reward: dense, and negative when the
reply probably does a penalised thing. The held-out metric uses the strict verdicts (P ≥ 0.5).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def rubric_score(points: Sequence[float], met: Sequence[bool | float | None]) -> float:
    """One reply's score, unclipped; NaN when no positive item has a verdict."""
    if len(points) != len(met):
        raise ValueError("points and met differ in length")
    positive = sum(p for p, m in zip(points, met, strict=True) if p > 0 and m is not None)
    if positive <= 0:
        return math.nan
    achieved = sum(p * float(m) for p, m in zip(points, met, strict=True) if m)
    return achieved / positive


def mean_score(scores: Iterable[float | None]) -> float:
    """Mean over the scored replies, clipped to [0, 1] (HealthBench); NaN when none is scored."""
    xs = [s for s in scores if s is not None and not math.isnan(s)]
    return min(1.0, max(0.0, sum(xs) / len(xs))) if xs else math.nan


def score_by_tag(points: Sequence[float], met: Sequence[bool | float | None],
                 tags: Sequence[Sequence[str]]) -> dict[str, float]:
    """Per-tag score with the same rule, over the items carrying each tag (NaN where a tag has no positive item)."""
    out: dict[str, float] = {}
    for tag in sorted({t for ts in tags for t in ts}):
        idx = [i for i, ts in enumerate(tags) if tag in ts]
        out[tag] = rubric_score([points[i] for i in idx], [met[i] for i in idx])
    return out
