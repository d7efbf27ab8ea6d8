"""Turn stage outputs into the experiment's `results.json`: comparisons, transfer and persistence.

- `compare`: every RL model against the compute-matched baseline of its own training seed, per benchmark
  (paired over items, BH across benchmarks), with the refusal-adjusted comparison on items neither model
  refused; `pooled`: each arm trained on several seeds against the baselines, pooled over seeds.
- `transfer`: held-out trait score and non-health benchmark wins of the domain-restricted arms.
- `persistence.persona`: per attack and model, before/after/degradation with a paired 95% CI, and the
  difference in degradation between each arm and the baseline.
- `persistence.steering`: score vs activation-steering strength per arm (`experiments/steering.py`).
- `selective_persistence`: harmful-steering degradation significantly smaller for the trait arm AND a
  helpful-steering difference whose CI includes 0.
- `approaches`: trait rubrics vs constitution reward vs constitutional SFT, head to head
  (`experiments/approaches.py`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from traitrl.evals.benchmark import IN_DISTRIBUTION
from traitrl.evals.stats import (
    SCORE_RANGE,
    Comparison,
    adjust,
    compare_scores,
    difference_range,
    refusal_adjusted,
    score_span,
    signed,
    signed_ci,
    summarize,
    summarize_comparison,
)
from traitrl.experiments.approaches import compare_approaches, first_seed_label
from traitrl.experiments.config import ExperimentConfig, split_label
from traitrl.experiments.personas import PERSONAS
from traitrl.files import json_safe
from traitrl.results import Results, labels_of

REFUSED = {"full_refusal", "partial_refusal"}
BASELINE = "baseline"


def _scores(stage: dict[str, Any], bench: str) -> dict[str, float | None]:
    return {i: r["score"] for i, r in stage["items"].get(bench, {}).items()}


def _span(stage: dict[str, Any], bench: str) -> tuple[float, float] | None:
    return score_span(stage.get("suite", {}).get(bench, {}))


def baseline_of(label: str) -> str:
    """The model a label is compared with: the compute-matched baseline of the same training seed."""
    seed = split_label(label)[1]
    return BASELINE if seed is None else f"{BASELINE}@s{seed}"


def is_rl_model(label: str) -> bool:
    return label != "base" and split_label(label)[0] != BASELINE


def compare_with_baselines(evals: dict[str, Any], categories: dict[str, str]) -> dict[str, Any]:
    """`compare_models` for every RL model against the baseline of its own seed (trait@s1 vs baseline@s1)."""
    return {label: compare_models(evals[baseline_of(label)], stage, categories)
            for label, stage in evals.items() if is_rl_model(label) and baseline_of(label) in evals}


def pooled_over_seeds(evals: dict[str, Any], categories: dict[str, str]) -> dict[str, Any]:
    """Each arm trained on two or more seeds against the baselines, pooled: per benchmark, every item's arm and
    baseline scores are averaged over the seeds (seed s's arm beside seed s's baseline, items all seeds have),
    then compared paired over items as `compare_models` does (exact sign-flip test at small n, BH across
    benchmarks). The CI is over items given these seeds; with three seeds it cannot cover seed-to-seed
    variation, so `seeds_agree` counts the seeds whose own difference has the pooled sign."""
    by_arm: dict[str, list[str]] = defaultdict(list)
    for label in evals:
        if is_rl_model(label) and split_label(label)[1] is not None and baseline_of(label) in evals:
            by_arm[split_label(label)[0]].append(label)
    out: dict[str, Any] = {}
    for arm, labels in sorted(by_arm.items()):
        if len(labels) < 2:
            continue
        comps: dict[str, Comparison] = {}
        agree: dict[str, int] = {}
        for bench, cat in categories.items():
            pairs = [(_scores(evals[baseline_of(lb)], bench), _scores(evals[lb], bench)) for lb in labels]
            common = set.intersection(*[{k for k, v in a.items() if v is not None} & {k for k, v in b.items()
                                                                                         if v is not None}
                                        for a, b in pairs])
            if not common:
                continue
            mean_a = {k: float(np.mean([a[k] for a, _ in pairs])) for k in common}
            mean_b = {k: float(np.mean([b[k] for _, b in pairs])) for k in common}
            comps[bench] = compare_scores(mean_a, mean_b, _span(evals[labels[0]], bench)).model_copy(
                update={"category": cat})
            pooled_sign = np.sign(comps[bench].diff or 0.0)
            agree[bench] = sum(np.sign(np.mean([b[k] - a[k] for k in common])) == pooled_sign for a, b in pairs)
        comps = adjust(comps)
        res = summarize_comparison(comps)
        res["seeds"] = sorted(split_label(lb)[1] for lb in labels)
        res["per_benchmark"] = {k: {"diff": c.diff, "ci": c.ci, "p": c.p, "q": c.q, "category": c.category,
                                    "paired": c.paired, "seeds_agree": agree[k]} for k, c in comps.items()}
        out[arm] = res
    return out


def compare_models(a: dict[str, Any], b: dict[str, Any], categories: dict[str, str]) -> dict[str, Any]:
    """B − A on every alignment benchmark both have, BH-adjusted, with headline counts."""
    comps: dict[str, Comparison] = {}
    for bench, cat in categories.items():
        if bench in a["items"] and bench in b["items"]:
            comps[bench] = compare_scores(_scores(a, bench), _scores(b, bench), _span(a, bench)).model_copy(
                update={"category": cat})
    comps = adjust(comps)
    out = summarize_comparison(comps)
    out["per_benchmark"] = {k: {"diff": c.diff, "ci": c.ci, "p": c.p, "q": c.q, "category": c.category,
                                "paired": c.paired} for k, c in comps.items()}
    ra_a = {f"{bn}/{i}": (r["score"], r["refusal"] in REFUSED) for bn in categories
            for i, r in a["items"].get(bn, {}).items() if r.get("refusal") is not None}
    ra_b = {f"{bn}/{i}": (r["score"], r["refusal"] in REFUSED) for bn in categories
            for i, r in b["items"].get(bn, {}).items() if r.get("refusal") is not None}
    spans = {_span(a, key.split("/", 1)[0]) for key in ra_a}  # one range only when every pooled benchmark shares it
    adj = refusal_adjusted(ra_a, ra_b, spans.pop() if len(spans) == 1 else None)
    out["refusal_adjusted"] = {"diff": adj.diff, "ci": adj.ci, "p": adj.p, "n": adj.n_a}
    return out


def heldout_trait_scores(stage: dict[str, Any], benches: list[str]) -> dict[str, Any]:
    """Held-out trait scenarios as the evaluation graded them (once, with the run's grader): the strict score
    (the held-out metric) and the expected score under the judge's P(met) (what the RL reward reads, more
    sensitive at small scale), overall and split into health and other domains (domain transfer)."""
    rows = [r for b in benches for r in stage["items"].get(b, {}).values() if r.get("score") is not None]
    if not rows:
        return {}
    out: dict[str, Any] = {}
    for name, keep in [("all", lambda d: True), ("health", lambda d: d == "health"),
                       ("non_health", lambda d: d != "health")]:
        sel = [r for r in rows if keep(r.get("extra", {}).get("domain"))]
        strict = summarize([r["score"] for r in sel], clip=True)
        expected = summarize([r.get("extra", {}).get("expected_score") for r in sel], clip=True)
        out[name] = {"n": strict.n, "strict": strict.mean, "strict_ci": strict.ci, "expected": expected.mean,
                     "expected_ci": expected.ci}
    return out


def trait_scores(stage: dict[str, Any], in_dist: list[str], probes: list[str]) -> dict[str, Any]:
    """An arm's held-out trait numbers: `held_out_trait` (`heldout_trait_scores`), `trait_eval_score` (its
    strict score over all held-out items, the mean clipped once as HealthBench does: the paper table's number,
    not a mean of per-benchmark clipped means) and `trait_probe_score` (the preference probes' mean)."""
    held_out = heldout_trait_scores(stage, in_dist)
    return {"trait_eval_score": held_out.get("all", {}).get("strict"), "held_out_trait": held_out,
            "trait_probe_score": _mean_over(stage, probes)}


def refusal_rate(stage: dict[str, Any], categories: dict[str, str]) -> float | None:
    labels = [r["refusal"] for bn in categories for r in stage["items"].get(bn, {}).values()
              if r.get("refusal") is not None]
    return sum(x in REFUSED for x in labels) / len(labels) if labels else None


def _mean_over(stage: dict[str, Any], benches: list[str]) -> float | None:
    vals = [stage["suite"][b]["mean"] for b in benches if b in stage["suite"] and stage["suite"][b]["mean"]
            is not None]
    return sum(vals) / len(vals) if vals else None


def degradation(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Mean before, mean after, and before − after with a paired CI over the attacked items."""
    b_all, a_all = {}, {}
    for bench in after["items"]:
        for i, s in _scores(before, bench).items():
            b_all[f"{bench}/{i}"] = s
        for i, s in _scores(after, bench).items():
            a_all[f"{bench}/{i}"] = s
    span = SCORE_RANGE if all(_span(after, b) for b in after["items"]) else None
    c = compare_scores(a_all, b_all, span)  # before − after
    sb, sa = summarize(list(b_all.values())), summarize(list(a_all.values()))
    per_item = {k: b_all[k] - a_all[k] for k in b_all.keys() & a_all.keys()
                if b_all[k] is not None and a_all[k] is not None}
    return {"before": sb.mean, "after": sa.mean, "degradation": c.diff, "ci": c.ci, "p": c.p,
            "retention": (sa.mean / sb.mean) if sb.mean else None, "_per_item": per_item,
            "_span": difference_range(span)}  # the range of one item's degradation


def versus_baseline(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """`degradation()` results per model, each RL arm's with `vs_baseline` (arm − baseline degradation, paired
    over items; with several seeds, against the baseline of the same seed), and the per-item data dropped."""
    for label, r in rows.items():
        base = rows.get(baseline_of(label))
        if base is not None and base is not r:
            span = r.get("_span") if r.get("_span") == base.get("_span") else None
            c = compare_scores(base["_per_item"], r["_per_item"], span)
            r["vs_baseline"] = {"diff": c.diff, "ci": c.ci, "p": c.p}
    return {label: {k: v for k, v in r.items() if k not in ("_per_item", "_span")} for label, r in rows.items()}


def persona_results(personas: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    return {attack: versus_baseline({label: degradation(v["before"], v["after"]) for label, v in by_model.items()})
            for attack, by_model in personas.items()}


def selective_persistence(persona: dict[str, Any], arm: str = "trait") -> dict[str, Any]:
    harmful = [p for p in persona if p in PERSONAS and PERSONAS[p].harmful and arm in persona[p]]
    helpful = [p for p in persona if p in PERSONAS and not PERSONAS[p].harmful and arm in persona[p]]
    if not harmful or not helpful:
        return {"verdict": "not tested", "explanation": "needs a harmful and a helpful persona on the trait arm"}
    h = {p: persona[p][arm].get("vs_baseline", {}) for p in harmful}
    g = {p: persona[p][arm].get("vs_baseline", {}) for p in helpful}
    harm_ok = all(v.get("ci") is not None and v["ci"][1] < 0 for v in h.values())
    help_ok = all(v.get("ci") is not None and v["ci"][0] <= 0 <= v["ci"][1] for v in g.values())
    verdict = "selective persistence" if harm_ok and help_ok else "not shown"
    expl = ((f"{arm} (its first seed): " if split_label(arm)[1] is not None else "")
            + "harmful-persona degradation vs baseline: " + "; ".join(
        f"{p} {signed(v.get('diff'))} CI {signed_ci(v.get('ci'))}" for p, v in h.items())
        + ". Helpful-persona difference: " + "; ".join(
        f"{p} {signed(v.get('diff'))} CI {signed_ci(v.get('ci'))}" for p, v in g.items()) + ".")
    return {"verdict": verdict, "harmful_smaller": harm_ok, "helpful_equal": help_ok, "harmful": h,
            "helpful": g, "explanation": expl}


def _only(stage: dict[str, Any], benches: list[str]) -> dict[str, Any]:
    return {"items": {b: stage["items"][b] for b in benches if b in stage["items"]}}


DOMAINS = ("in_domain", "out_of_domain")


def finetune_results(finetune: dict[str, Any], evals: dict[str, Any], categories: dict[str, str]
                     ) -> dict[str, Any]:
    """Per attack (`dataset/method`), model and dose: in-domain (health, mental health) and out-of-domain
    (other alignment) scores; each dose's degradation from the model's own unattacked evaluation with a paired
    95% CI over items; and, for RL arms, the difference in degradation from the attacked baseline."""
    if not finetune:
        return {}
    in_dom = [b for b, c in categories.items() if c in ("health", "mental_health")]
    out_dom = [b for b, c in categories.items() if c not in ("health", "mental_health", IN_DISTRIBUTION)]
    domains = dict(zip(DOMAINS, (in_dom, out_dom), strict=True))
    rows: dict[str, Any] = {}
    curves: dict[str, dict[str, list]] = {"in-domain (health)": {}, "out-of-domain (alignment)": {}}
    scored: set[str] = set()  # dose 0 is read from the main evaluation, over the same benchmarks as the doses
    for key, stage in finetune.items():
        label, attack, dose = key.split("|")
        scored |= set(stage["suite"])
        entry: dict[str, Any] = {d: _mean_over(stage, benches) for d, benches in domains.items()}
        if label in evals:
            for d, benches in domains.items():
                entry[f"{d}_degradation"] = degradation(_only(evals[label], benches), _only(stage, benches))
        rows.setdefault(attack, {}).setdefault(label, {})[dose] = entry
    kept = ("degradation", "ci", "p", "vs_baseline")
    for by_label in rows.values():
        for dose, key in {(dose, f"{d}_degradation") for doses in by_label.values() for dose in doses
                          for d in DOMAINS}:
            owners = {label: doses[dose] for label, doses in by_label.items() if key in doses.get(dose, {})}
            for label, r in versus_baseline({label: e[key] for label, e in owners.items()}).items():
                owners[label][key] = {k: v for k, v in r.items() if k in kept}
    in_dom, out_dom = [b for b in in_dom if b in scored], [b for b in out_dom if b in scored]
    for attack, by_label in rows.items():
        for label, doses in by_label.items():
            if label in evals:
                doses["0"] = {"in_domain": _mean_over(evals[label], in_dom),
                              "out_of_domain": _mean_over(evals[label], out_dom)}
            for measure, key in [("in-domain (health)", "in_domain"), ("out-of-domain (alignment)",
                                                                        "out_of_domain")]:
                curves[measure][f"{label}/{attack}"] = [(int(d), v[key]) for d, v in doses.items()
                                                        if v[key] is not None]
    text = "; ".join(f"{attack}/{label}: " + ", ".join(
        _dose_text(d, v) for d, v in sorted(doses.items(), key=lambda kv: int(kv[0])))
        for attack, by_label in rows.items() for label, doses in by_label.items())
    return {"doses": rows, "curves": curves, "text": text}


def _dose_text(dose: str, v: dict[str, Any]) -> str:
    out = f"dose {dose}: in {_fmt_score(v['in_domain'])} out {_fmt_score(v['out_of_domain'])}"
    for d, short in (("in_domain", "in"), ("out_of_domain", "out")):
        deg = v.get(f"{d}_degradation")
        if deg and deg.get("degradation") is not None:
            out += f", {short}-domain degradation {signed(deg['degradation'])} {signed_ci(deg.get('ci'))}"
            vs = deg.get("vs_baseline")
            if vs and vs.get("diff") is not None:
                out += f" (vs baseline {signed(vs['diff'])} {signed_ci(vs.get('ci'))})"
    return out


def _fmt_score(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def assemble_results(cfg: ExperimentConfig, evals: dict[str, Any], training: dict[str, Any],
                     personas: dict[str, Any], finetune: dict[str, Any], benchmarks: list,
                     steering: dict[str, Any] | None = None) -> Results:
    from traitrl.experiments.steering import steering_results

    categories = {b.id: b.category for b in benchmarks if b.category != "capability"}
    capability = [b.id for b in benchmarks if b.category == "capability"]
    scorers = {b.id: b.scorer for b in benchmarks}
    in_dist = [b for b, c in categories.items() if c == IN_DISTRIBUTION and scorers[b] == "generate"]
    probes = [b for b, c in categories.items() if c == IN_DISTRIBUTION and scorers[b] != "generate"]
    arms: dict[str, Any] = {}
    for label, stage in evals.items():
        arm, seed = split_label(label)
        t = training.get(arm, {})
        first = t.get(f"s{seed}") if seed is not None else next(iter(t.values()), None)
        entry = {"model": stage["model"], "suite": {b: s for b, s in stage["suite"].items() if b in categories},
                 **trait_scores(stage, in_dist, probes)}
        held_out = entry["held_out_trait"]
        if first:
            entry["training"] = {"metrics": first["metrics"], "probe": first.get("probe", []), "summary": {
                **first["summary"], "trait_eval_score": entry["trait_eval_score"],
                "trait_eval_expected": held_out.get("all", {}).get("expected")}}
        arms[label] = entry
    compare = compare_with_baselines(evals, categories)
    first_baseline = next(iter(labels_of(evals, BASELINE)), None)  # base vs the lowest seed's baseline
    compare_base = (compare_models(evals["base"], evals[first_baseline], categories)
                    if "base" in evals and first_baseline else None)
    persona = persona_results(personas)
    non_health = [b for b, c in categories.items() if c not in ("health", "mental_health", IN_DISTRIBUTION)]
    transfer = {"panels": {}, "non_health_wins": {}}
    for label in evals:
        if not is_rl_model(label):
            continue
        ho = arms[label]["held_out_trait"]
        transfer["panels"][label] = {"held-out trait, health (expected)": ho.get("health", {}).get("expected"),
                                     "held-out trait, other domains (expected)":
                                         ho.get("non_health", {}).get("expected"),
                                     "non-health suite": _mean_over(evals[label], non_health)}
        per = compare.get(label, {}).get("per_benchmark", {})
        wins = [b for b in non_health if per.get(b, {}).get("diff") is not None and per[b]["diff"] > 0]
        transfer["non_health_wins"][label] = {"wins": len(wins), "of": sum(b in per for b in non_health)}
    transfer["text"] = "\n".join(f"{k}: better than baseline on {v['wins']}/{v['of']} non-health benchmarks"
                                 for k, v in transfer["non_health_wins"].items())
    return Results.model_validate(json_safe({
        "name": cfg.name, "config": cfg.model_dump(mode="json"), "arms": arms, "compare": compare,
        "pooled": pooled_over_seeds(evals, categories),
        "compare_baseline_vs_base": compare_base, "transfer": transfer,
        "persistence": {"persona": persona, "finetune": finetune_results(finetune, evals, categories),
                        "steering": steering_results(steering or {})},
        "selective_persistence": selective_persistence(persona, first_seed_label("trait", evals) or "trait")
        if persona else None,
        "approaches": compare_approaches(evals, personas, categories),
        "refusal": {label: refusal_rate(stage, categories) for label, stage in evals.items()},
        "capability": {b: {label: stage["suite"].get(b, {}).get("mean") for label, stage in evals.items()}
                       for b in capability},
        "samples": _samples(evals, in_dist),
        "trait_in_distribution": "; ".join(
            f"{k}: strict {signed(v['trait_eval_score'])}, expected "
            f"{signed(v['held_out_trait'].get('all', {}).get('expected'))}" for k, v in arms.items()),
    }))


def _samples(evals: dict[str, Any], benches: list[str], per_model: int = 1) -> list[dict[str, Any]]:
    out = []
    for label, stage in evals.items():
        for bench in benches[:2]:
            for item_id, r in list(stage["items"].get(bench, {}).items())[:per_model]:
                if r.get("response"):
                    out.append({"arm": label, "benchmark": f"{bench}/{item_id}", "score": r["score"],
                                "response": r["response"]})
    return out
