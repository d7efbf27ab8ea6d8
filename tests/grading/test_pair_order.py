"""Pair order: how often the reward orders two replies to one scenario as the gold verdicts do."""

from __future__ import annotations

import math

from traitrl.grading.calibrate import _pooled, pair_order


def test_pair_order_by_hand():
    # gold 1.0 > 0.5 > -0.5; the reward swaps the last two and ties nothing: 2 of 3 pairs right
    assert pair_order([(1.0, 0.9, 30), (0.5, 0.1, 30), (-0.5, 0.2, 30)]).concordance == 2 / 3
    # a tie under the reward counts half; pairs gold does not order are left out
    o = pair_order([(1.0, 0.4, 30), (0.0, 0.4, 30), (0.0, 0.9, 30)])
    assert o.pairs == 2 and o.concordance == (0.5 + 0.0) / 2


def test_pair_order_pools_by_pairs_and_is_nan_without_any():
    assert math.isnan(pair_order([(0.0, 0.3, 10), (0.0, 0.1, 10)]).concordance)
    pooled = _pooled([pair_order([(1.0, 1.0, 5), (0.0, 0.0, 5)]),
                      pair_order([(1.0, 0.0, 5), (0.0, 1.0, 5), (0.5, 0.5, 5)])])
    assert pooled.pairs == 4 and pooled.concordance == (1 + 0 + 0 + 0) / 4
