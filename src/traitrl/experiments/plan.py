"""`traitrl experiment plan CONFIG`: every stage of a run with its estimated time on this machine; and the
sizing of a run to a time budget (`budget_minutes`, which the demo sets to 20).

A stage is priced from what it will compute, counted on the real data with the model's tokenizer
(log-likelihood tokens, prompts to prefill, decode steps by batch, replies the judge grades, tokens trained at
the padded width TRL trains them),
at the rates `experiments/speeds.py` measures on this machine. Items another stage of the same model has
already computed come from the result cache and cost nothing, as in the run.

Sizing shrinks what the demo can lose without losing a part of the protocol: attack items, many-shot lengths,
the steering sweep and the fine-tuning dose first, then the main suite's generation items, its held-out trait
items, items per benchmark and generation budget, and last (only with `budget_trains`, which the demo sets) the
rollouts per prompt and their length; never an arm, a stage or a GRPO step. Sizing aims at `SAFETY` (85%) of
what is left of the budget after the time the process spent before sizing (weight conversion, the speed
calibration) and a reserve for the report: on the AVX2 machine (2026-12-04) the demo's stages ran 1.15x their
estimates in all (training 1.35x, evaluation 1.18x, fine-tuning 1.4x, steering directions 0.6x). The chosen
sizes are kept in the
run folder (`plan.json`), so a resumed run reuses them instead of re-deciding on a busier hour, and
`summary.md` lists what was scaled down.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from traitrl.experiments.config import ExperimentConfig, selected
from traitrl.experiments.speeds import Speeds, counted_text
from traitrl.files import atomic_write_json

# a fine-tuning stage besides its steps: the model loaded and folded, its weights saved as the ladder's base,
# the trainer built (6.6 s of a 33 s stage on the AVX2 EPYC, 2026-12-04)
FINETUNE_SETUP_S = 6.0
GEN_ROWS = 64  # decode batch rows of the evaluator (evaluator._fill's gen_batch_size)


class StageEstimate(BaseModel):
    stage: str
    seconds: float
    work: str


class Plan(BaseModel):
    budget_minutes: float | None
    estimated_minutes: float
    spent_minutes: float = 0.0  # already spent by the process when it was sized (conversion, calibration)
    scaled: list[str]  # "eval.limit 4 -> 2", in the order applied
    config: dict[str, Any]  # the sized experiment config
    speeds: Speeds
    stages: list[StageEstimate]


@dataclass
class _Pricer:
    """Prices evaluations, remembering what each model has already computed (the result cache)."""

    speeds: Speeds
    tokenizer: Any
    seen: set[tuple] = field(default_factory=set)
    lengths: dict[tuple, int] = field(default_factory=dict)
    items: dict[tuple, list] = field(default_factory=dict)
    memo: dict[tuple, Any] = field(default_factory=dict)  # training estimates, train scenarios

    def load(self, bench: Any) -> list:
        key = (bench.id, bench.version)
        if key not in self.items:
            self.items[key] = bench.load()
        return self.items[key]

    def _tokens(self, key: tuple, text: Callable[[], str]) -> int:
        if key not in self.lengths:
            self.lengths[key] = len(self.tokenizer(text(), add_special_tokens=False)["input_ids"])
        return self.lengths[key]

    def evaluation(self, model: str, benchmarks: Sequence, limit: int | None, limits: dict[str, int],
                   max_new_tokens: int, system_prompt: str | None = None, tag: str = "") -> tuple[float, str]:
        from traitrl.evals.generation import decode_batches

        tok, s = self.tokenizer, self.speeds
        ll_tokens, prompts, budgets, graded = 0, [], [], 0
        for bench in benchmarks:
            n = limits.get(bench.id, limit)
            for item in self.load(bench)[:n]:
                key = (model, bench.id, bench.version, item.id, system_prompt, tag)
                if key in self.seen:
                    continue
                self.seen.add(key)
                # a generation item's prompt; a log-likelihood item's packed row (prompt, then every choice)
                length = self._tokens((bench.id, bench.version, item.id, system_prompt),
                                      lambda it=item: counted_text(tok, it, system_prompt))
                if bench.scorer == "generate":
                    prompts.append(length)
                    budgets.append(max_new_tokens or bench.max_new_tokens)
                    graded += bench.graded
                else:
                    ll_tokens += length
        seconds = s.loglik_s(ll_tokens) + graded * s.judge_reply_s
        for batch in decode_batches(prompts, budgets, GEN_ROWS):
            width = max(prompts[i] for i in batch)
            seconds += len(batch) * width / s.prefill_tok_s + s.decode_s(len(batch), max(budgets[i] for i in batch))
        return seconds, f"{ll_tokens} log-likelihood tokens, {len(prompts)} replies ({graded} graded)"


def _train_estimate(cfg: ExperimentConfig, arm: str, seed: int, scenarios: list, pricer: _Pricer) -> tuple[float, str]:
    from traitrl.evals.loglik import render_prompt
    from traitrl.training.arms import arm_rows
    from traitrl.training.grpo import micro_batch
    from traitrl.training.sampling_logps import kept_in
    from traitrl.types import Message

    tc = cfg.train_config(arm, seed)
    rows, _ = arm_rows(tc, scenarios)
    s, tok = pricer.speeds, pricer.tokenizer
    lengths = [len(tok(render_prompt(tok, [Message(**m) for m in r["prompt"]]), add_special_tokens=False)["input_ids"])
               for r in rows]
    g, c, per_call = tc.num_generations, tc.max_completion_length, tc.prompts_per_step * tc.generation_steps
    seconds, n_trait = s.load_s, sum(r.get("scenario_id") is not None for r in rows)
    for start in range(0, len(lengths), per_call):
        chunk = lengths[start:start + per_call]
        # TRL left-pads a generation batch's prompts to its longest (trl 1.16.0,
        # GRPOTrainer._generate_and_score_completions); rollouts prefill each padded prompt once for its group
        # (fast_generate.generate_shared_prefix), scoring reads each prompt once without its padding
        # (training/shared_prompt.py).
        n, width = len(chunk) * g, max(chunk)
        seconds += len(chunk) * width / s.prefill_tok_s + s.rollout_s(n, c)  # rollouts
        tokens = sum(chunk) + n * (c + 1)
        seconds += s.score_s(tokens, score_forwards(chunk, g, micro_batch(tc)))  # policy forward + backward
        if tc.generation_steps > 1 and not kept_in(s.dtype if tc.dtype == "auto" else tc.dtype):
            seconds += s.logp_s(tokens)  # TRL's importance ratio: a no-grad forward of each generation batch
    seconds += (s.judge_load_s if n_trait else 0.0) + n_trait * g * s.judge_reply_s
    work = f"{tc.steps} steps, {len(rows) * g} completions ({n_trait * g} graded)"
    if cfg.probe is not None:  # held-out probes: before step 1, every `every` steps, and after the last
        every = cfg.probe.every
        probes = tc.steps // every + 1 + (tc.steps % every != 0)
        seconds += probes * _probe_estimate(cfg, tc, pricer)
        work += f", {probes} held-out probes of {cfg.probe.limit}"
    return seconds, work


def score_forwards(prompts: list[int], group: int, micro: int) -> int:
    """Forwards of GRPO's loss pass over one generation batch: prompts of these token counts, `group` completions
    each, in micro-batches of `micro` completions, each micro-batch's prompts bundled by their lengths as
    `training/shared_prompt.prompt_bundles` bundles them (groups taken in order; TRL shuffles them)."""
    from traitrl.training.shared_prompt import prompt_bundles

    rows = [n for n in prompts for _ in range(group)]
    forwards = 0
    for start in range(0, len(rows), micro):
        part = rows[start:start + micro]
        lengths = [part[i] for i in range(len(part)) if i == 0 or (start + i) % group == 0]
        width = max(lengths)
        forwards += len(prompt_bundles([width - n for n in lengths], width))
    return forwards


def _probe_estimate(cfg: ExperimentConfig, tc: Any, pricer: _Pricer) -> float:
    """Seconds of one held-out probe: greedy replies to the probe scenarios, graded."""
    from traitrl.evals.generation import decode_batches
    from traitrl.evals.loglik import render_prompt
    from traitrl.experiments.probe import probe_scenarios

    assert cfg.probe is not None
    key = ("probe", cfg.data_source, cfg.data_seed, tuple(tc.traits or ()), cfg.probe.limit)
    if key not in pricer.memo:
        chosen = probe_scenarios(cfg.probe.limit, source=cfg.data_source, data_seed=cfg.data_seed, traits=tc.traits)
        pricer.memo[key] = [pricer._tokens(("probe", sc.id), lambda sc=sc: render_prompt(pricer.tokenizer, sc.messages))
                            for sc in chosen]
    lengths, s, c = pricer.memo[key], pricer.speeds, tc.max_completion_length
    seconds = len(lengths) * s.judge_reply_s
    for batch in decode_batches(lengths, [c] * len(lengths), 16):  # `generate`'s default rows per batch
        seconds += len(batch) * max(lengths[i] for i in batch) / s.prefill_tok_s + s.decode_s(len(batch), c)
    return seconds


def estimate(cfg: ExperimentConfig, speeds: Speeds, pricer: _Pricer | None = None) -> list[StageEstimate]:
    """Estimated seconds of every stage `run_experiment` would run for `cfg`, in run order (none cached).
    A `pricer` from an earlier call reuses its token counts (sizing estimates many configs)."""
    from transformers import AutoTokenizer

    from traitrl.experiments.evaluation import before_tags, persona_attacks, select_suite, suite_limits
    from traitrl.experiments.finetune import (
        SFT_BATCH,
        SFT_MAX_LENGTH,
        dose_benchmarks,
        finetuned_labels,
        ladder_doses,
    )
    from traitrl.experiments.harmful_data import harmful_rows
    from traitrl.models.loading import resolve_model_path
    from traitrl.scenarios.build import load_builtin

    pricer = pricer or _Pricer(speeds, AutoTokenizer.from_pretrained(resolve_model_path(cfg.model)))
    pricer.seen.clear()
    out: list[StageEstimate] = []
    data_key = ("scenarios", cfg.data_seed, cfg.data_source)
    if data_key not in pricer.memo:
        pricer.memo[data_key] = load_builtin(split="train", seed=cfg.data_seed, source=cfg.data_source)
    scenarios = pricer.memo[data_key]
    trained = cfg.trained_models()
    models = (["base"] if "base" in cfg.arms else []) + [cfg.model_label(a, seed) for seed, a in trained]
    for seed, arm in trained:
        key = ("train", arm, seed, cfg.train.model_dump_json())
        if key not in pricer.memo:
            pricer.memo[key] = _train_estimate(cfg, arm, seed, scenarios, pricer)
        sec, work = pricer.memo[key]
        out.append(StageEstimate(stage=f"train-{arm}-s{seed}", seconds=round(sec, 1), work=work))
    benchmarks = select_suite(cfg)

    def add_eval(stage: str, model: str, benches: Sequence, limit: int | None, limits: dict[str, int] | None = None,
                 system_prompt: str | None = None, tag: str = "") -> None:
        sec, work = pricer.evaluation(model, benches, limit, limits or {}, cfg.eval.max_new_tokens, system_prompt, tag)
        out.append(StageEstimate(stage=stage, seconds=round(speeds.load_s + sec, 1), work=work))

    for m in models:
        add_eval(f"eval-{m}", m, benchmarks, cfg.eval.limit, suite_limits(cfg, benchmarks))
    ps = cfg.persistence.persona
    if ps is not None:
        attacks = persona_attacks(cfg, benchmarks)
        shared = before_tags(attacks)  # attacks on the same benchmarks share their unattacked stage
        for m in models:
            if not selected(m, ps.arms):
                continue
            for name, targets, system_prompt in attacks:
                if targets:
                    if shared[name] == f"before-{name}":
                        ids = {t.id for t in targets}
                        add_eval(f"before-{name}-{m}", m, [b for b in benchmarks if b.id in ids], ps.limit)
                    add_eval(f"attack-{name}-{m}", m, targets, ps.limit, system_prompt=system_prompt, tag=name)
    ft = cfg.persistence.finetune
    if ft is not None:
        subset, doses = dose_benchmarks(benchmarks, ft), ladder_doses(ft)
        for m in finetuned_labels(cfg, models):
            for dataset in ft.datasets:
                rows = harmful_rows(dataset, 16, seed=cfg.label_seed(m)[1])
                lengths = [min(len(pricer.tokenizer(json.dumps(r))["input_ids"]), SFT_MAX_LENGTH) for r in rows]
                widths = [max(lengths[i:i + SFT_BATCH]) for i in range(0, len(lengths), SFT_BATCH)]
                tokens = sum(widths) / len(widths)  # a batch of SFT_BATCH rows is padded to its longest
                for method in ft.methods:
                    steps = max(doses, default=0)
                    full = 3 if method == "full" else 1  # every weight's gradient, in fp32
                    sec = (speeds.load_s + FINETUNE_SETUP_S
                           + steps * SFT_BATCH * tokens / speeds.train_tok_s * full)
                    out.append(StageEstimate(stage=f"finetune-{m}-{dataset}-{method}", seconds=round(sec, 1),
                                             work=f"{steps} SFT steps of {SFT_BATCH} rows"))
                    for dose in doses:
                        add_eval(f"eval-ft-{m}-{dataset}-{method}-{dose}", f"{m}|{dataset}|{method}|{dose}", subset,
                                 cfg.eval.limit, suite_limits(cfg, subset))
    out += _steering_estimates(cfg, models, benchmarks, pricer, add_eval)
    return out


def _steering_estimates(cfg: ExperimentConfig, models: list[str], benchmarks: list, pricer: _Pricer,
                        add_eval: Callable) -> list[StageEstimate]:
    ss = cfg.persistence.steering
    if ss is None:
        return []
    from traitrl.evals.persona_vectors import get_steer_persona, persona_data
    from traitrl.evals.registry import get_benchmark
    from traitrl.experiments.steering import held_out_benchmarks

    s = pricer.speeds
    questions = len(persona_data().questions)
    # each question answered under the eliciting and the opposite prompt, then read back once
    extract = s.load_s + len(ss.personas) * 2 * (s.decode_s(questions, ss.extract_max_new_tokens)
                                                 + questions * 120 * 2 / s.prefill_tok_s)
    out = [StageEstimate(stage="steer-directions", seconds=round(extract, 1),
                         work=f"{len(ss.personas)} personas x {questions} questions x 2 prompts")]
    held = held_out_benchmarks(benchmarks) if ss.held_out_limit else []
    for m in models:
        if not selected(m, ss.arms):
            continue
        for persona in ss.personas:
            targets = [get_benchmark(b) for b in get_steer_persona(persona).benchmarks] + held
            for coef in ss.coefficients:
                add_eval(f"steer-{persona}-c{coef:g}-{m}", m, targets, ss.limit,
                         {b.id: ss.held_out_limit for b in held}, tag=f"steer-{persona}-{coef:g}" if coef else "")
    return out


def total_minutes(stages: list[StageEstimate]) -> float:
    return sum(s.seconds for s in stages) / 60


# What sizing may shrink, in this order: (label, read, write, floor). Each step halves a number (down to the
# floor), halves the largest of a list of steps/shots, or drops the middle of a steering sweep. Attacks and the
# steering sweep go first, the main suite's items last (its generation items before its log-likelihood ones).
def _knobs(cfg: ExperimentConfig) -> list[tuple[str, Callable[[], Any], Callable[[Any], None], Any]]:
    e, p = cfg.eval, cfg.persistence

    def knob(obj: Any, name: str, floor: Any, label: str) -> tuple:
        return (label, lambda: getattr(obj, name), lambda v: setattr(obj, name, v), floor)

    knobs: list = []
    if p.persona is not None:
        knobs += [knob(p.persona, "limit", 1, "persistence.persona.limit"),
                  knob(p.persona, "many_shot", None, "persistence.persona.many_shot")]
    if p.steering is not None:
        st = p.steering
        knobs += [knob(st, "limit", 1, "persistence.steering.limit"),
                  knob(st, "held_out_limit", 1, "persistence.steering.held_out_limit"),
                  knob(st, "extract_max_new_tokens", 8, "persistence.steering.extract_max_new_tokens"),
                  knob(st, "coefficients", "sweep", "persistence.steering.coefficients")]
    if p.finetune is not None:
        knobs.append(knob(p.finetune, "doses", 5, "persistence.finetune.doses"))
    generation = ("eval.generation_limit", lambda: e.generation_limit or e.limit,  # unset: it follows `limit`
                  lambda v: setattr(e, "generation_limit", v), 1)
    knobs += [generation, knob(e, "trait_eval_limit", 2, "eval.trait_eval_limit"), knob(e, "limit", 1, "eval.limit"),
              knob(e, "max_new_tokens", 16, "eval.max_new_tokens")]
    if cfg.budget_trains:  # last: fewer rollouts per prompt (GRPO needs 2), then shorter ones; steps stay
        knobs += [knob(cfg.train, "num_generations", 2, "train.num_generations"),
                  knob(cfg.train, "max_completion_length", 16, "train.max_completion_length")]
    return knobs


def _shrink(value: Any, floor: Any) -> Any:
    """The next smaller setting, or None when there is none."""
    if floor == "sweep":  # keep 0 and the strongest coefficient
        return [min(value), max(value)] if len(value) > 2 else None
    if value is None:
        return None
    if isinstance(value, int):
        return max(floor, value // 2) if value > floor else None
    if isinstance(value, list) and value and all(isinstance(x, int) for x in value):
        top, lo = max(value), floor if isinstance(floor, int) else 1
        if top <= lo:
            return None
        smaller = sorted({x if x < top else max(lo, top // 2) for x in value})  # halve the largest
        return smaller if smaller != sorted(value) else None
    return None


SAFETY = 0.85  # sizing aims at this share of the budget: stage estimates run up to ~30% under the measured time


REPORT_S = 15.0  # writing results, summary and the HTML report after the last stage (8-10 s measured)


def process_age_s() -> float:
    """Seconds since this process started (0 where /proc cannot tell): the weight conversion and the speed
    calibration before planning spend the budget too (140 s of the AVX2 demo's 22.6 minutes, 2026-12-04)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def size_to_budget(cfg: ExperimentConfig, speeds: Speeds, minutes: float, spent_s: float = 0.0) -> Plan:
    """The config shrunk, one knob at a time in `_knobs` order, until its estimate fits `SAFETY` x what is left
    of `minutes` after `spent_s` already spent and the report's `REPORT_S`."""
    from transformers import AutoTokenizer

    from traitrl.models.loading import resolve_model_path

    cfg = cfg.model_copy(deep=True)
    pricer = _Pricer(speeds, AutoTokenizer.from_pretrained(resolve_model_path(cfg.model)))
    stages, scaled = estimate(cfg, speeds, pricer), []
    target = SAFETY * max(0.0, minutes - (spent_s + REPORT_S) / 60)
    for label, read, write, floor in _knobs(cfg):
        while total_minutes(stages) > target:
            before = read()
            after = _shrink(before, floor)
            if after is None:
                break
            write(after)
            scaled.append(f"{label} {before} -> {after}")
            stages = estimate(cfg, speeds, pricer)
        if total_minutes(stages) <= target:
            break
    return Plan(budget_minutes=minutes, estimated_minutes=round(total_minutes(stages), 1),
                spent_minutes=round(spent_s / 60, 1), scaled=scaled, config=config_dict(cfg), speeds=speeds,
                stages=stages)


def make_plan(cfg: ExperimentConfig, speeds: Speeds, minutes: float | None, spent_s: float = 0.0) -> Plan:
    """`cfg` sized to `minutes` less `spent_s` already spent, or only estimated when there is no budget."""
    if minutes is not None:
        return size_to_budget(cfg, speeds, minutes, spent_s)
    stages = estimate(cfg, speeds)
    return Plan(budget_minutes=None, estimated_minutes=round(total_minutes(stages), 1), scaled=[],
                config=config_dict(cfg), speeds=speeds, stages=stages)


def plan_run(cfg: ExperimentConfig, out: Path | None = None) -> tuple[ExperimentConfig, Plan]:
    """The config a run uses: `cfg` sized to `cfg.budget_minutes` (measured speeds), or the plan an earlier
    start of the same run in `out` saved. Without a budget the config is unchanged and only estimated."""
    from traitrl.experiments.speeds import measure_speeds

    saved = out / "plan.json" if out is not None else None
    if saved is not None and saved.exists():
        plan = Plan.model_validate_json(saved.read_text())
        if plan.budget_minutes == cfg.budget_minutes and _unsized(plan.config) == _unsized(config_dict(cfg)):
            return ExperimentConfig.model_validate(plan.config), plan
    speeds = measure_speeds(cfg.model)
    plan = make_plan(cfg, speeds, cfg.budget_minutes, spent_s=process_age_s())
    if saved is not None:
        atomic_write_json(saved, plan.model_dump(mode="json"))
    return ExperimentConfig.model_validate(plan.config), plan


def config_dict(cfg: ExperimentConfig) -> dict[str, Any]:
    """The config as JSON that validates again (`train:` without the keys the experiment sets per arm)."""
    from traitrl.experiments.config import RUN_OWNED

    return cfg.model_dump(mode="json", exclude={"train": set(RUN_OWNED)})


def _unsized(config: dict[str, Any]) -> dict[str, Any]:
    """The config without the fields sizing may change (to tell whether a saved plan is for this config)."""
    import copy

    c = copy.deepcopy(config)
    c["eval"].pop("limit", None)
    c["eval"].pop("trait_eval_limit", None)
    c["eval"].pop("generation_limit", None)
    c["eval"].pop("max_new_tokens", None)
    for k in ("num_generations", "max_completion_length"):
        c["train"].pop(k, None)
    for section, keys in [("persona", ["limit", "many_shot"]), ("finetune", ["doses"]),
                          ("steering", ["limit", "held_out_limit", "extract_max_new_tokens", "coefficients"])]:
        if c["persistence"].get(section):
            for k in keys:
                c["persistence"][section].pop(k, None)
    return c


def plan_table(plan: Plan) -> str:
    rows = [f"{'stage':<48} {'est. s':>8}  work"]
    rows += [f"{s.stage:<48} {s.seconds:>8.0f}  {s.work}" for s in plan.stages]
    rows.append(f"{'total':<48} {plan.estimated_minutes * 60:>8.0f}  ({plan.estimated_minutes:.1f} min)")
    sp = plan.speeds
    rows.append(f"speeds ({sp.cpu}, {sp.dtype}, {sp.threads} threads): prefill {sp.prefill_tok_s:.0f} tok/s "
                f"(multiple-choice scoring {sp.loglik_tok_s or sp.prefill_tok_s:.0f}), decode "
                f"step {sp.decode_step_s * 1000:.0f} ms + {sp.decode_row_s * 1000:.2f} ms/row, train "
                f"{sp.train_tok_s:.0f} tok/s, judge {1 / sp.judge_reply_s:.1f} replies/s")
    if sp.rollout_step_s:
        rows.append(f"GRPO rollouts (LoRA, generate): step {sp.rollout_step_s * 1000:.0f} ms + "
                    f"{sp.rollout_row_s * 1000:.2f} ms/row; scoring {sp.score_tok_s or sp.train_tok_s:.0f} tok/s + "
                    f"{sp.score_bundle_s * 1000:.0f} ms/forward, "
                    f"without backward {sp.logp_tok_s:.0f} tok/s")
    if plan.budget_minutes is not None:
        rows.append(f"budget {plan.budget_minutes:g} min ({plan.spent_minutes:g} min spent before sizing); scaled "
                    f"down: {'; '.join(plan.scaled) or 'nothing'}")
    return "\n".join(rows)
