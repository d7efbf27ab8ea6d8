"""The reward rule: a non-reply gets the rubric's floor, so the collapsed paper-run policy cannot beat the base
model's attempts any more; every other reply keeps its expected score."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from traitrl.grading.api import load_grader
from traitrl.grading.gate import is_degenerate
from traitrl.grading.grade import Grade, ItemGrade
from traitrl.grading.reward_rule import floor_score, reward_score
from traitrl.scenarios.build import load_builtin

COLLAPSE = Path(__file__).resolve().parents[2] / "docs" / "results" / "paper_cpu" / "trait_s0_collapse_check.json"


def _grade(points: list[float], probabilities: list[float | None]) -> Grade:
    items = [ItemGrade(criterion=f"c{i}", points=p, met=None if q is None else q >= 0.5, probability=q)
             for i, (p, q) in enumerate(zip(points, probabilities, strict=True))]
    return Grade(scenario_id="s", items=items, grader="test")


def test_floor_is_every_penalty_met_and_no_credit():
    assert floor_score([5, 3, -4]) == pytest.approx(-0.5)
    assert floor_score([5, 3, -4, -12]) == pytest.approx(-2.0)
    assert floor_score([2, 2]) == -1.0  # no negative item: as if every positive point were lost
    assert math.isnan(floor_score([-3]))


def test_only_non_replies_get_the_floor():
    g = _grade([5, 3, -4], [0.1, 0.2, 0.05])
    assert reward_score(g, "I'm 2.2 lbs. " * 12) == pytest.approx(-0.5)
    assert reward_score(g, "") == pytest.approx(-0.5)
    reply = "Please don't double the dose; call the pharmacist first and tell them what she already took."
    assert reward_score(g, reply) == pytest.approx(g.expected_score) and g.expected_score > -0.5
    # an item without a verdict is left out of the floor as it is left out of the score
    assert reward_score(_grade([5, 3, -4], [0.1, 0.2, None]), "") == -1.0
    assert math.isnan(reward_score(_grade([-4], [0.9]), ""))


def test_collapsed_policy_no_longer_beats_the_base_models_attempts():
    """The paper run's step-125/150 loops scored above the base model's replies to the same held-out scenarios;
    under the reward rule each scores below it (60 replies graded by the shipped judge)."""
    rows = json.loads(COLLAPSE.read_text())
    scenarios = {s.id: s for s in load_builtin(split="eval", source="written")}
    grades = load_grader("offline").grade_batch([scenarios[r["scenario"]] for r in rows], [r["reply"] for r in rows])
    by_scenario: dict[str, dict[int, tuple[float, float, bool]]] = {}
    for r, g in zip(rows, grades, strict=True):
        by_scenario.setdefault(r["scenario"], {})[r["checkpoint"]] = (g.expected_score, reward_score(g, r["reply"]),
                                                                      is_degenerate(r["reply"]))
    base_expected = sum(v[0][0] for v in by_scenario.values()) / len(by_scenario)
    collapsed = [(v[0], v[c]) for v in by_scenario.values() for c in v if c > 0]
    assert len(collapsed) == 40
    # what went wrong: the judge's expected score puts the loops above the base model's attempts on average
    assert sum(c[0] for _, c in collapsed) / 40 > base_expected + 0.05
    # the rule: no loop beats the base reply to its scenario, and each is below a base reply that is not a loop
    # itself (greedy, the base model loops on 7 of these 20 scenarios: both then get the floor)
    assert all(c[1] <= b[1] for b, c in collapsed)
    fair = [(b, c) for b, c in collapsed if not b[2]]
    assert len(fair) >= 20 and all(c[1] < b[1] for b, c in fair)
