import json

import pytest

from traitrl.training.constraints import score_constraints
from traitrl.training.mixture import build_mixture, filter_scenarios, mixture_summary, replaced_positions
from traitrl.training.standard_tasks import build_standard_tasks, score_task

STD = build_standard_tasks(300, seed=1)


@pytest.mark.parametrize("share,expected", [(0.05, 10), (0.25, 50), (0.0, 0), (0.0125, 2)])
def test_trait_rows_replace_exactly(scenarios, share, expected):
    rows = build_mixture(STD, scenarios, 200, share, seed=3)
    assert len(rows) == 200
    assert mixture_summary(rows).get("trait", 0) == expected
    trait = [r for r in rows if r["task"] == "trait"]
    assert all(r["scenario_id"] and r["prompt"][-1]["role"] == "user" for r in trait)
    assert all(r["scenario_id"] is None for r in rows if r["task"] != "trait")


def test_deterministic_and_baseline_aligned(scenarios):
    a = build_mixture(STD, scenarios, 120, 0.25, seed=7)
    assert a == build_mixture(STD, scenarios, 120, 0.25, seed=7)
    base = build_mixture(STD, scenarios, 120, 0.0, seed=7)
    assert all(r["task"] != "trait" for r in base)
    # every non-replaced position holds the baseline's row, in place
    for r_arm, r_base in zip(a, base, strict=True):
        if r_arm["task"] != "trait":
            assert r_arm == r_base
    # the share-0.05 arm's replaced positions are a subset of the share-0.25 arm's
    assert set(replaced_positions(120, 6, 7)) <= set(replaced_positions(120, 30, 7))
    assert build_mixture(STD, scenarios, 120, 0.25, seed=8) != a


def test_cycles_scenarios_and_rejects_empty(scenarios):
    rows = build_mixture(STD, scenarios[:2], 100, 0.5, seed=0)
    assert {r["scenario_id"] for r in rows if r["scenario_id"]} == {s.id for s in scenarios[:2]}
    with pytest.raises(ValueError, match="no trait scenarios"):
        build_mixture(STD, [], 100, 0.1, seed=0)
    with pytest.raises(ValueError, match="standard rows"):
        build_mixture(STD, scenarios, 1000, 0.1, seed=0)


def test_filters(scenarios):
    assert {s.domain for s in filter_scenarios(scenarios, domains=["health"])} == {"health"}
    kept = filter_scenarios(scenarios, exclude_domains=["health", "science"])
    assert {s.domain for s in kept} == {"education"}


def test_standard_tasks_deterministic_and_scorable():
    assert build_standard_tasks(50, seed=2) == build_standard_tasks(50, seed=2)
    assert build_standard_tasks(50, seed=2) != build_standard_tasks(50, seed=3)
    rows = build_standard_tasks(200, seed=0)
    tasks = {r["task"] for r in rows}
    assert tasks == {"constraints", "arithmetic"}
    for r in rows:
        assert r["prompt"][0]["role"] == "user" and r["scenario_id"] is None
        spec = json.loads(r["spec"])
        if r["task"] == "arithmetic":  # the row's own answer is full credit, a far-off number none
            assert score_task(r["task"], r["spec"], f"The answer is {spec['answer']}.") == 1.0
            assert score_task(r["task"], r["spec"], f"The answer is {spec['answer'] * 10 + 1000}.") < 0.5
        else:
            assert score_task(r["task"], r["spec"], "ok") == score_constraints("ok", spec["constraints"])
    with pytest.raises(ValueError, match="unknown standard task"):
        score_task("poetry", "{}", "ok")
