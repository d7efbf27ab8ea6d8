import pytest

from traitrl.training.arithmetic import declared_answer, score_arithmetic


@pytest.mark.parametrize("text", ["7", "3 + 4 = 7", "The answer is 7.", "3 + 4 is 7 apples in total.",
                                  "Maya now has 7 apples.", "$7"])
def test_prose_answers_accepted(text):
    assert score_arithmetic(text, 7, [3, 4]) == 1.0


def test_declared_answer_prefers_equals():
    assert declared_answer("3 + 4 = 7, so she keeps them") == 7
    assert declared_answer("She had 3 and got 4: 1,200") == 1200


def test_partial_credit():
    assert score_arithmetic("7 is close but the answer is 8", 7, [3, 4]) == 0.6  # right number, not declared
    assert score_arithmetic("3 + 4 = 8", 7, [3, 4]) == pytest.approx(min(0.5, 0.4 * (1 - 1 / 7) + 0.1))
    assert score_arithmetic("It is 100", 7, [3, 4]) == 0.0
    assert score_arithmetic("I don't know", 7, [3, 4]) == 0.0
    assert 0 < score_arithmetic("= 6", 7, [3, 4]) < 0.5
