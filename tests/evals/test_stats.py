"""Hand-computed checks of every statistic the reports rely on."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from traitrl.evals.stats import (
    Comparison,
    adjust,
    benjamini_hochberg,
    compare_scores,
    paired_test,
    pool_seeds,
    refusal_adjusted,
    score_span,
    summarize,
    summarize_comparison,
    tango_score_ci,
    welch_test,
)
from traitrl.report.paper_table import equivalence_verdict, verdict


def test_bh_hand_computed():
    # sorted p: .01 .03 .04 .2 -> p*m/rank = .04 .06 .0533 .2 -> step-up min from the top
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.2])
    assert q == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])


def test_bh_skips_missing_and_caps_at_one():
    q = benjamini_hochberg([0.5, None, 0.9, 0.01])
    # m = 3: sorted .01 .5 .9 -> .03 .75 .9
    assert q == pytest.approx([0.75, None, 0.9, 0.03])
    assert benjamini_hochberg([0.9, 0.95]) == pytest.approx([0.95, 0.95])
    assert benjamini_hochberg([]) == []


def test_summary_mean_se_and_seeded_bootstrap():
    scores = [1, 0, 1, 1, None, 0, 1, 1, 0, 1]
    s = summarize(scores, seed=3)
    assert s.n == 9 and s.mean == pytest.approx(6 / 9)
    sd = math.sqrt(sum((x - 6 / 9) ** 2 for x in [1, 0, 1, 1, 0, 1, 1, 0, 1]) / 8)
    assert s.se == pytest.approx(sd / 3)
    assert s.ci[0] <= s.mean <= s.ci[1]
    assert summarize(scores, seed=3) == s
    assert summarize([None]).mean is None and summarize([0.5]).ci is None


def test_paired_matches_scipy_and_differs_from_welch():
    a = [0.1, 0.4, 0.35, 0.8, 0.55] * 4
    b = [0.2, 0.45, 0.5, 0.85, 0.6] * 4
    diff, ci, p = paired_test(a, b)  # 20 pairs: beyond the exact range, the paired t-test
    assert diff == pytest.approx(0.08)
    assert p == pytest.approx(sps.ttest_rel(b, a).pvalue)
    assert ci[0] < diff < ci[1]
    wdiff, _, wp = welch_test(a, b)
    assert wdiff == pytest.approx(0.08)
    assert wp == pytest.approx(sps.ttest_ind(b, a, equal_var=False).pvalue)
    assert p < 0.05 < wp  # pairing removes the between-item variance


def test_few_pairs_use_the_exact_sign_flip_test():
    # 3 items all going 0 -> 1: only the 2 all-same-sign flips of 8 reach |mean| 1, so p = 2/8, not 0
    diff, ci, p = paired_test([0, 0, 0], [1, 1, 1])
    assert diff == 1.0 and p == 0.25
    # 5 positive differences 0.1, 0.05, 0.15, 0.05, 0.05: flips reaching |mean| >= 0.08 are all-plus and all-minus
    # only (any flip lowers the sum by at least 0.1 of 0.4), so p = 2/32
    assert paired_test([0.1, 0.4, 0.35, 0.8, 0.55], [0.2, 0.45, 0.5, 0.85, 0.6])[2] == pytest.approx(2 / 32)
    # 20 identical non-zero differences: exact 2 / 2^20, not the t-test's 0
    assert paired_test([0] * 20, [1] * 20)[2] == pytest.approx(2 / 2**20)


def test_compare_pairs_by_item_id_else_welch():
    a = {"x": 0.0, "y": 1.0, "z": None, "w": 0.5}
    b = {"y": 1.0, "x": 1.0, "z": 1.0, "w": 0.5}
    c = compare_scores(a, b)
    assert c.paired and c.n_a == 3 and c.n_b == 4
    assert c.diff == pytest.approx(1 / 3)
    unpaired = compare_scores({"a1": 0.0, "a2": 1.0}, {"b1": 1.0, "b2": 1.0, "b3": 0.0})
    assert not unpaired.paired and unpaired.diff == pytest.approx(2 / 3 - 0.5)


def test_differences_all_alike_get_an_honest_interval_not_a_zero_width_one():
    # 3 unchanged items say little: without the scores' range there is no CI, with it a wide one
    diff, ci, p = paired_test([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
    assert diff == 0 and p == 1.0 and ci is None
    _, ci, _ = paired_test([0.5] * 3, [0.5] * 3, span=(0.0, 1.0))
    assert ci == pytest.approx((-(1 - 0.025 ** (1 / 3)), 1 - 0.025 ** (1 / 3)))
    # the paper's "no difference" claim: 4 unchanged items do not reproduce it, 150 do
    assert equivalence_verdict([paired_test([1, 0, 1, 1], [1, 0, 1, 1], span=(0, 1))[1]]).startswith("inconclusive")
    assert equivalence_verdict([paired_test([1, 0] * 75, [1, 0] * 75, span=(0, 1))[1]]) == "reproduced"
    # 3 items all going 0 -> 1 are no effect (p = 0.25, CI includes 0); 6 are (p = 2/64, CI excludes 0)
    assert verdict(paired_test([0] * 3, [1] * 3, span=(0, 1))[1]) == "not reproduced: CI includes 0"
    diff, ci, p = paired_test([0] * 6, [1] * 6, span=(0, 1))
    assert p == pytest.approx(2 / 64) and verdict(ci) == "reproduced" and ci[1] == 1.0
    # the same for a summary and for two unpaired samples
    assert summarize([0, 0, 0, 0]).ci is None
    assert summarize([0, 0, 0, 0], span=(0, 1)).ci == pytest.approx((0.0, 1 - 0.025 ** 0.25))
    diff, ci, p = welch_test([1, 1], [0, 0, 0], span=(0, 1))
    assert diff == -1 and ci[0] < 0 < ci[1] and p == pytest.approx(1 / 10)  # the split is one of C(5, 2)


def test_the_score_range_comes_from_the_benchmark_summary():
    # accuracy-like scores lie in [0, 1]; a rubric-graded benchmark (it records by_tag) has no fixed floor
    assert score_span({"mean": 0.5, "by_tag": None}) == (0.0, 1.0)
    assert score_span({"mean": 0.0, "by_tag": {"honesty": 0.0}}) is None
    unchanged = {f"i{k}": 1.0 for k in range(4)}
    assert compare_scores(unchanged, unchanged, score_span({})).ci == pytest.approx((-0.602, 0.602), abs=1e-3)
    assert compare_scores(unchanged, unchanged, score_span({"by_tag": {}})).ci is None


@pytest.mark.parametrize("seed", range(6))
def test_the_small_n_interval_agrees_with_the_exact_test(seed):
    rng = np.random.default_rng(seed)
    for n in (6, 9, 12, 16):
        a = rng.random(n)
        b = np.clip(a + rng.normal(0.12, 0.25, n), 0, 1)
        diff, ci, p = paired_test(a, b, span=(0, 1))
        t_ci = sps.ttest_rel(b, a).confidence_interval()
        assert ci[0] <= min(diff, t_ci.low) and ci[1] >= max(diff, t_ci.high) and -1 <= ci[0] and ci[1] <= 1
        if ci[0] > 0 or ci[1] < 0:  # the interval never claims an effect the exact test does not
            assert p < 0.05, (n, ci, p)
    # many unchanged items do not pin the interval to 0: one item of seven down by 0.25
    _, ci, p = paired_test([0.5] * 7, [0.5] * 6 + [0.25], span=(0, 1))
    assert p == 1.0 and ci[1] > 0.03
    # with 5 pairs or fewer no shift is rejected (smallest p 2/32): the CI is the differences' whole range
    assert paired_test([0.1, 0.2, 0.3], [0.5, 0.6, 0.9], span=(0, 1))[1] == (-1, 1)


def test_summarize_comparison_counts():
    cs = {
        "a": Comparison(diff=0.2, ci=None, p=0.001, n_a=1, n_b=1, paired=True, category="honesty"),
        "b": Comparison(diff=0.1, ci=None, p=0.04, n_a=1, n_b=1, paired=True, category="honesty"),
        "c": Comparison(diff=-0.3, ci=None, p=0.002, n_a=1, n_b=1, paired=True, category="health"),
        "d": Comparison(diff=0.0, ci=None, p=None, n_a=1, n_b=1, paired=True, category="health"),
    }
    adjusted = adjust(cs)
    # m = 3: sorted .001 .002 .04 -> .003 .003 .04
    assert adjusted["a"].q == pytest.approx(0.003) and adjusted["b"].q == pytest.approx(0.04)
    s = summarize_comparison(adjusted)
    assert (s["n_benchmarks"], s["improved"], s["sig_improved"], s["sig_regressed"]) == (4, 2, 2, 1)
    assert s["mean_gain"] == pytest.approx(0.0)
    assert s["per_category"]["health"] == {"n_benchmarks": 2, "improved": 0, "sig_improved": 0,
                                           "sig_regressed": 1, "mean_gain": pytest.approx(-0.15)}


def test_refusal_adjusted_keeps_items_neither_refused():
    a = {"1": (0.0, False), "2": (1.0, True), "3": (0.5, False), "4": (0.0, None)}
    b = {"1": (1.0, False), "2": (0.0, False), "3": (1.0, False), "4": (1.0, False)}
    c = refusal_adjusted(a, b)
    assert c.paired and c.n_a == 2 and c.diff == pytest.approx(0.75)
    # items all unchanged: a bounded CI where the score range is known, none where it is not
    same = {str(i): (1.0, False) for i in range(40)}
    assert refusal_adjusted(same, same).ci is None
    lo, hi = refusal_adjusted(same, same, span=(0, 1)).ci
    assert lo < 0 < hi and hi - lo < 0.25


def test_pool_seeds_t_interval():
    s = pool_seeds([0.4, 0.5, 0.6])
    assert s.mean == pytest.approx(0.5) and s.se == pytest.approx(0.1 / math.sqrt(3))
    half = sps.t.ppf(0.975, 2) * s.se
    assert s.ci == pytest.approx((0.5 - half, 0.5 + half))
    assert pool_seeds([0.3]).ci is None


def _paired_binary(rng, n: int, pa: float, pb: float, redraw: float) -> tuple[np.ndarray, np.ndarray]:
    """0/1 items scored twice: b keeps a's outcome except a share `redraw` re-drawn, so that P(b) = pb."""
    q = (pb - (1 - redraw) * pa) / redraw
    assert 0 <= q <= 1
    a = (rng.random(n) < pa).astype(float)
    return a, np.where(rng.random(n) < redraw, (rng.random(n) < q).astype(float), a)


def test_the_small_n_interval_covers_a_real_effect_on_binary_items():
    # P(b) - P(a) = 0.45 - 0.3 = 0.15 with 25 % of items re-drawn. The t-interval covered such an effect in
    # about half of 4-item samples and 73 % of 8-item ones (zero width whenever the few items did not change);
    # the interval here must cover it at the nominal rate.
    rng = np.random.default_rng(1)
    for n in (4, 8, 12):
        covered = 0
        for _ in range(150):
            _, ci, _ = paired_test(*_paired_binary(rng, n, 0.3, 0.45, 0.25), span=(0, 1))
            covered += ci[0] <= 0.15 <= ci[1]
        assert covered / 150 >= 0.93, (n, covered)


def test_beyond_the_exact_range_right_wrong_items_get_tangos_interval_and_mcnemars_test():
    # 40 items: 9 went 0 -> 1, 2 went 1 -> 0. McNemar: z = 7 / sqrt(11)
    a = [0] * 9 + [1] * 2 + [1] * 14 + [0] * 15
    b = [1] * 9 + [0] * 2 + [1] * 14 + [0] * 15
    diff, ci, p = paired_test(a, b, span=(0, 1))
    assert diff == pytest.approx(7 / 40)
    assert p == pytest.approx(2 * sps.norm.sf(7 / math.sqrt(11)))
    assert (ci, p) == tango_score_ci(9, 2, 40)
    assert ci[0] < diff < ci[1] and -1 <= ci[0] and ci[1] <= 1
    # scores that are not all 0/1 keep the paired t-test
    assert paired_test([0.5] + a[1:], b)[2] == pytest.approx(sps.ttest_rel(b, [0.5] + a[1:]).pvalue)


def _score_by_numerical_mle(gains: int, losses: int, n: int, delta: float) -> float:
    """Tango's score statistic with the restricted MLE found by maximising the likelihood numerically (not the
    closed-form root the library uses): cells gain, loss and unchanged with P(gain) = P(loss) + delta."""
    from scipy.optimize import minimize_scalar

    def nll(p_loss: float) -> float:
        p_gain = p_loss + delta
        unchanged = n - gains - losses
        return -(gains * math.log(p_gain) + losses * math.log(p_loss) + unchanged * math.log(1 - p_gain - p_loss))

    lo, hi = max(0.0, -delta) + 1e-12, (1 - delta) / 2 - 1e-12
    p_loss = minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}).x
    return (gains - losses - n * delta) / math.sqrt(n * (2 * p_loss + delta - delta**2))


@pytest.mark.parametrize("gains,losses,n", [(9, 2, 40), (1, 6, 25), (3, 0, 17), (20, 18, 60)])
def test_tangos_bounds_are_where_the_score_test_just_rejects(gains, losses, n):
    (lo, hi), p = tango_score_ci(gains, losses, n)
    z = sps.norm.ppf(0.975)
    assert _score_by_numerical_mle(gains, losses, n, lo) == pytest.approx(z, abs=1e-3)
    assert _score_by_numerical_mle(gains, losses, n, hi) == pytest.approx(-z, abs=1e-3)
    assert (lo > 0 or hi < 0) == (p < 0.05)  # the CI and McNemar's test agree by construction


def test_tangos_interval_covers_rare_changes_where_the_t_interval_does_not():
    # pass rate 0.05 -> 0.10 with 10 % of 30 items re-drawn: few discordant pairs, where the t-interval on the
    # 0/±1 differences covered the true +0.05 in 79 % of samples (measured, 2,000 samples)
    rng = np.random.default_rng(2)
    covered = t_covered = 0
    for _ in range(400):
        a, b = _paired_binary(rng, 30, 0.05, 0.10, 0.1)
        _, ci, _ = paired_test(a, b, span=(0, 1))
        covered += ci[0] <= 0.05 <= ci[1]
        d = b - a
        half = sps.t.ppf(0.975, 29) * d.std(ddof=1) / math.sqrt(30)
        t_covered += d.mean() - half <= 0.05 <= d.mean() + half
    assert covered / 400 >= 0.93 and t_covered / 400 < 0.9
