"""Runs with several training seeds: each model against the baseline of its own seed, and each arm pooled."""

from __future__ import annotations

import pytest

from traitrl.experiments.analysis import compare_with_baselines, pooled_over_seeds
from traitrl.experiments.approaches import compare_approaches


def stage(**benches: list[float]) -> dict:
    return {"items": {b: {f"i{k}": {"score": v} for k, v in enumerate(vals)} for b, vals in benches.items()}}


CATEGORIES = {"a": "honesty", "b": "safety"}
EVALS = {
    "base": stage(a=[0, 0, 0, 0], b=[0, 0, 0, 0]),
    "baseline@s0": stage(a=[0, 0, 0, 0], b=[0, 0, 0, 0]),
    "baseline@s1": stage(a=[1, 1, 0, 0], b=[1, 1, 1, 1]),
    "trait@s0": stage(a=[1, 1, 1, 0], b=[1, 1, 1, 1]),
    "trait@s1": stage(a=[1, 1, 1, 1], b=[0, 0, 1, 1]),
    "constitution_reward@s0": stage(a=[0, 1, 0, 0], b=[0, 0, 0, 0]),
}


def test_each_model_is_compared_with_the_baseline_of_its_own_seed():
    compare = compare_with_baselines(EVALS, CATEGORIES)
    assert set(compare) == {"trait@s0", "trait@s1", "constitution_reward@s0"}  # no baselines, no base
    # trait@s1 - baseline@s1 on a: (0 + 0 + 1 + 1) / 4 (against baseline@s0 it would be 1.0)
    assert compare["trait@s1"]["per_benchmark"]["a"]["diff"] == pytest.approx(0.5)
    assert compare["trait@s0"]["per_benchmark"]["a"]["diff"] == pytest.approx(0.75)


def test_an_arm_with_several_seeds_is_pooled_and_seed_disagreement_is_shown():
    pooled = pooled_over_seeds(EVALS, CATEGORIES)
    assert set(pooled) == {"trait"}  # constitution_reward has one seed
    t = pooled["trait"]
    assert t["seeds"] == [0, 1]
    a, b = t["per_benchmark"]["a"], t["per_benchmark"]["b"]
    assert a["diff"] == pytest.approx((0.75 + 0.5) / 2) and a["seeds_agree"] == 2
    assert b["diff"] == pytest.approx((1.0 - 0.5) / 2) and b["seeds_agree"] == 1  # seed 1 got worse on b
    # four items: the exact sign-flip test, never "significant" on so few
    assert a["p"] >= 2 / 2 ** 4 and t["sig_improved"] == 0 and t["improved"] == 2


def test_approaches_are_compared_on_their_first_seed():
    out = compare_approaches(EVALS, {}, CATEGORIES)
    assert list(out["pairs"]) == ["trait@s0 vs constitution_reward@s0"]


def test_selective_persistence_reads_the_trait_arm_of_a_seeded_run():
    from traitrl.experiments.analysis import selective_persistence

    def row(diff: float) -> dict:
        return {"vs_baseline": {"diff": diff, "ci": [diff - 0.05, diff + 0.05], "p": 0.01}}

    persona = {"bad_medical": {"trait@s0": row(-0.2), "baseline@s0": {}},
               "helpful_medical": {"trait@s0": row(0.0), "baseline@s0": {}}}
    out = selective_persistence(persona, "trait@s0")
    assert out["verdict"] == "selective persistence" and out["explanation"].startswith("trait@s0 (its first seed)")
