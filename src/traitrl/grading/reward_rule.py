"""The RL reward of one reply: the judge's expected rubric score, with the rubric's floor for a non-reply.

On a rubric of positive and negative items, a reply that engages with nothing meets no item and scores 0, above
any attempt that the rubric penalises somewhere. A policy can then buy reward by saying nothing: the paper-run
trait arm collapsed into loops ("I'm 2.2 lbs. I'm 2.2 lbs...") that scored +0.006 against the base model's
-0.146 (docs/results.md, "Halted at step 152"). So a reply that `grading.gate.is_degenerate` flags (empty, or a
loop by the gate's word-trigram repetition rule) gets the rubric's floor: the score of a reply that meets every
negative item and no positive one, the lowest any reply can get (-1 on a rubric without negative items, as if
every positive point were lost). Every other reply keeps its expected score. On the gold set the rule flags no
written reply of any kind (`traitrl grade calibrate` reports the reward with it), so it changes no good reply's
reward.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from traitrl.grading.gate import is_degenerate
from traitrl.grading.grade import Grade


def floor_score(points: Sequence[float]) -> float:
    """The lowest score a reply can get on these items: every negative met, no positive (-1 with no negative)."""
    positive = sum(p for p in points if p > 0)
    if positive <= 0:
        return math.nan
    negative = sum(p for p in points if p < 0)
    return negative / positive if negative < 0 else -1.0


def reward_score(grade: Grade, response: str) -> float:
    """The reward of `response`: its expected score, or the rubric's floor for a non-reply (NaN when unscored)."""
    expected = grade.expected_score
    if math.isnan(expected) or not is_degenerate(response):
        return expected
    return floor_score([i.points for i in grade.items if i.met is not None])
