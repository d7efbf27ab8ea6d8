"""`traitrl experiment run CONFIG --out DIR`: the paper's protocol as a resumable graph of stages.

    data ─► train(arm, seed) for every RL arm ─► eval(model) for base + arms ─► persona(model, persona)
         ─► finetune(model, dose) ─► steer(persona, model, coefficient) ─► analysis
         ─► results.json, report.html, summary.md

Every stage is content-addressed (`experiments/stages.py`): killing the run anywhere and rerunning it
continues where it stopped. Training resumes from its last checkpoint; evaluation from the per-item cache.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from rich.console import Console

from traitrl.experiments.config import ExperimentConfig
from traitrl.experiments.stages import StageStore, kill_point, mixed_dtypes
from traitrl.files import atomic_write_json, atomic_write_text, json_safe
from traitrl.provenance import git_revision
from traitrl.results import Results
from traitrl.training.arms import resolve_arm

if TYPE_CHECKING:
    from traitrl.experiments.plan import StageEstimate

console = Console(stderr=True)


@dataclass
class ExperimentResult:
    out_dir: Path
    results: Results
    report_path: Path


def train_stage(store: StageStore, cfg: ExperimentConfig, arm: str, seed: int, train_scenarios: list,
                start_model: str | None = None) -> Path:
    """Train one arm for one seed; returns the stage folder (adapter/, metrics.jsonl)."""
    from traitrl.evals.evaluator import spec_fingerprint
    from traitrl.grading.api import grader_name
    from traitrl.training.arms import prepare_arm
    from traitrl.training.grpo import train_arm

    tc = cfg.train_config(arm, seed, model=start_model)
    parts = {"train": tc.model_dump(mode="json"), "grader": grader_name(tc.grader)}
    if tc.attn_implementation == "auto":  # the machine's choice, like dtype auto: out of the key (older keys hold)
        del parts["train"]["attn_implementation"]
    if start_model is not None:  # a start model made by an earlier stage: keyed by its weights, not its path
        parts["train"]["model"] = spec_fingerprint(start_model)
    if cfg.probe is not None:  # only then: a run without a probe keeps its stage keys
        parts["probe"] = cfg.probe.model_dump()
    name = f"train-{arm.replace('@', '_')}-s{seed}"

    def echo(line: str) -> None:
        console.print(f"  [{arm} s{seed}] {line}")
        if line.startswith("step "):
            kill_point(f"{name}:step{line.split()[1].split('/')[0]}")

    def work(d: Path) -> None:
        drop_torn_checkpoints(d / "checkpoints")
        rows, rewards = prepare_arm(tc, train_scenarios)
        probe = []
        if cfg.probe is not None:
            from traitrl.experiments.probe import ProbeCallback, probe_scenarios

            held_out = probe_scenarios(cfg.probe.limit, source=cfg.data_source, data_seed=cfg.data_seed,
                                       traits=tc.traits)
            probe = [ProbeCallback(d / "probe.jsonl", held_out, tc.grader, cfg.probe.every,
                                   tc.max_completion_length, echo=echo)]
        train_arm(tc, rows, rewards, d, echo=echo, callbacks=probe)

    return store.run(name, parts, work)


def drop_torn_checkpoints(ckpt_dir: Path) -> None:
    """Remove checkpoints a kill left half-written (no trainer_state.json, which the Trainer writes last);
    otherwise `get_last_checkpoint` would pick one and the resume would fail."""
    if not ckpt_dir.is_dir():
        return
    for c in ckpt_dir.glob("checkpoint-*"):
        if c.is_dir() and not (c / "trainer_state.json").exists():
            console.print(f"  dropping incomplete checkpoint {c.name}")
            shutil.rmtree(c)


def training_summary(stage_dir: Path) -> dict[str, Any]:
    from traitrl.training.callbacks import read_metrics

    # Wall-clock fields are left out: results.json must be identical for the same seed (timings.json has them).
    rows, probe = ([{k: v for k, v in r.items() if k != "seconds"} for r in read_metrics(stage_dir / name)]
                   for name in ("metrics.jsonl", "probe.jsonl"))
    zv = [r["zero_variance_fraction"] for r in rows if r.get("zero_variance_fraction") is not None]
    reward = [r["reward"] for r in rows if r.get("reward") is not None]
    trait = [r["trait_reward"] for r in rows if r.get("trait_reward") is not None]
    out = {"metrics": rows, "summary": {
        "steps": len(rows), "reward_first": _head(reward), "reward_last": _tail(reward),
        "trait_reward_first": _head(trait), "trait_reward_last": _tail(trait), "zero_variance_mean": _mean(zv)}}
    if probe:  # the held-out learning curve (experiments/probe.py)
        out["probe"] = probe
        out["summary"] |= {"probe_first": probe[0]["strict"], "probe_last": probe[-1]["strict"]}
    return out


def _head(vals: list[float], window: int = 5) -> float | None:
    """Mean of the first `window` values, or of the first half when there are fewer than 2 x `window` (so the
    first and last windows never share a value: with `generation_steps` > 1 only some steps log rewards)."""
    return _mean(vals[:min(window, len(vals) // 2 or 1)])


def _tail(vals: list[float], window: int = 5) -> float | None:
    return _mean(vals[-min(window, len(vals) // 2 or 1):])


def stage_timings(store: StageStore, estimates: list[StageEstimate] | None = None,
                  steal_share: float | None = None) -> dict[str, Any]:
    """Wall-clock record of a run, kept out of results.json: each finished stage's seconds (its `DONE.json`)
    beside the planner's estimate for it where the run was sized (`estimates`, matched by stage name), the
    training steps' seconds per training stage (metrics.jsonl), and the share of the CPU the hypervisor took
    while this process ran (None off Linux): together they tell a slow machine from a wrong estimate."""
    from traitrl.training.callbacks import read_metrics

    estimated = {e.stage: e.seconds for e in estimates or []}  # the plan names each stage as the run does
    stages, train_steps = {}, {}
    for d in store.finished():
        done = json.loads((d / "DONE.json").read_text())
        stages[d.name] = {"seconds": done.get("seconds"), "estimated": estimated.get(done["stage"]),
                          "compute_dtype": done.get("compute_dtype")}
        if d.name.startswith("train-"):
            train_steps[d.name] = round(sum(r.get("seconds") or 0 for r in read_metrics(d / "metrics.jsonl")), 2)
    both = [v for v in stages.values() if v["seconds"] is not None and v["estimated"] is not None]
    return {"stages": stages, "training_steps": train_steps,
            "measured_s": round(sum(v["seconds"] for v in both), 1) if both else None,
            "estimated_s": round(sum(v["estimated"] for v in both), 1) if both else None,
            "steal_share": steal_share}


def _mean(vals: list[float]) -> float | None:
    return sum(vals) / len(vals) if vals else None


@dataclass
class ModelStages:
    """What one model's stages produced: its suite, attacks, fine-tuning ladder and steering runs."""
    label: str
    spec: str
    train_dir: Path | None
    suite: dict[str, Any]
    personas: dict[str, dict[str, Any]]
    finetune: dict[str, Any]
    steering: dict[str, Any]


def model_chain(store: StageStore, cfg: ExperimentConfig, label: str, train_scenarios: list,
                benchmarks: list) -> ModelStages:
    """Every stage of one model: training (unless it is the base model), the suite, persona and many-shot
    attacks, the harmful fine-tuning ladder and activation steering, as configured."""
    from traitrl.experiments.evaluation import eval_stage, persona_stages

    spec, train_dir = cfg.model, None
    if label != "base":
        arm, seed = cfg.label_seed(label)
        start = None
        if resolve_arm(arm).sft_first:
            from traitrl.experiments.constitutional_sft import csft_stage

            start = str(csft_stage(store, cfg, train_scenarios, seed))
        train_dir = train_stage(store, cfg, arm, seed, train_scenarios, start_model=start)
        spec = str(train_dir / "adapter")
        kill_point(f"after-train:{label}")
    one = {label: spec}
    suite = eval_stage(store, cfg, label, spec, benchmarks)
    personas = persona_stages(store, cfg, one, benchmarks)
    finetune: dict[str, Any] = {}
    if cfg.persistence.finetune is not None:
        from traitrl.experiments.finetune import finetune_stages

        finetune = finetune_stages(store, cfg, one, benchmarks)
    steering: dict[str, Any] = {}
    if cfg.persistence.steering is not None:
        from traitrl.experiments.steering import steering_stages

        steering = steering_stages(store, cfg, one, benchmarks)
    return ModelStages(label, spec, train_dir, suite, personas, finetune, steering)


def with_weights(store: StageStore, chain) -> ModelStages:
    """Run a model's stages; where one needs weights a packed run left out (`experiments/portable.py`), discard
    the stage that made them and run again, so they are computed anew (and every stage keyed by them)."""
    from traitrl.errors import WeightsDroppedError

    discarded: set[str] = set()
    while True:
        try:
            return chain()
        except WeightsDroppedError as e:
            try:
                stage = store.stage_holding(Path(e.folder))
            except ValueError:  # not this run's: a packed model given as the experiment's model
                raise e from None
            if stage.name in discarded:
                raise
            discarded.add(stage.name)
            console.print(f"[yellow]{stage.name} was packed without its weights and a stage needs them: "
                          "computing it again[/yellow]")
            shutil.rmtree(stage)


def run_experiment(cfg: ExperimentConfig, out_dir: str | Path, pack_to: str | Path | None = None) -> ExperimentResult:
    """Run (or resume) every stage; with `pack_to`, each finished stage is also packed there without its weights
    (`experiments/portable.py`), and the results and report are copied there at the end."""
    from traitrl.experiments.analysis import assemble_results
    from traitrl.experiments.evaluation import select_suite
    from traitrl.models.cpu import cpu_ticks, steal_share
    from traitrl.report.html import build_report
    from traitrl.scenarios.build import load_builtin

    ticks = cpu_ticks()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sizing = plan = None
    if cfg.budget_minutes is not None:  # sized to this machine; the sizes are kept in plan.json for resuming
        from traitrl.experiments.plan import plan_run

        cfg, plan = plan_run(cfg, out)
        sizing = (f"Sized to a {plan.budget_minutes:g}-minute budget on this machine ({plan.speeds.cpu}, "
                  f"{plan.speeds.dtype}): estimated {plan.estimated_minutes:g} min after "
                  f"{plan.spent_minutes:g} min of set-up; scaled down: "
                  f"{'; '.join(plan.scaled) or 'nothing'} (plan.json).")
        console.print(sizing)
    atomic_write_text(out / "config.yaml", yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False))
    on_done = None
    if pack_to is not None:
        from traitrl.experiments.portable import pack_stage

        def on_done(stage: Path, published: bool) -> None:  # a stage computed again replaces its packed copy
            pack_stage(stage, Path(pack_to) / "stages", refresh=published)
    store = StageStore(out, on_done=on_done)
    train_scenarios = load_builtin(split="train", seed=cfg.data_seed, source=cfg.data_source)
    kill_point("data")
    benchmarks = select_suite(cfg)
    labels = (["base"] if "base" in cfg.arms else []) + [cfg.model_label(arm, seed)
                                                       for seed, arm in cfg.trained_models()]
    # Model by model through all of its stages, the trained arms first: a run stopped for good still holds
    # whole models, which `experiment pack` keeps without their weights.
    done = {label: with_weights(store, lambda label=label: model_chain(store, cfg, label, train_scenarios,
                                                                        benchmarks))
            for label in sorted(labels, key=lambda label: label == "base")}
    chains = [done[label] for label in labels]
    evals = {c.label: c.suite for c in chains}
    trained: dict[str, dict[str, Path]] = {}
    personas: dict[str, dict[str, Any]] = {}
    finetune: dict[str, Any] = {}
    steering: dict[str, Any] = {}
    for c in chains:
        if c.train_dir is not None:
            arm, seed = cfg.label_seed(c.label)
            trained.setdefault(arm, {})[f"s{seed}"] = c.train_dir
        for attack, by_model in c.personas.items():
            personas.setdefault(attack, {}).update(by_model)
        finetune |= c.finetune
        if c.steering:
            steering = steering or {**c.steering, "runs": {}}
            for persona, by_model in c.steering["runs"].items():
                steering["runs"].setdefault(persona, {}).update(by_model)
    training = {name: {s: training_summary(d) for s, d in by_seed.items()} for name, by_seed in trained.items()}
    results = assemble_results(cfg, evals, training, personas, finetune, benchmarks, steering=steering)
    results.git_revision = git_revision(short=True) or "unknown"
    if sizing:
        results.notes.append(sizing)
    if mixed := mixed_dtypes(store.used):  # the stages this run read, not every folder in it
        results.notes.append("this run's stages were computed in more than one type ("
                             + ", ".join(f"{t}: {n} stages" for t, n in sorted(mixed.items()))
                             + "; each stage's DONE.json names its own): compare arms computed in one type")
    atomic_write_json(out / "results.json", json_safe(results.model_dump(mode="json")))
    timings = stage_timings(store, plan.stages if plan is not None else None, steal_share(ticks))
    atomic_write_json(out / "timings.json", timings)
    if timings["measured_s"] is not None:
        console.print(f"[dim]finished stages: {timings['measured_s'] / 60:.1f} min against an estimated "
                      f"{timings['estimated_s'] / 60:.1f} (timings.json)[/dim]")
    kill_point("report")
    report = build_report(results, out)
    if pack_to is not None:
        from traitrl.experiments.portable import pack_run

        pack_run(out, Path(pack_to))
    return ExperimentResult(out_dir=out, results=results, report_path=report)
