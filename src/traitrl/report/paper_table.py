"""The paper's headline claims beside ours: one row per claim, with our number, its 95% CI, the paper's number
and a verdict that follows from the CI alone ("reproduced" only when the CI excludes 0 in the paper's
direction). Rows whose parts a run did not measure say so.

    render_paper_table(results)      # Markdown, also written into summary.md
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from scipy import stats as sps

from traitrl.results import Comparison, Estimate, Results, labels_of

NOT_MEASURED = "not measured"


class PaperRow(BaseModel):
    claim: str
    ours: str
    ci: str
    paper: str
    verdict: str


def verdict(ci: Sequence[float | None] | None, sign: int = 1) -> str:
    """From a CI of an effect the paper reports as `sign` (+1 larger, -1 smaller)."""
    if not ci or ci[0] is None or ci[1] is None:
        return "no CI"
    lo, hi = (ci[0], ci[1]) if sign > 0 else (-ci[1], -ci[0])
    if lo > 0:
        return "reproduced"
    if hi < 0:
        return "opposite, CI excludes 0"
    return "not reproduced: CI includes 0"


EQUIVALENCE_MARGIN = 0.05  # "no difference" needs a CI inside ±0.05 (the paper's: [−0.016, +0.025])
VERDICT_RULE = (
    'A verdict follows from the CI alone: "reproduced" only when it excludes 0 in the paper\'s direction (for a '
    "claim of no difference: every CI includes 0 within ±0.05). A comparison over 5 items or fewer has the whole "
    "possible range as its CI (no test can reject at that size), and items that are all alike get the binomial "
    "bound on how many could differ, never a zero-width interval.")


def equivalence_verdict(cis: Iterable[Sequence[float | None] | None]) -> str:
    """For a claim of no difference: reproduced only when every CI includes 0 and lies within the margin."""
    kept = [ci for ci in cis if ci and None not in ci]
    if not kept:
        return "no CI"
    if any(not ci[0] <= 0 <= ci[1] for ci in kept):
        return "not reproduced: a CI excludes 0"
    if all(-EQUIVALENCE_MARGIN <= ci[0] and ci[1] <= EQUIVALENCE_MARGIN for ci in kept):
        return "reproduced"
    return f"inconclusive: CIs include 0 but reach beyond ±{EQUIVALENCE_MARGIN}"


def _n(x: float | None, nd: int = 3, sign: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:+.{nd}f}" if sign else f"{x:.{nd}f}"


def _ci(ci: Sequence[float | None] | None) -> str:
    return "n/a" if not ci or ci[0] is None or ci[1] is None else f"[{ci[0]:+.3f}, {ci[1]:+.3f}]"


def _mean(xs: Iterable[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return sum(vals) / len(vals) if vals else None


def _trait_score_row(results: Results) -> PaperRow:
    base = results.arms.get("base")
    trait = [results.arms[lb] for lb in labels_of(results.arms, "trait")]
    b = base.held_out_trait.get("all") if base else None
    t = [a.held_out_trait["all"] for a in trait if "all" in a.held_out_trait]
    if b is None or not t:
        return PaperRow(claim="held-out trait score (strict), base → trait", ours=NOT_MEASURED, ci="",
                        paper="0.406 → 0.607", verdict=NOT_MEASURED)
    seeds = f" (mean of {len(t)} seeds)" if len(t) > 1 else ""
    tci = t[0].strict_ci if len(t) == 1 else None
    separated = (b.strict_ci and tci and None not in (*b.strict_ci, *tci))
    if separated:
        v = "reproduced" if tci[0] > b.strict_ci[1] else (
            "opposite, CIs apart" if tci[1] < b.strict_ci[0] else "not reproduced: CIs overlap")
    else:
        v = "see per-seed CIs"
    return PaperRow(claim="held-out trait score (strict), base → trait",
                    ours=f"{_n(b.strict)} → {_n(_mean(x.strict for x in t))}{seeds}",
                    ci=f"{_ci(b.strict_ci)} → " + ", ".join(_ci(x.strict_ci) for x in t),
                    paper="0.406 → 0.607", verdict=v)


def _probe_row(results: Results) -> PaperRow:
    base = results.arms.get("base")
    trait = [results.arms[lb].trait_probe_score for lb in labels_of(results.arms, "trait")]
    if base is None or base.trait_probe_score is None or _mean(trait) is None:
        return PaperRow(claim="trait preference probes, base → trait", ours=NOT_MEASURED, ci="", paper="—",
                        verdict=NOT_MEASURED)
    return PaperRow(claim="trait preference probes, base → trait",
                    ours=f"{_n(base.trait_probe_score)} → {_n(_mean(trait))}", ci="per probe in `compare`",
                    paper="—", verdict="see the per-benchmark rows")


def _trait_comparison(results: Results) -> tuple[str, Comparison] | None:
    if "trait" in results.pooled:
        return "pooled over seeds", results.pooled["trait"]
    labels = [lb for lb in labels_of(results.arms, "trait") if lb in results.compare]
    return (labels[0], results.compare[labels[0]]) if labels else None


def _benchmarks_row(results: Results) -> PaperRow:
    found = _trait_comparison(results)
    if found is None:
        return PaperRow(claim="benchmarks better / significant after BH / significantly worse, trait vs baseline",
                        ours=NOT_MEASURED, ci="", paper="44 / 30 / 3 of 53, mean +9.1 points",
                        verdict=NOT_MEASURED)
    which, c = found
    gain = None if c.mean_gain is None else 100 * c.mean_gain
    v = ("reproduced" if c.sig_improved > c.sig_regressed and c.sig_improved > 0 else
         "not reproduced: none significant" if c.sig_improved == 0 else "not reproduced")
    return PaperRow(claim=f"benchmarks better / significant after BH / significantly worse, trait vs baseline "
                          f"({which})",
                    ours=f"{c.improved} / {c.sig_improved} / {c.sig_regressed} of {c.n_benchmarks}, mean "
                         f"{_n(gain, 1, sign=True)} points", ci="per benchmark in `compare`",
                    paper="44 / 30 / 3 of 53, mean +9.1 points", verdict=v)


def sign_test_p(wins: int, n: int) -> float | None:
    """Exact two-sided binomial test of `wins` of `n` against 1/2."""
    return float(sps.binomtest(wins, n, 0.5).pvalue) if n else None


NON_HEALTH_EXCLUDED = ("health", "mental_health", "in_distribution")


def _health_row(results: Results) -> PaperRow:
    claim = "health-only arm better than baseline on non-health benchmarks (wins / losses, ties left out)"
    labels = labels_of(results.compare, "health_only")
    if not labels:
        return PaperRow(claim=claim, ours=NOT_MEASURED, ci="", paper="17 of 19", verdict=NOT_MEASURED)
    diffs = [b.diff for b in results.compare[labels[0]].per_benchmark.values()
             if b.category not in NON_HEALTH_EXCLUDED and b.diff is not None]
    wins, losses = sum(d > 0 for d in diffs), sum(d < 0 for d in diffs)
    p = sign_test_p(wins, wins + losses)
    if p is None or p >= 0.05:
        v = "not reproduced: sign test p ≥ 0.05"
    else:
        v = "reproduced" if wins > losses else "opposite: significantly more losses"
    return PaperRow(claim=claim, ours=f"{wins} / {losses} of {len(diffs)} ({labels[0]})",
                    ci=f"sign test p = {_n(p)}", paper="17 of 19", verdict=v)


def _persona_rows(results: Results) -> list[PaperRow]:
    sel = results.selective_persistence
    if sel is None or not sel.harmful:
        return [PaperRow(claim="harmful-persona retention, trait vs baseline", ours=NOT_MEASURED, ci="",
                         paper="74 % vs 36 %", verdict=NOT_MEASURED),
                PaperRow(claim="helpful-persona difference, trait − baseline", ours=NOT_MEASURED, ci="",
                         paper="+0.0045 [−0.016, +0.025]", verdict=NOT_MEASURED)]
    persona = results.persistence.persona
    trait, base = labels_of(results.arms, "trait"), labels_of(results.arms, "baseline")

    def retention(labels: list[str]) -> float | None:
        return _mean(persona[p][lb].retention for p in sel.harmful for lb in labels if lb in persona.get(p, {}))

    harmful = "; ".join(f"{p} {_n(e.diff, sign=True)} {_ci(e.ci)} ({verdict(e.ci, -1)})"
                        for p, e in sel.harmful.items())
    helpful: dict[str, Estimate] = sel.helpful
    help_verdict = equivalence_verdict([e.ci for e in helpful.values()])
    return [PaperRow(claim="harmful-persona retention, trait vs baseline (degradation difference per persona)",
                     ours=f"{_pct(retention(trait))} vs {_pct(retention(base))}", ci=harmful,
                     paper="74 % vs 36 %", verdict=sel.verdict),
            PaperRow(claim="helpful-persona difference, trait − baseline",
                     ours="; ".join(f"{p} {_n(e.diff, sign=True)}" for p, e in helpful.items()),
                     ci="; ".join(_ci(e.ci) for e in helpful.values()), paper="+0.0045 [−0.016, +0.025]",
                     verdict=help_verdict)]


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f} %"


def _finetune_row(results: Results) -> PaperRow:
    doses: dict[str, Any] = results.persistence.finetune.get("doses", {})
    parts, cis = [], []
    for key, by_label in doses.items():
        trait = next(iter(labels_of(by_label, "trait")), None)
        for dose, v in sorted((by_label[trait] if trait else {}).items(), key=lambda kv: int(kv[0])):
            vs = (v.get("in_domain_degradation") or {}).get("vs_baseline")
            if vs:
                parts.append(f"{key} dose {dose}: {_n(vs.get('diff'), sign=True)}")
                cis.append(_ci(vs.get("ci")))
    if not parts:
        return PaperRow(claim="harmful fine-tuning degradation, trait − baseline, per dose", ours=NOT_MEASURED,
                        ci="", paper="compared with the pre-RL model only", verdict=NOT_MEASURED)
    return PaperRow(claim="harmful fine-tuning degradation (in-domain), trait − baseline, per dose",
                    ours="; ".join(parts), ci="; ".join(cis), paper="compared with the pre-RL model only",
                    verdict="no paper number to reproduce")


def _approaches_row(results: Results) -> PaperRow:
    pairs: dict[str, Any] = results.approaches.get("pairs", {})
    key = next((k for k in pairs if "constitution_reward" in k and k.startswith("trait")), None)
    if key is None:
        return PaperRow(claim="trait rubrics vs constitution reward", ours=NOT_MEASURED, ci="", paper="—",
                        verdict=NOT_MEASURED)
    g, pers = pairs[key]["generalisation"], pairs[key].get("persona_persistence") or {}
    return PaperRow(claim="constitution reward − trait rubrics: suite mean; harmful-persona degradation",
                    ours=f"{_n(g.get('mean_diff'), sign=True)}; {_n(pers.get('degradation_diff'), sign=True)}",
                    ci=f"{_ci(g.get('ci'))}; {_ci(pers.get('ci'))}", paper="—",
                    verdict="; ".join(pairs[key].get("verdict", [])))


def paper_rows(results: Results) -> list[PaperRow]:
    return [_trait_score_row(results), _probe_row(results), _benchmarks_row(results), _health_row(results),
            *_persona_rows(results), _finetune_row(results), _approaches_row(results)]


def render_paper_table(results: Results) -> str:
    lines = ["| claim | ours | 95 % CI | paper | verdict |", "|---|---|---|---|---|"]
    lines += [f"| {r.claim} | {r.ours} | {r.ci} | {r.paper} | {r.verdict} |" for r in paper_rows(results)]
    return "\n".join(lines)
