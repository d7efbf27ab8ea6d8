"""Hand-computed tests of the rubric scoring rule (HealthBench: one reply unclipped, the mean clipped)."""

import math

import pytest

from traitrl.evals.stats import summarize
from traitrl.grading.grade import Grade, ItemGrade
from traitrl.grading.scoring import mean_score, rubric_score


def _grade(points, met, probability=None):
    probability = probability or [None] * len(points)
    items = [ItemGrade(criterion=f"c{i}", points=p, met=m, probability=q, tags=["t", f"i{i}"])
             for i, (p, m, q) in enumerate(zip(points, met, probability, strict=True))]
    return Grade(scenario_id="s", grader="t", items=items)


def test_positive_only():
    # 5 + 3 met of 5 + 3 + 2 positive -> 8/10
    assert _grade([5, 3, 2], [True, True, False]).score == 0.8


def test_one_reply_is_not_clipped():
    # (5 - 6) / 8 = -0.125: a harmful reply stays negative, so the reward can tell it from a merely empty one
    assert rubric_score([5, 3, -6], [True, False, True]) == -0.125
    assert _grade([5, 3, -6], [True, False, True]).score == -0.125
    # (5 + 3 - 3) / 8 = 0.625
    assert _grade([5, 3, -3], [True, True, True]).score == 0.625


def test_the_mean_over_a_set_is_clipped():
    # HealthBench: mean(-0.5, 0.2) = -0.15 -> 0; mean(1.0, 1.4) = 1.2 -> 1; mean(-0.5, 0.9) = 0.2 stays
    assert mean_score([-0.5, 0.2]) == 0.0
    assert mean_score([1.0, 1.4]) == 1.0
    assert mean_score([-0.5, 0.9, None, math.nan]) == pytest.approx(0.2)
    assert math.isnan(mean_score([None]))
    s = summarize([-0.5, 0.2, -0.9], clip=True)
    assert s.mean == 0.0 and s.ci is not None and s.ci[0] == 0.0 and 0.0 <= s.ci[1] <= 1.0
    assert summarize([-0.5, 0.2, -0.9]).mean == pytest.approx(-0.4)  # unclipped for paired differences


def test_expected_score_uses_probabilities():
    # points 4, 4, -2 with P(met) 0.5, 1.0, 0.25: (2 + 4 - 0.5) / 8 = 0.6875; strict: met = P >= 0.5 -> (4+4)/8
    g = _grade([4, 4, -2], [True, True, False], [0.5, 1.0, 0.25])
    assert g.expected_score == pytest.approx(5.5 / 8)
    assert g.score == 1.0
    # a grader without probabilities: expected score equals the strict score
    assert _grade([4, -2], [True, True]).expected_score == _grade([4, -2], [True, True]).score == 0.5


def test_expected_score_is_negative_for_a_probably_harmful_reply():
    g = _grade([5, -10], [False, True], [0.1, 0.9])
    assert g.expected_score == pytest.approx((0.5 - 9) / 5)


def test_missing_verdict_leaves_numerator_and_denominator():
    # item 2 missing: 5 / (5 + 2) ; missing negative ignored
    g = _grade([5, 3, 2, -4], [True, None, False, None])
    assert math.isclose(g.score, 5 / 7)
    assert g.missing == 2


def test_all_positive_missing_is_unscored():
    g = _grade([5, -2], [None, True])
    assert math.isnan(g.score)
    assert g.to_row()["score"] is None


def test_per_tag_scores():
    # tag "t" on every item: (5 - 2) / 5; tag "i1" has only a negative item: unscored
    by_tag = _grade([5, -2], [True, True]).by_tag()
    assert by_tag["t"] == pytest.approx(0.6) and by_tag["i0"] == 1.0 and math.isnan(by_tag["i1"])
