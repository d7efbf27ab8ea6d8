import pytest

from traitrl.training.constraints import (
    check_bullets,
    check_end_with,
    check_keywords,
    check_lowercase,
    check_mention_number,
    check_no_commas,
    check_start_with,
    check_word_count,
    describe_constraint,
    score_constraints,
)


def test_keywords_partial_credit():
    assert check_keywords("Bees make honey.", ["honey", "flowers"]) == 0.5
    assert check_keywords("HONEY and Flowers", ["honey", "flowers"]) == 1.0
    assert check_keywords("honeycomb", ["honey"]) == 0.0  # whole words only


def test_word_count_band_and_ramp():
    assert check_word_count("one two three four five", 5, 20) == 1.0
    assert check_word_count(" ".join(["w"] * 25), 5, 20) == pytest.approx(1 - 5 / 15)
    assert check_word_count("", 5, 20) == 0.0
    assert check_word_count(" ".join(["w"] * 60), 5, 20) == 0.0


def test_start_and_end():
    assert check_start_with("**Yes**, bees are great.", "yes") == 1.0
    assert check_start_with("Oh well, yes indeed", "yes") == 0.5
    assert check_start_with("No.", "yes") == 0.0
    assert check_end_with("Bees are great. Thank you!", "Thank you.") == 1.0
    assert check_end_with("Thank you. Bees are great.", "Thank you.") == 0.5
    assert check_end_with("Bees.", "Thank you.") == 0.0


def test_bullets_graded():
    three = "Tips:\n- one\n- two\n* three"
    assert check_bullets(three, 3) == 1.0
    assert check_bullets("- one\n- two", 3) == pytest.approx(2 / 3)
    assert check_bullets("1. a\n2. b\n3. c\n4. d", 3) == pytest.approx(2 / 3)
    assert check_bullets("no list", 2) == 0.0


def test_lowercase_commas_number():
    assert check_lowercase("all lower here") == 1.0
    assert check_lowercase("Two Capitals") == pytest.approx(0.6)
    assert check_lowercase("") == 0.0
    assert check_no_commas("a, b, c") == 0.5
    assert check_no_commas("none here") == 1.0
    assert check_mention_number("about 3 bees") == 1.0
    assert check_mention_number("three bees") == 0.0


def test_score_constraints_is_mean_of_parts():
    cons = [{"kind": "keywords", "args": {"words": ["honey"]}}, {"kind": "lowercase"},
            {"kind": "no_commas"}]
    assert score_constraints("Bees make honey, and wax.", cons) == pytest.approx((1 + 0.8 + 0.75) / 3)
    with pytest.raises(ValueError, match="unknown constraint"):
        score_constraints("x", [{"kind": "nope"}])


def test_descriptions_render():
    assert "honey" in describe_constraint({"kind": "keywords", "args": {"words": ["honey", "bees"]}})
    assert "3" in describe_constraint({"kind": "bullets", "args": {"n": 3}})
