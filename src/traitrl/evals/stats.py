"""The statistics behind every number traitrl reports: pure functions over item scores.

- `summarize`: mean, standard error and a seeded 95% percentile-bootstrap CI of one benchmark's scores.
- `compare_scores`: B − A for one benchmark. Items present in both runs (matched by id) are compared with a
  paired test (up to `EXACT_PAIRS` pairs the exact sign-flip permutation test and the CI that inverts it;
  beyond that, for right/wrong items McNemar's test and Tango's score interval, for other scores the paired
  t-test); without matching ids, Welch's t-test. CI is the matching interval.
- Scores that are all alike (every paired difference equal, or every score of a summary) give no zero-width
  CI: `constant_ci` bounds the mean by the binomial bound on the share of items that could differ, within the
  range the scores can take (`span`); without a span such a CI is None.
- `benjamini_hochberg`: BH step-up q-values across benchmarks (the paper's "significant after BH").
- `summarize_comparison`: improved / significant counts, mean gain and per-category tallies.
- `pool_seeds`: mean over training seeds with a t-interval across seed means.

Missing scores (None) are dropped before any statistic; they never count as 0 or 1.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel
from scipy import stats as sps

ALPHA = 0.05
N_BOOTSTRAP = 2000


class Summary(BaseModel):
    n: int
    mean: float | None
    se: float | None
    ci: tuple[float, float] | None


class Comparison(BaseModel):
    diff: float | None
    ci: tuple[float, float] | None
    p: float | None
    n_a: int
    n_b: int
    paired: bool
    q: float | None = None
    category: str | None = None


def _clean(scores: Sequence[float | None]) -> np.ndarray:
    return np.array([s for s in scores if s is not None and math.isfinite(s)], dtype=float)


EXACT_PAIRS = 16
SCORE_RANGE = (0.0, 1.0)  # accuracy-like item scores


def difference_range(span: tuple[float, float] | None) -> tuple[float, float] | None:
    """The range of b − a for scores a and b within `span`; None for None."""
    return None if span is None else (span[0] - span[1], span[1] - span[0])


def score_span(benchmark_summary: Mapping[str, Any]) -> tuple[float, float] | None:
    """The range a benchmark's item scores can take, read off its recorded summary: [0, 1], but None for a
    rubric-graded benchmark (its summary records `by_tag`), whose unclipped scores go below 0 by as much as each
    rubric's penalties. It bounds CIs where the items cannot (`constant_ci`, `sign_flip_ci`)."""
    return None if benchmark_summary.get("by_tag") is not None else SCORE_RANGE


def constant_ci(value: float, n: int, span: tuple[float, float] | None) -> tuple[float, float] | None:
    """95% CI of a mean when all `n` observed values equal `value`, for values that lie within `span`.

    A bootstrap or t-interval of such a sample has zero width, which would call 3 items all going 0 -> 1 an
    effect as sure as 300 would. With k = 0 of n items seen to differ from `value`, the share of the
    population that does is at most u = 1 − (α/2)^(1/n) (the exact binomial bound; about 3.7/n at large n,
    the "rule of three"), and those items lie within `span`: the mean lies in [value − u·(value − lo),
    value + u·(hi − value)]. Without a span (the range is unknown) there is no CI: None."""
    if span is None or n < 1:
        return None
    lo, hi = span
    u = 1.0 - (ALPHA / 2) ** (1.0 / n)
    return (value - u * max(0.0, value - lo), value + u * max(0.0, hi - value))


def summarize(scores: Sequence[float | None], *, seed: int = 0, n_boot: int = N_BOOTSTRAP,
              clip: bool = False, span: tuple[float, float] | None = None) -> Summary:
    """Mean, SE (sample sd / √n) and a seeded percentile-bootstrap 95% CI; None where undefined.

    `clip`: rubric scores, whose per-reply values may be negative: the mean and the CI bounds are clipped to
    [0, 1] (HealthBench clips the mean over a set, never one reply). `span`: the range a score can take
    (for example (0, 1) for accuracy); it bounds the CI of scores that are all alike (`constant_ci`), which
    is None without it."""
    x = _clean(scores)
    if x.size == 0:
        return Summary(n=0, mean=None, se=None, ci=None)

    def unit(v: float) -> float:
        return min(1.0, max(0.0, v)) if clip else v

    mean = unit(float(x.mean()))
    if x.size == 1:
        return Summary(n=1, mean=mean, se=None, ci=None)
    se = float(x.std(ddof=1) / math.sqrt(x.size))
    if se == 0:
        ci = constant_ci(float(x[0]), int(x.size), span)
        return Summary(n=int(x.size), mean=mean, se=se, ci=None if ci is None else (unit(ci[0]), unit(ci[1])))
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    lo, hi = np.quantile(means, [ALPHA / 2, 1 - ALPHA / 2])
    return Summary(n=int(x.size), mean=mean, se=se, ci=(unit(float(lo)), unit(float(hi))))


def _t_result(diff: float, se: float, df: float) -> tuple[tuple[float, float] | None, float | None]:
    if not math.isfinite(df) or df <= 0:
        return None, None
    if se == 0:  # the CI of values all alike is the caller's (`constant_ci`)
        return None, (1.0 if diff == 0 else 0.0)
    half = float(sps.t.ppf(1 - ALPHA / 2, df)) * se
    p = float(2 * sps.t.sf(abs(diff) / se, df))
    return (diff - half, diff + half), p


@functools.cache
def _sign_flips(n: int) -> np.ndarray:
    """All 2^n sign vectors of length n, as rows (float, for one matrix product per test)."""
    return (((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1) * 2 - 1).astype(float)


def sign_flip_p(d: np.ndarray) -> float:
    """Exact two-sided paired permutation p-value: the share of the 2^n sign flips of the differences whose
    mean is at least as far from 0 as the observed one (the observed flip included, so p >= 2 / 2^n)."""
    means = np.abs(_sign_flips(d.size) @ d) / d.size
    return float(np.mean(means >= abs(d.mean()) - 1e-12))


def sign_flip_ci(d: np.ndarray, span: tuple[float, float] | None) -> tuple[float, float] | None:
    """95% CI of the mean difference that inverts the exact sign-flip test: the shifts δ at which the test
    of d − δ does not reject, found by bisection on each side of the mean (the p-value is a step function
    of δ that falls, with small steps back, as δ leaves the data). With n ≤ 5 pairs no shift can reach
    p < 0.05 (the smallest p is 2 / 2^n), so the CI is the whole `span` the differences can take (None, for
    unbounded, without one); differences all alike get `constant_ci`."""
    n, width, mean = d.size, float(d.max() - d.min()), float(d.mean())
    if width == 0:
        return constant_ci(float(d[0]), n, span)
    if 2 * 0.5 ** n >= ALPHA:
        return span

    def edge(inside: float, outside: float) -> float:  # the last shift with p >= α, between the two
        for _ in range(30):
            mid = (inside + outside) / 2
            inside, outside = (mid, outside) if sign_flip_p(d - mid) >= ALPHA else (inside, mid)
        return inside

    # beyond the data every difference has one sign and p = 2 / 2^n < α, so the edges lie within a width of it
    lo, hi = edge(mean, float(d.min()) - width), edge(mean, float(d.max()) + width)
    return (lo, hi) if span is None else (max(lo, span[0]), min(hi, span[1]))


def _is_binary(x: np.ndarray) -> bool:
    return bool(np.all((x == 0) | (x == 1)))


def tango_score_ci(gains: int, losses: int, n: int) -> tuple[tuple[float, float], float]:
    """Tango's (1998) score interval for the difference of two paired proportions, and McNemar's test p.

    Of `n` right/wrong items scored twice, `gains` went 0 -> 1 and `losses` 1 -> 0; the difference is
    Δ = (gains − losses) / n. The interval is every Δ that the score test does not reject: the test statistic at
    Δ uses the restricted maximum-likelihood share of losses (a closed-form root) in its variance, and at Δ = 0
    it is McNemar's, so the CI excludes 0 exactly where McNemar's asymptotic test has p < 0.05. The t-interval
    on the same 0/±1 differences undercovers where few items change (79 % instead of 95 % at 30 items with the
    pass rate going 0.05 -> 0.10, in simulation); this one keeps near the nominal rate (Fagerland, Lydersen and
    Laake 2014 recommend it)."""
    z_crit = float(sps.norm.ppf(1 - ALPHA / 2))
    observed = (gains - losses) / n

    def score(delta: float) -> float:
        b = -(gains + losses) + (2 * n - gains + losses) * delta
        c = -losses * delta * (1 - delta)
        p_loss = (-b + math.sqrt(max(0.0, b * b - 8 * n * c))) / (4 * n)
        variance = n * (2 * p_loss + delta * (1 - delta))
        return (gains - losses - n * delta) / math.sqrt(max(variance, 1e-300))

    def edge(inside: float, outside: float, target: float) -> float:  # score falls as Δ rises
        for _ in range(60):
            mid = (inside + outside) / 2
            inside, outside = (mid, outside) if abs(score(mid)) < abs(target) else (inside, mid)
        return inside

    discordant = gains + losses
    p = 1.0 if gains == losses else float(2 * sps.norm.sf(abs(gains - losses) / math.sqrt(discordant)))
    return (edge(observed, -1.0, z_crit), edge(observed, 1.0, -z_crit)), p


def paired_test(a: Sequence[float], b: Sequence[float], span: tuple[float, float] | None = None,
                ) -> tuple[float, tuple[float, float] | None, float | None]:
    """Mean of b − a over pairs, its 95% CI, and a p-value that hold at small n.

    Up to `EXACT_PAIRS` pairs the p-value is the exact sign-flip permutation test (3 items all going 0 -> 1:
    p = 0.25, not the t-test's 0) and the CI spans both the interval that inverts it (`sign_flip_ci`) and the
    t-interval: it excludes 0 only where the exact test rejects, and it is not narrowed where many tied
    differences (unchanged items) pin the inversion. Beyond, right/wrong items (every score 0 or 1) get
    McNemar's test and Tango's score interval (`tango_score_ci`), other scores the paired t-test and its
    interval; identical differences (sd 0) get the exact 2 / 2^n and `constant_ci`. `span`: the range the
    scores a and b lie in (the differences then lie in [lo − hi, hi − lo])."""
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if d.size == 0:
        return math.nan, None, None
    diff = float(d.mean())
    if d.size < 2:
        return diff, None, None
    d_span = difference_range(span)
    se = float(d.std(ddof=1) / math.sqrt(d.size))
    ci, p = _t_result(diff, se, d.size - 1)
    if d.size <= EXACT_PAIRS:
        exact = sign_flip_ci(d, d_span)
        if exact is not None and ci is not None:
            exact = (min(exact[0], ci[0]), max(exact[1], ci[1]))
            exact = exact if d_span is None else (max(exact[0], d_span[0]), min(exact[1], d_span[1]))
        return diff, exact, sign_flip_p(d)
    if se == 0:
        return diff, constant_ci(diff, int(d.size), d_span), (1.0 if diff == 0 else min(1.0, 2 * 0.5 ** d.size))
    if _is_binary(np.asarray(a, dtype=float)) and _is_binary(np.asarray(b, dtype=float)):
        ci, p = tango_score_ci(int((d > 0).sum()), int((d < 0).sum()), int(d.size))
    return diff, ci, p


def welch_test(a: Sequence[float], b: Sequence[float], span: tuple[float, float] | None = None,
               ) -> tuple[float, tuple[float, float] | None, float | None]:
    """mean(b) − mean(a), Welch–Satterthwaite t-interval and p-value. Two samples each all alike get the
    difference of their `constant_ci` bounds (None without the scores' `span`)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size == 0 or y.size == 0:
        return math.nan, None, None
    diff = float(y.mean() - x.mean())
    if x.size < 2 or y.size < 2:
        return diff, None, None
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1)) if se > 0 else float(x.size + y.size - 2)
    ci, p = _t_result(diff, se, df)
    if se == 0:
        ca, cb = constant_ci(float(x[0]), int(x.size), span), constant_ci(float(y[0]), int(y.size), span)
        ci = None if ca is None or cb is None else (cb[0] - ca[1], cb[1] - ca[0])
        if diff != 0:  # exact permutation p: only the observed split (and its mirror at equal sizes) is as far
            p = min(1.0, (2 if x.size == y.size else 1) / math.comb(x.size + y.size, x.size))
    return diff, ci, p


def compare_scores(a: Mapping[str, float | None], b: Mapping[str, float | None],
                   span: tuple[float, float] | None = None) -> Comparison:
    """Compare B with A on one benchmark; scores keyed by item id, None = missing. `span`: the range the
    scores can take; it bounds the CI where the data cannot (every difference alike, or 5 pairs or fewer),
    which is None there without it."""
    a_ok = {k: v for k, v in a.items() if v is not None and math.isfinite(v)}
    b_ok = {k: v for k, v in b.items() if v is not None and math.isfinite(v)}
    common = sorted(a_ok.keys() & b_ok.keys())
    if len(common) >= 2:
        diff, ci, p = paired_test([a_ok[k] for k in common], [b_ok[k] for k in common], span)
        paired = True
    else:
        diff, ci, p = welch_test(list(a_ok.values()), list(b_ok.values()), span)
        paired = False
    return Comparison(diff=None if math.isnan(diff) else diff, ci=ci, p=p, n_a=len(a_ok), n_b=len(b_ok),
                      paired=paired)


def benjamini_hochberg(pvalues: Sequence[float | None]) -> list[float | None]:
    """BH q-values, same order as the input; None p-values stay None and are not counted in m."""
    idx = [i for i, p in enumerate(pvalues) if p is not None and math.isfinite(p)]
    q: list[float | None] = [None] * len(pvalues)
    m = len(idx)
    ranked = sorted(idx, key=lambda i: pvalues[i])  # type: ignore[arg-type,return-value]
    running = 1.0
    for rank in range(m, 0, -1):
        i = ranked[rank - 1]
        running = min(running, float(pvalues[i]) * m / rank)  # type: ignore[arg-type]
        q[i] = running
    return q


def adjust(comparisons: Mapping[str, Comparison]) -> dict[str, Comparison]:
    """Copies of the comparisons with BH q-values filled in across benchmarks."""
    ids = list(comparisons)
    qs = benjamini_hochberg([comparisons[i].p for i in ids])
    return {i: comparisons[i].model_copy(update={"q": q}) for i, q in zip(ids, qs, strict=True)}


def summarize_comparison(comparisons: Mapping[str, Comparison], alpha: float = ALPHA) -> dict:
    """Headline counts over benchmarks (q-values must be filled in, see `adjust`)."""
    def tally(cs: list[Comparison]) -> dict:
        diffs = [c.diff for c in cs if c.diff is not None]
        sig = [c for c in cs if c.q is not None and c.q < alpha and c.diff is not None]
        return {"n_benchmarks": len(cs), "improved": sum(d > 0 for d in diffs),
                "sig_improved": sum(c.diff > 0 for c in sig), "sig_regressed": sum(c.diff < 0 for c in sig),
                "mean_gain": float(np.mean(diffs)) if diffs else None}

    out = tally(list(comparisons.values()))
    categories = sorted({c.category for c in comparisons.values() if c.category})
    out["per_category"] = {cat: tally([c for c in comparisons.values() if c.category == cat])
                           for cat in categories}
    return out


def refusal_adjusted(a: Mapping[str, tuple[float | None, bool | None]],
                     b: Mapping[str, tuple[float | None, bool | None]],
                     span: tuple[float, float] | None = None) -> Comparison:
    """Paired comparison restricted to items where neither model refused: values are (score, refused);
    `span` as for `compare_scores`."""
    keep = [k for k in a.keys() & b.keys() if a[k][1] is False and b[k][1] is False]
    return compare_scores({k: a[k][0] for k in keep}, {k: b[k][0] for k in keep}, span)


def pool_seeds(seed_means: Sequence[float | None]) -> Summary:
    """Mean over seeds; SE and t-interval across seed means (df = seeds − 1)."""
    x = _clean(seed_means)
    if x.size == 0:
        return Summary(n=0, mean=None, se=None, ci=None)
    mean = float(x.mean())
    if x.size < 2:
        return Summary(n=int(x.size), mean=mean, se=None, ci=None)
    se = float(x.std(ddof=1) / math.sqrt(x.size))
    ci, _ = _t_result(mean, se, x.size - 1)
    return Summary(n=int(x.size), mean=mean, se=se, ci=ci)


def signed(x: float | None) -> str:
    """`+0.123`, or `n/a` for a missing value (how results sentences print differences)."""
    return "n/a" if x is None else f"{x:+.3f}"


def signed_ci(ci: Sequence[float] | None) -> str:
    """`[-0.010, +0.020]`, or `n/a`."""
    return "n/a" if not ci else f"[{ci[0]:+.3f}, {ci[1]:+.3f}]"
