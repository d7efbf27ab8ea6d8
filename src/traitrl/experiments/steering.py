"""Persistence test C: activation steering along persona vectors (Chen et al., 2025).

    steer-directions (start model, one file per persona) ─► steer-<persona>-c<coef>-<arm> ─► persistence.steering

Directions are read once from the experiment's start model (`evals/persona_vectors.py`) and the same
vector attacks every arm, so arms differ only in their weights. Per arm, persona and coefficient the
persona's suite subset (its log-likelihood benchmarks) and the held-out trait scenarios are scored with the
direction added after the chosen block. Coefficient 0 is the unsteered evaluation of the same items (adding a
zero vector is exact: tests/evals/test_persona_vectors.py). Every stage is content-addressed.

Reported per persona and arm: the curve of score vs coefficient, the coefficient at which a score halves
(linear between sweep points; None when it does not within the sweep), the paired degradation from
coefficient 0, and for RL arms the difference from the baseline's degradation with a paired 95% CI. The
helpful direction (concise) is read as words per held-out response: it should still move the trait arm.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from traitrl.evals.benchmark import IN_DISTRIBUTION, Benchmark
from traitrl.evals.persona_vectors import (
    ExtractSettings,
    direction_key,
    extract_direction,
    get_steer_persona,
    read_direction,
    steering_for,
    write_direction,
)
from traitrl.evals.stats import compare_scores, signed, signed_ci, summarize
from traitrl.experiments.config import ExperimentConfig, SteeringSettings, selected
from traitrl.experiments.stages import StageStore
from traitrl.text import words

FIELD = "persistence.steering.layer"


def directions_stage(store: StageStore, cfg: ExperimentConfig, ss: SteeringSettings) -> Path:
    """One direction file per persona, read from the start model; resumes persona by persona."""
    from traitrl.evals.evaluator import _load_for_eval, spec_fingerprint

    fingerprint = spec_fingerprint(cfg.model)
    settings = ExtractSettings(max_new_tokens=ss.extract_max_new_tokens)
    parts = {"model": fingerprint, "directions": {p: direction_key(fingerprint, p, settings) for p in ss.personas}}

    def work(d: Path) -> None:
        for persona in ss.personas:
            if not (d / f"{persona}.safetensors").exists():
                loaded = _load_for_eval(cfg.model, "auto", fingerprint)
                write_direction(d / f"{persona}.safetensors", *extract_direction(loaded, persona, settings))

    return store.run("steer-directions", parts, work)


def held_out_benchmarks(benchmarks: list[Benchmark]) -> list[Benchmark]:
    return [b for b in benchmarks if b.category == IN_DISTRIBUTION and b.scorer == "generate"]


def steering_stages(store: StageStore, cfg: ExperimentConfig, models: dict[str, str],
                    benchmarks: list[Benchmark]) -> dict[str, Any]:
    """`{"directions": {persona: info}, "held_out": [ids], "runs": {persona: {label: {coef: stage}}}}`."""
    from traitrl.evals.registry import get_benchmark
    from traitrl.experiments.evaluation import eval_stage

    ss = cfg.persistence.steering
    if ss is None:
        return {}
    folder = directions_stage(store, cfg, ss)
    held = held_out_benchmarks(benchmarks) if ss.held_out_limit else []
    units = {p: steering_for(folder / f"{p}.safetensors", p, ss.layer, 1.0, field=FIELD) for p in ss.personas}
    out: dict[str, Any] = {"directions": {}, "held_out": [b.id for b in held], "runs": {}}
    for persona, unit in units.items():
        out["directions"][persona] = {**read_direction(unit.directions)[1].model_dump(),
                                      "harmful": get_steer_persona(persona).harmful, "layer": unit.layer}
    for label, spec in models.items():  # model by model: the evaluator keeps one loaded model
        if not selected(label, ss.arms):
            continue
        for persona, unit in units.items():
            targets = [get_benchmark(b) for b in get_steer_persona(persona).benchmarks] + held
            if not targets:
                continue
            for coef in ss.coefficients:
                stage = eval_stage(store, cfg, label, spec, targets, limit=ss.limit,
                                   limits={b.id: ss.held_out_limit for b in held}, tag=f"steer-{persona}-c{coef:g}",
                                   steering=unit.model_copy(update={"coef": coef}) if coef else None)
                out["runs"].setdefault(persona, {}).setdefault(label, {})[coef] = stage
    return out


# ---- analysis -------------------------------------------------------------------------------------------

def halving(points: list[tuple[float, float | None]]) -> float | None:
    """The smallest positive coefficient at which a score falls to half its value at 0, linear between sweep
    points; None when the score at 0 is not positive or never halves within the sweep."""
    base = dict(points).get(0.0)
    if base is None or base <= 0:
        return None
    half, prev_c, prev_s = base / 2, 0.0, base
    for c, s in sorted(p for p in points if p[0] > 0 and p[1] is not None):
        if s <= half:
            return prev_c + (prev_s - half) / (prev_s - s) * (c - prev_c)
        prev_c, prev_s = c, s
    return None


def _item_scores(stage: dict[str, Any], benches: list[str]) -> dict[str, float | None]:
    return {f"{b}/{i}": r["score"] for b in benches for i, r in stage["items"].get(b, {}).items()}


def _word_counts(stage: dict[str, Any], benches: list[str]) -> dict[str, float | None]:
    return {f"{b}/{i}": None if r.get("response") is None else float(len(words(r["response"])))
            for b in benches for i, r in stage["items"].get(b, {}).items()}


def _estimate(r: dict[str, Any] | None, key: str = "diff") -> dict[str, Any] | None:
    return None if r is None else {"diff": r.get(key), "ci": r.get("ci"), "p": r.get("p")}


def _change(before: dict[str, float | None], after: dict[str, float | None]) -> dict[str, Any]:
    """after − before, paired over items, with the per-item changes `versus_baseline` pairs."""
    c = compare_scores(before, after)
    per = {k: after[k] - before[k] for k in before.keys() & after.keys()
           if before[k] is not None and after[k] is not None}
    return {"diff": c.diff, "ci": c.ci, "p": c.p, "_per_item": per}


def _versus(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    from traitrl.experiments.analysis import versus_baseline

    return versus_baseline(rows) if rows else {}


def persona_curves(by_label: dict[str, dict[float, dict[str, Any]]], subset: list[str], held: list[str]
                   ) -> dict[str, Any]:
    """Per arm: the curve over coefficients and the halving coefficients (see the module docstring)."""
    from traitrl.experiments.analysis import _only, degradation, heldout_trait_scores

    coefs = sorted(next(iter(by_label.values())))
    curves: dict[str, list[dict[str, Any]]] = {label: [] for label in by_label}
    for coef in coefs:
        suite_deg, held_deg, word_chg = {}, {}, {}
        for label, stages in by_label.items():
            s0, sc = stages[0.0], stages[coef]
            ho = heldout_trait_scores(sc, held).get("all", {}) if held else {}
            point = {"coef": coef, "suite": summarize(list(_item_scores(sc, subset).values())).mean,
                     "held_out": ho.get("strict"), "held_out_expected": ho.get("expected"),
                     "words": summarize(list(_word_counts(sc, held).values())).mean}
            if coef != 0:
                if subset:
                    suite_deg[label] = degradation(_only(s0, subset), _only(sc, subset))
                if held:
                    held_deg[label] = degradation(_only(s0, held), _only(sc, held))
                    word_chg[label] = _change(_word_counts(s0, held), _word_counts(sc, held))
            curves[label].append(point)
        suite_deg, held_deg, word_chg = _versus(suite_deg), _versus(held_deg), _versus(word_chg)
        for label in by_label:
            point = curves[label][-1]
            point["degradation"] = _estimate(suite_deg.get(label), "degradation")
            point["vs_baseline"] = suite_deg.get(label, {}).get("vs_baseline")
            point["held_out_vs_baseline"] = held_deg.get(label, {}).get("vs_baseline")
            point["words_change"] = _estimate(word_chg.get(label))
            point["words_change_vs_baseline"] = word_chg.get(label, {}).get("vs_baseline")
    return {label: {"curve": pts, "halving": {
        m: halving([(p["coef"], p[m]) for p in pts]) for m in ("suite", "held_out", "held_out_expected")}}
        for label, pts in curves.items()}


def _ci_below_zero(e: dict[str, Any] | None) -> bool:
    return bool(e and e.get("ci") and e["ci"][1] is not None and e["ci"][1] < 0)


def _ci_has_zero(e: dict[str, Any] | None) -> bool:
    return bool(e and e.get("ci") and e["ci"][0] <= 0 <= e["ci"][1])


def _ci(e: dict[str, Any] | None) -> str:
    return "n/a" if not e or not e.get("ci") else f"{signed(e.get('diff'))} {signed_ci(e['ci'])}"


def selective_steering(personas: dict[str, dict[str, Any]], arm: str = "trait") -> tuple[str, str]:
    """Harmful directions degrade the trait arm less than the baseline (CI below 0 at the strongest
    coefficient) while the helpful direction still moves it (words-change CI excludes 0) about as much as the
    baseline (difference CI includes 0)."""
    harmful = {p: v for p, v in personas.items() if v["harmful"] and arm in v["arms"]}
    helpful = {p: v for p, v in personas.items() if not v["harmful"] and arm in v["arms"]}
    if not harmful or not helpful:
        return "not tested", "needs a harmful and a helpful direction on the trait arm"
    top = {p: v["arms"][arm]["curve"][-1] for p, v in {**harmful, **helpful}.items()}
    persists = all(_ci_below_zero(top[p]["vs_baseline"]) for p in harmful)
    steers = all(top[p]["words_change"] and not _ci_has_zero(top[p]["words_change"]) for p in helpful)
    equal = all(_ci_has_zero(top[p]["words_change_vs_baseline"]) for p in helpful)
    verdict = ("selective persistence" if persists and steers and equal else
               "helpful direction does not steer the trait arm" if not steers else "not shown")
    text = ("; ".join(f"{p} at {top[p]['coef']:g}: trait − baseline degradation {_ci(top[p]['vs_baseline'])}"
                      for p in harmful) + ". " + "; ".join(
        f"{p} at {top[p]['coef']:g}: trait words change {_ci(top[p]['words_change'])}, vs baseline "
        f"{_ci(top[p]['words_change_vs_baseline'])}" for p in helpful) + ".")
    return verdict, text


def steering_results(raw: dict[str, Any]) -> dict[str, Any] | None:
    """`persistence.steering` of results.json from `steering_stages` output."""
    if not raw:
        return None
    personas: dict[str, dict[str, Any]] = {}
    for persona, by_label in raw["runs"].items():
        info = raw["directions"][persona]
        subset = list(get_steer_persona(persona).benchmarks)
        personas[persona] = {"harmful": info["harmful"], "layer": info["layer"], "benchmarks": subset,
                             "arms": persona_curves(by_label, subset, raw["held_out"])}
    verdict, explanation = selective_steering(personas)
    coefs = sorted({c for by_label in raw["runs"].values() for stages in by_label.values() for c in stages})
    lines = []
    for persona, v in personas.items():
        d = raw["directions"][persona]
        for label, a in v["arms"].items():
            first, last = a["curve"][0], a["curve"][-1]
            measure = "suite" if v["benchmarks"] else "words"
            lines.append(f"{persona} (layer {v['layer']}, AUROC {_num(d['auroc'])}) / {label}: {measure} "
                         f"{_num(first[measure])} → {_num(last[measure])} at {last['coef']:g}"
                         f", halves at {_num(a['halving'].get('suite'))}; held-out trait (expected) "
                         f"{_num(first['held_out_expected'])} → {_num(last['held_out_expected'])}")
    directions = {p: {k: v for k, v in d.items() if k not in ("persona", "source")}
                  for p, d in raw["directions"].items()}
    return {"coefficients": coefs, "directions": directions, "personas": personas, "verdict": verdict,
            "explanation": explanation, "text": "\n".join(lines)}


def _num(x: Any) -> str:
    return "n/a" if x is None else f"{x:.3f}"
