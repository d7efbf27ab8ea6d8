"""CheckGrader (spec `checks`): hand-computed grades, missing items, determinism, load-time errors, throughput."""

from __future__ import annotations

import math
import time

import pytest

from traitrl.errors import ConfigError, InputError
from traitrl.grading.api import grade, load_grader, score_response
from traitrl.grading.check_grader import CheckGrader

from .fixtures import BAD, GOOD, RUBRIC, make_scenario


def test_good_and_bad_scores(scenario):
    good = grade(scenario, GOOD, CheckGrader())
    assert [i.met for i in good.items] == [True, True, False, False]
    assert good.score == 1.0  # (5 + 3) / 8
    assert score_response(scenario, BAD, CheckGrader()) == -9 / 8  # (-6 - 3) / 8, one reply is not clipped


def test_item_without_check_is_missing():
    rubric = [*RUBRIC, {"criterion": "Explains what evidence does exist", "points": 2}]
    g = CheckGrader().grade(make_scenario(rubric), GOOD)
    assert g.items[-1].met is None and g.missing == 1
    assert math.isclose(g.score, 8 / 8)  # the unchecked item leaves the denominator


def test_deterministic(scenario):
    a = CheckGrader().grade_batch([scenario] * 3, [GOOD, BAD, "ok"])
    b = CheckGrader().grade_batch([scenario] * 3, [GOOD, BAD, "ok"])
    assert [g.model_dump() for g in a] == [g.model_dump() for g in b]


def test_bad_spec_fails_at_load_naming_scenario():
    s = make_scenario([{"criterion": "x", "points": 1, "check": {"kind": "lexicon", "args": {"name": "nope"}}}],
                      sid="bad-1")
    with pytest.raises(InputError, match="bad-1.*rubric\\[0\\]"):
        CheckGrader().validate([s])


def test_load_grader_specs(tmp_path):
    assert load_grader("offline").name.startswith("offline-judge(")
    assert load_grader("checks").name.startswith("checks(")
    assert "gate=False" in load_grader("checks:nogate").name
    for bad in ("llm", "judge:gpt", "offline:partial", f"offline@{tmp_path / 'missing'}"):
        with pytest.raises(ConfigError):
            load_grader(bad)


def test_throughput(scenario):
    # ~150-word responses; CPU time, so other jobs on the shared cores do not make the test flaky
    text = GOOD + " " + GOOD.replace("I need to correct my earlier answer:", "To repeat,")
    responses = [text.replace("small", f"small ({i})") for i in range(300)]
    grader = CheckGrader()
    grader.grade_batch([scenario], [text])
    start = time.process_time()
    grader.grade_batch([scenario] * len(responses), responses)
    rate = len(responses) / (time.process_time() - start)
    print(f"offline throughput: {rate:.0f} responses/s (CPU time)")
    assert rate >= 200
