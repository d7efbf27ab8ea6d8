"""An arm's held-out trait score is one number everywhere: the strict score's mean over all held-out items,
clipped once (HealthBench), as in the paper table."""

from __future__ import annotations

import pytest

from traitrl.experiments.analysis import trait_scores


def test_the_held_out_score_clips_the_mean_over_all_items_once():
    # one scenario family penalised (-0.5 each), one half met (0.4 each): clipping each family's mean first
    # would give (0 + 0.4) / 2 = 0.2; the mean over all items is -0.05, which clips to 0
    items = {"indist_a": [-0.5, -0.5], "indist_b": [0.4, 0.4]}
    stage = {"items": {b: {f"i{k}": {"score": v, "extra": {"domain": "law", "expected_score": v}}
                           for k, v in enumerate(vals)} for b, vals in items.items()},
             "suite": {"indist_a": {"mean": 0.0}, "indist_b": {"mean": 0.4}, "probe": {"mean": 0.75}}}
    out = trait_scores(stage, ["indist_a", "indist_b"], ["probe"])
    assert out["trait_eval_score"] == 0.0 == out["held_out_trait"]["all"]["strict"]
    assert out["held_out_trait"]["all"]["n"] == 4 and out["trait_probe_score"] == pytest.approx(0.75)
