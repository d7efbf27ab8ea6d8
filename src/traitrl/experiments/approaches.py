"""Head-to-head of the ways to train traits: per-scenario trait rubrics (the paper), a constitution as the
reward, and constitutional SFT — which generalised and which persisted better, or that the data cannot tell.

For each pair of approach arms present in a run:
- **generalisation**: B − A on every alignment benchmark (paired over items, BH-adjusted; the same
  `compare_models` as against the baseline), and the mean of the per-benchmark differences with a
  bootstrap 95% CI over benchmarks;
- **persistence under harmful personas**: B's minus A's per-item degradation, pooled over the harmful
  attacks both arms faced, with a paired 95% CI (negative: B degrades less, i.e. persists better).

A verdict names a winner only when the CI excludes 0.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from traitrl.evals.stats import SCORE_RANGE, compare_scores, difference_range, signed, summarize
from traitrl.experiments.personas import PERSONAS
from traitrl.results import labels_of

APPROACHES = ("trait", "constitution_reward", "constitutional_sft")


def _verdict(a: str, b: str, ci: Any, higher_is_better: bool, what: str) -> str:
    if not ci:
        return f"{what}: not enough data"
    lo, hi = ci
    if lo > 0:
        return f"{what}: {b if higher_is_better else a} better"
    if hi < 0:
        return f"{what}: {a if higher_is_better else b} better"
    return f"{what}: cannot tell {a} and {b} apart"


def _persona_degradations(personas: dict[str, Any], label: str) -> dict[str, float]:
    """Per-item degradation (before − after) of `label` over every harmful attack, keyed attack/bench/item."""
    from traitrl.experiments.analysis import degradation

    out: dict[str, float] = {}
    for attack, by_model in personas.items():
        persona = PERSONAS.get(attack)
        harmful = persona.harmful if persona is not None else attack.startswith("many_shot")
        if harmful and label in by_model:
            d = degradation(by_model[label]["before"], by_model[label]["after"])
            out.update({f"{attack}/{k}": v for k, v in d["_per_item"].items()})
    return out


def first_seed_label(arm: str, evals: dict[str, Any]) -> str | None:
    """The model label of `arm` in a run's evaluations: the arm itself in a one-seed run, else its lowest seed
    (trait@s0), so that approaches trained on seed 0 only are compared on the same seed."""
    return next(iter(labels_of(evals, arm)), None)


def compare_approaches(evals: dict[str, Any], personas: dict[str, Any], categories: dict[str, str]
                       ) -> dict[str, Any]:
    """`{"pairs": {"A vs B": {...}}, "text": [...]}` for the approach arms present (see the module docstring)."""
    from traitrl.experiments.analysis import compare_models

    present = [label for a in APPROACHES if (label := first_seed_label(a, evals))]
    pairs: dict[str, Any] = {}
    text: list[str] = []
    for a, b in combinations(present, 2):
        c = compare_models(evals[a], evals[b], categories)
        diffs = [v["diff"] for v in c["per_benchmark"].values() if v["diff"] is not None]
        gen = summarize(diffs, span=difference_range(SCORE_RANGE))  # differences of benchmark means
        da, db = _persona_degradations(personas, a), _persona_degradations(personas, b)
        pers = compare_scores(da, db) if da and db else None
        entry = {"generalisation": {"b_better": c["improved"], "n_benchmarks": c["n_benchmarks"],
                                    "sig_b_better": c["sig_improved"], "sig_a_better": c["sig_regressed"],
                                    "mean_diff": gen.mean, "ci": gen.ci},
                 "persona_persistence": None if pers is None else
                 {"degradation_diff": pers.diff, "ci": pers.ci, "p": pers.p, "n_items": pers.n_a}}
        entry["verdict"] = [_verdict(a, b, gen.ci, True, "generalisation (suite)"),
                            _verdict(a, b, pers.ci if pers else None, False, "persistence (harmful personas)")]
        pairs[f"{a} vs {b}"] = entry
        text.append(f"{b} − {a}: better on {c['improved']}/{c['n_benchmarks']} benchmarks "
                    f"({c['sig_improved']} significant, {c['sig_regressed']} significantly worse), mean "
                    f"{signed(gen.mean)} {_ci(gen.ci)}; harmful-persona degradation difference "
                    f"{signed(pers.diff if pers else None)} {_ci(pers.ci if pers else None)}. "
                    + "; ".join(entry["verdict"]) + ".")
    return {"pairs": pairs, "text": text}


def _ci(ci: Any) -> str:
    return "[n/a]" if not ci else f"[{ci[0]:+.3f}, {ci[1]:+.3f}]"
