"""Per-verdict agreement with the gold set, and its CI from a bootstrap over scenarios."""

from __future__ import annotations

import math
import random

import pytest

from traitrl.grading.calibrate import agreement


def _by_hand(pairs):
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    f1s = []
    for cls in (True, False):
        tp = sum(g == cls and p == cls for g, p in pairs)
        fp = sum(g != cls and p == cls for g, p in pairs)
        fn = sum(g == cls and p != cls for g, p in pairs)
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return accuracy, sum(f1s) / 2


def test_accuracy_and_macro_f1_by_hand_with_unscored_items_wrong():
    # gold T T F F F; predicted T None F T None: correct 2 of 5
    # met: tp 1, fp 1 (the F read as T), fn 1 (the None) -> F1 2/4; not met: tp 1, fp 0, fn 2 -> F1 2/4
    a = agreement([(True, True), (True, None), (False, False), (False, True), (False, None)])
    assert a.accuracy == pytest.approx(0.4) and a.macro_f1 == pytest.approx(0.5)
    assert a.unscored == pytest.approx(0.4) and a.all_not_met_accuracy == pytest.approx(0.6)
    assert a.accuracy_ci is None and a.scenarios is None  # no clusters given, no CI
    rng = random.Random(1)
    pairs = [(rng.random() < 0.3, rng.choice([True, False, False])) for _ in range(300)]
    assert (agreement(pairs).accuracy, agreement(pairs).macro_f1) == pytest.approx(_by_hand(pairs))


def test_the_ci_resamples_scenarios_not_verdicts():
    """40 scenarios of 50 verdicts each, every verdict of a scenario right or every one wrong (a misread
    criterion errs on all the replies): 2,000 verdicts, but only 40 independent draws. The interval must be as
    wide as 40 draws allow, not as narrow as 2,000 would, and it must be reproducible."""
    rng = random.Random(0)
    pairs, clusters = [], []
    for k in range(40):
        right = rng.random() < 0.8
        for _ in range(50):
            gold = rng.random() < 0.3
            pairs.append((gold, gold if right else not gold))
            clusters.append(f"s{k}")
    a = agreement(pairs, clusters)
    assert a.scenarios == 40 and a.accuracy_ci[0] < a.accuracy < a.accuracy_ci[1]
    p = a.accuracy
    independent = 2 * 1.96 * math.sqrt(p * (1 - p) / len(pairs))  # what treating verdicts as independent gives
    clustered = 2 * 1.96 * math.sqrt(p * (1 - p) / 40)
    width = a.accuracy_ci[1] - a.accuracy_ci[0]
    assert width > 3 * independent and width == pytest.approx(clustered, rel=0.3)
    assert a.macro_f1_ci[0] < a.macro_f1 < a.macro_f1_ci[1]
    assert agreement(pairs, clusters) == a


def test_one_scenario_gives_no_ci():
    assert agreement([(True, True), (False, True)], ["s", "s"]).accuracy_ci is None
