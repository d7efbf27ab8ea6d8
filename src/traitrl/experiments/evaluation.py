"""Evaluation stages of an experiment: the suite per model, and persona / many-shot attacks.

Every stage writes the evaluator's `results.json` and `items.jsonl`; item results are also in the shared
result cache, so a killed stage resumes item by item. Attacks reuse the same benchmarks: a persona is a
system prompt; a many-shot attack is the same items with k faked compliant turns prepended.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from traitrl.evals.benchmark import IN_DISTRIBUTION, Benchmark, BenchmarkItem
from traitrl.evals.persona_vectors import Steering
from traitrl.experiments.config import ExperimentConfig, selected
from traitrl.experiments.personas import PERSONAS, Persona, get_persona, many_shot_prefix
from traitrl.experiments.stages import KILL_ENV, StageStore, kill_point


def select_suite(cfg: ExperimentConfig) -> list[Benchmark]:
    """The configured alignment benchmarks plus the capability set (reported beside the suite)."""
    from traitrl.evals.registry import all_benchmarks, capability_benchmarks, get_benchmark

    suite = cfg.eval.suite
    chosen = list(all_benchmarks().values()) if suite == "all" else [get_benchmark(b) for b in suite]
    return chosen + list(capability_benchmarks().values())


def read_stage(stage: Path) -> dict[str, Any]:
    """`{"suite": per-benchmark summary, "items": {benchmark: {item_id: {score, refusal, response, extra}}}}`."""
    results = json.loads((stage / "results.json").read_text())
    items: dict[str, dict[str, dict]] = {}
    for line in (stage / "items.jsonl").read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            items.setdefault(r["benchmark"], {})[r["item_id"]] = {"score": r["score"], "refusal": r.get("refusal"),
                                                                   "response": r.get("response"),
                                                                   "extra": r.get("extra", {})}
    return {"suite": results["benchmarks"], "items": items, "model": results.get("model")}


def eval_stage(store: StageStore, cfg: ExperimentConfig, label: str, model_spec: str,
               benchmarks: list[Benchmark], *, limit: int | None = None, system_prompt: str | None = None,
               tag: str = "eval", limits: dict[str, int] | None = None,
               steering: Steering | None = None) -> dict[str, Any]:
    """One evaluation stage; `limits` overrides `limit` per benchmark, `steering` adds a persona direction
    (its spec and direction digest join the stage key)."""
    from traitrl.evals.evaluator import Decoding, evaluate, spec_fingerprint
    from traitrl.grading.api import grader_name

    main = limit is None  # a suite run (models, fine-tuning doses): per-benchmark `suite_limits`
    limit = cfg.eval.limit if limit is None else limit
    if limits is None:
        limits = suite_limits(cfg, benchmarks) if main else {}
    decoding = Decoding(max_new_tokens=cfg.eval.max_new_tokens)
    parts = {"model": spec_fingerprint(model_spec), "benchmarks": [(b.id, b.version) for b in benchmarks],
             "limit": limit, "limits": limits, "decoding": decoding.model_dump(), "system_prompt": system_prompt,
             "grader": grader_name(cfg.grader)}
    if steering is not None:
        parts["steering"] = steering.key()

    def work(d: Path) -> None:
        if os.environ.get(KILL_ENV) == f"{tag}-{label}:mid":  # crash test: die with half the items cached
            evaluate(model_spec, benchmarks[:1], limit=limit, limits=limits, decoding=decoding,
                     system_prompt=system_prompt, grader=cfg.grader, steering=steering)
            kill_point(f"{tag}-{label}:mid")
        evaluate(model_spec, benchmarks, limit=limit, limits=limits, out_dir=d, decoding=decoding,
                 system_prompt=system_prompt, grader=cfg.grader, steering=steering)

    stage = store.run(f"{tag}-{label}", parts, work)
    return read_stage(stage)


def with_prefix(bench: Benchmark, k: int) -> Benchmark:
    """The same benchmark with k faked compliant turns before every item (many-shot attack)."""
    prefix = many_shot_prefix(k)

    def load() -> list[BenchmarkItem]:
        return [it.model_copy(update={"messages": [*prefix, *it.messages]}) for it in bench.load()]

    return bench.model_copy(update={"id": bench.id, "version": f"{bench.version}+manyshot{k}", "load": load})


def attack_targets(cfg: ExperimentConfig, benchmarks: list[Benchmark], persona: Persona) -> list[Benchmark]:
    """The persona's own benchmarks, else the configured list within its categories, else its categories."""
    if persona.benchmarks:
        return [b for b in benchmarks if b.id in persona.benchmarks]
    in_cats = [b for b in benchmarks if b.category in persona.categories]
    wanted = set(cfg.persistence.persona.benchmarks) if cfg.persistence.persona else set()
    return [b for b in in_cats if b.id in wanted] if wanted else in_cats


def suite_limits(cfg: ExperimentConfig, benchmarks: list[Benchmark]) -> dict[str, int]:
    """Items per benchmark in a suite run where they differ from `eval.limit`: held-out trait benchmarks get at
    least `trait_eval_limit` (all items without a limit), other generation benchmarks `generation_limit`."""
    e, out = cfg.eval, {}
    for b in benchmarks:
        if b.category == IN_DISTRIBUTION:
            if e.limit is not None:
                out[b.id] = max(e.limit, e.trait_eval_limit)
        elif b.scorer == "generate" and e.generation_limit is not None:
            out[b.id] = e.generation_limit
    return out


Attack = tuple[str, list[Benchmark], str | None]  # (name, target benchmarks, system prompt)


def persona_attacks(cfg: ExperimentConfig, benchmarks: list[Benchmark]) -> list[Attack]:
    """`(attack, target benchmarks, system prompt)` of every configured persona and many-shot attack."""
    ps = cfg.persistence.persona
    if ps is None:
        return []
    attacks = [(pid, attack_targets(cfg, benchmarks, get_persona(pid)), get_persona(pid).system_prompt)
               for pid in ps.personas]
    health = attack_targets(cfg, benchmarks, PERSONAS["bad_medical"])
    return attacks + [(f"many_shot_{k}", [with_prefix(b, k) for b in health], None) for k in ps.many_shot]


def before_tags(attacks: list[Attack]) -> dict[str, str]:
    """Each attack's stage tag for the model on its benchmarks with no attack: attacks on the same benchmarks (a
    persona and its many-shot forms) share one stage, named after the first of them (`before-<attack>`)."""
    first: dict[frozenset[str], str] = {}
    return {name: "before-" + first.setdefault(frozenset(t.id for t in targets), name) for name, targets, _ in attacks}


def persona_stages(store: StageStore, cfg: ExperimentConfig, models: dict[str, str],
                   benchmarks: list[Benchmark]) -> dict[str, dict[str, dict[str, Any]]]:
    """`{attack: {model label: {"before": stage, "after": stage}}}` for personas and many-shot attacks."""
    ps = cfg.persistence.persona
    if ps is None:
        return {}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    attacks = persona_attacks(cfg, benchmarks)
    before_tag = before_tags(attacks)
    # model by model, so the evaluator's loaded model is reused across that model's attacks
    for label, spec in models.items():
        if not selected(label, ps.arms):
            continue
        for attack, targets, system_prompt in attacks:
            if not targets:
                continue
            base_targets = [b for b in benchmarks if b.id in {t.id for t in targets}]
            before = eval_stage(store, cfg, label, spec, base_targets, limit=ps.limit, tag=before_tag[attack])
            after = eval_stage(store, cfg, label, spec, targets, limit=ps.limit, system_prompt=system_prompt,
                               tag=f"attack-{attack}")
            out.setdefault(attack, {})[label] = {"before": before, "after": after}
    return out
