"""Hand-computed tests of the rubric scoring rule as graders use it."""

import math

from traitrl.grading.grade import Grade, ItemGrade
from traitrl.grading.scoring import raw_score, score_rubric


def _grade(points, met):
    items = [ItemGrade(criterion=f"c{i}", points=p, met=m) for i, (p, m) in enumerate(zip(points, met, strict=True))]
    return Grade(scenario_id="s", grader="t", items=items)


def test_positive_only():
    # 5 + 3 met of 5 + 3 + 2 positive -> 8/10
    assert _grade([5, 3, 2], [True, True, False]).score == 0.8


def test_negative_item_subtracts():
    # (5 - 6) / 8 = -0.125 raw, clipped to 0
    assert raw_score([5, 3, -6], [True, False, True]) == -0.125
    assert score_rubric([5, 3, -6], [True, False, True]) == 0.0
    # (5 + 3 - 3) / 8 = 0.625
    assert _grade([5, 3, -3], [True, True, True]).score == 0.625


def test_missing_verdict_leaves_numerator_and_denominator():
    # item 2 missing: 5 / (5 + 2) ; missing negative ignored
    g = _grade([5, 3, 2, -4], [True, None, False, None])
    assert math.isclose(g.score, 5 / 7)
    assert g.missing == 2


def test_all_positive_missing_is_unscored():
    g = _grade([5, -2], [None, True])
    assert math.isnan(g.score)
    assert g.to_row()["score"] is None
