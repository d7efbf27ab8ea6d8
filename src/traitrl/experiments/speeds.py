"""This machine's measured speeds on the experiment's model: the rates `experiments/plan.py` prices stages with.

A short calibration (about 40 s on the slowest CPU kind) times the kinds of work a stage does, in the
dtype and thread count the run will use: prefill (log-likelihood scoring and prompts), a decode step as a
function of the rows in the batch (the evaluation decoder on merged weights), and, on the LoRA-wrapped model
as GRPO runs it, a rollout decode step through TRL's `generate` path, a no-grad log-probability pass over
every token (TRL's importance ratio) and a forward + backward (GRPO and harmful fine-tuning); and the judge
grading a reply. The result is cached under `TRAITRL_CACHE/speeds/` per CPU, library versions, dtype,
threads and model, so a resumed run plans with the same numbers; `fresh=True` measures again.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from traitrl.files import atomic_write_json
from traitrl.models.cpu import cpu_name

SCHEMA = 6  # bump when the calibration measures something new: cached calibrations of older schemas are redone


class Speeds(BaseModel):
    cpu: str
    dtype: str
    threads: int
    prefill_tok_s: float
    decode_step_s: float  # seconds per decode step, intercept (reading the weights)
    decode_row_s: float  # seconds per decode step per row in the batch
    train_tok_s: float  # LoRA forward + backward tokens per second
    rollout_step_s: float = 0.0  # GRPO rollouts: `generate` on the LoRA-wrapped model, seconds per step (intercept)
    rollout_row_s: float = 0.0  # ... and per row in the batch; 0/0 = priced as `decode_s` (older calibrations)
    logp_tok_s: float = 0.0  # GRPO's no-grad scoring pass, tokens read per second; 0 = prefill rate
    loglik_tok_s: float = 0.0  # the evaluator's multiple-choice scoring, tokens per second; 0 = prefill rate
    score_tok_s: float = 0.0  # GRPO's scoring pass with backward, tokens read per second; 0 = train_tok_s
    score_bundle_s: float = 0.0  # ... and seconds per forward of it (one bundle of prompts and their completions)
    judge_reply_s: float  # seconds to grade one reply (about 5 criteria)
    judge_load_s: float = 0.0  # loading the judge, once per stage that grades
    load_s: float  # loading the model for a stage

    def decode_s(self, rows: int, steps: int) -> float:
        return steps * (self.decode_step_s + rows * self.decode_row_s)

    def rollout_s(self, rows: int, steps: int) -> float:
        """Seconds of GRPO's sampling of `rows` completions of `steps` tokens (prefill not included)."""
        if not self.rollout_step_s:
            return self.decode_s(rows, steps)
        return steps * (self.rollout_step_s + rows * self.rollout_row_s)

    def score_s(self, tokens: int, bundles: int = 0) -> float:
        """Seconds of GRPO's loss pass (forward + backward) reading `tokens` tokens of the LoRA-wrapped policy in
        `bundles` forwards (`training/shared_prompt.prompt_bundles`)."""
        return bundles * self.score_bundle_s + tokens / (self.score_tok_s or self.train_tok_s)

    def loglik_s(self, tokens: int) -> float:
        """Seconds of the evaluator's log-likelihood scoring of items of `tokens` tokens (prompt and choices)."""
        return tokens / (self.loglik_tok_s or self.prefill_tok_s)

    def logp_s(self, tokens: int) -> float:
        """Seconds of a no-grad log-probability pass over `tokens` tokens of the LoRA-wrapped policy."""
        return tokens / (self.logp_tok_s or self.prefill_tok_s)


def _cache_file(model_spec: str) -> Path:
    from importlib.metadata import version

    import torch

    from traitrl.grading.learned.judge import judge_name
    from traitrl.models.loading import default_dtype
    from traitrl.settings import cache_dir

    parts = [SCHEMA, cpu_name(), version("torch"), version("transformers"), str(default_dtype()),
             torch.get_num_threads(), model_spec, judge_name()]  # a new judge grades at another rate
    key = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:12]
    return cache_dir() / "speeds" / f"{key}.json"


def measure_speeds(model_spec: str = "embedded", *, fresh: bool = False) -> Speeds:
    """Measured (or cached) speeds of `model_spec` on this machine."""
    path = _cache_file(model_spec)
    if path.exists() and not fresh:
        return Speeds.model_validate_json(path.read_text())
    speeds = _measure(model_spec)
    atomic_write_json(path, speeds.model_dump())
    return speeds


def _step_and_row(step_time) -> tuple[float, float]:
    """(seconds per decode step, seconds per row of it) from `step_time(rows)` at 4 and 32 rows."""
    small, large = step_time(4), step_time(32)
    row_s = max(0.0, (large - small) / 28)
    return max(1e-4, small - 4 * row_s), row_s


def _best(fn, repeats: int = 3) -> float:
    fn()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _measure(model_spec: str) -> Speeds:
    import torch

    from traitrl.models.decode import decode
    from traitrl.models.loading import load_policy

    load_policy(model_spec)  # the first load may also convert and cache the weights (once per machine)
    t0 = time.perf_counter()
    loaded = load_policy(model_spec)
    load_s = time.perf_counter() - t0
    model = loaded.model
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(100, 5000, (4, 256), generator=gen)
    with torch.inference_mode():
        prefill = _best(lambda: model(input_ids=ids, logits_to_keep=1))
    prefill_tok_s = ids.numel() / prefill

    def decode_time(rows: int, steps: int = 12) -> float:
        prompt = torch.randint(100, 5000, (rows, 32), generator=gen)
        mask = torch.ones_like(prompt)
        start = rows * 32 / prefill_tok_s
        return (_best(lambda: decode(model, prompt, mask, max_new_tokens=steps, stop_ids=[-1], pad_id=0), 2)
                - start) / steps

    decode_step_s, decode_row_s = _step_and_row(decode_time)
    loglik_tok_s = _loglik_rate(loaded)
    train_tok_s, rollout_step_s, rollout_row_s, logp_tok_s, score_tok_s, score_bundle_s = _lora_rates(model, gen)
    judge_load_s, judge_reply_s = _judge_rate()
    return Speeds(cpu=cpu_name(), dtype=str(next(model.parameters()).dtype).replace("torch.", ""),
                  threads=torch.get_num_threads(), prefill_tok_s=round(prefill_tok_s, 1),
                  decode_step_s=round(decode_step_s, 5), decode_row_s=round(decode_row_s, 6),
                  train_tok_s=round(train_tok_s, 1), rollout_step_s=round(rollout_step_s, 5),
                  rollout_row_s=round(rollout_row_s, 6), logp_tok_s=round(logp_tok_s, 1),
                  score_tok_s=round(score_tok_s, 1), score_bundle_s=round(score_bundle_s, 4),
                  loglik_tok_s=round(loglik_tok_s, 1),
                  judge_reply_s=round(judge_reply_s, 4),
                  judge_load_s=round(judge_load_s, 2), load_s=round(load_s, 2))


def _lora_rates(model, gen) -> tuple[float, float, float, float, float, float]:
    """On the model wrapped in LoRA (r=16, all linear layers): forward + backward tokens per second on full
    rows (supervised fine-tuning); as GRPO runs it, tokens read per second by a scoring pass with backward and
    without (one prompt and its four completions, read as `training/shared_prompt.py` reads them, through TRL's
    fused LM head), the scoring pass's seconds per forward (`score_bundle_s`, from a second, small group), and
    the rollout decode step (intercept and per row) through `generate` as TRL calls it."""
    import torch
    from peft import LoraConfig, get_peft_model
    from trl.trainer.utils import add_fused_lm_head

    from traitrl.models.fast_generate import fast_generation
    from traitrl.models.loading import attention_for_training
    from traitrl.training.shared_prompt import shared_prompt_log_probs

    add_fused_lm_head(model, outputs=("log_probs", "entropy"))  # as GRPOTrainer patches the policy
    peft = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules="all-linear"))
    dense = torch.randint(100, 5000, (4, 128), generator=gen)

    def sft_step() -> None:
        peft(input_ids=dense, labels=dense).loss.backward()
        peft.zero_grad(set_to_none=True)

    def group(prompt: int, completion: int, rows: int) -> tuple[torch.Tensor, int, int]:
        ids = torch.randint(100, 5000, (rows, prompt + completion), generator=gen)
        ids[:, :prompt] = ids[:1, :prompt]  # one prompt, `rows` completions
        return ids, completion, prompt + rows * (completion + 1)  # the tokens the planner counts

    def score(ids: torch.Tensor, completion: int) -> torch.Tensor:
        return shared_prompt_log_probs(peft, ids, torch.ones_like(ids), completion, compute_entropy=True)[0]

    def grpo_step(ids: torch.Tensor, completion: int) -> None:
        score(ids, completion).sum().backward()
        peft.zero_grad(set_to_none=True)

    with attention_for_training(peft):  # as the trainers compute (eager attention on a CPU)
        (ids, completion, read), (small, small_completion, small_read) = group(96, 40, 4), group(24, 12, 2)
        train_tok_s = dense.numel() / _best(sft_step, 2)
        large_s = _best(lambda: grpo_step(ids, completion), 2)
        small_s = _best(lambda: grpo_step(small, small_completion), 2)
        # two points of seconds = bundle_s + tokens / rate: a demo's 20-token completions to short prompts read few
        # tokens per forward, where the per-forward cost (30 layers of small products and their backward) dominates
        score_tok_s = (read - small_read) / (large_s - small_s) if large_s > small_s else read / large_s
        score_bundle_s = max(0.0, small_s - small_read / score_tok_s)
        with torch.inference_mode():
            logp_tok_s = read / _best(lambda: score(ids, completion), 2)

        def rollout_time(rows: int, steps: int = 8) -> float:  # the time of one new token (prefill cancels out)
            prompt = torch.randint(100, 5000, (rows, 32), generator=gen)

            def run(n: int) -> None:
                with torch.inference_mode(), fast_generation(peft):
                    peft.generate(input_ids=prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=n,
                                  min_new_tokens=n, do_sample=True, top_p=0.9, pad_token_id=0)

            return (_best(lambda: run(steps), 1) - _best(lambda: run(1), 1)) / (steps - 1)

        step_s, row_s = _step_and_row(rollout_time)
    peft.unload()
    return train_tok_s, step_s, row_s, logp_tok_s, score_tok_s, score_bundle_s


def _loglik_rate(loaded, n: int = 10) -> float:
    """Tokens per second of `evals/loglik.score_choices` (the evaluator's multiple-choice path: rows of a prompt
    and its choices with a block mask, the LM head on choice tokens only), on items of mixed lengths, counted
    as the planner counts them (about 130 tokens an item, as in the demo's suite). On the AVX2 EPYC
    (2026-12-04) the demo's suite scored at 278 tokens/s against a plain prefill of 480 (rows padded to a
    batch's longest, the head on every choice token), so pricing it at the prefill rate had the demo's
    evaluation stages 1.55x over their estimate."""
    from traitrl.evals.benchmark import BenchmarkItem
    from traitrl.evals.loglik import score_choices
    from traitrl.types import Message

    words = "the river carried light stones past an old mill while children counted boats".split()
    items = [BenchmarkItem(id=str(i), messages=[Message(role="user", content=" ".join(
        words[(i + j) % len(words)] for j in range(16 + 10 * i)))],
        choices=[" ".join(words[(i * k + j) % len(words)] for j in range(6 + 2 * k)) for k in range(4)],
        aligned=[0]) for i in range(n)]
    tok = loaded.tokenizer
    tokens = sum(len(tok(counted_text(tok, it), add_special_tokens=False)["input_ids"]) for it in items)
    return tokens / _best(lambda: score_choices(loaded, items), 1)


def counted_text(tokenizer: Any, item: Any, system_prompt: str | None = None) -> str:
    """The text whose tokens price an item: a generation item's prompt; a log-likelihood item's packed row
    (prompt, then every choice). The planner and the log-likelihood calibration count the same way."""
    from traitrl.evals.loglik import render_prompt

    return render_prompt(tokenizer, item.messages, system_prompt) + "".join(item.choices or [])


def _judge_rate(n: int = 24) -> tuple[float, float]:
    """(seconds to load the default grader, seconds per reply) on gold replies of the length policies write."""
    from traitrl.grading.api import load_grader
    from traitrl.grading.gold import load_gold

    gold = load_gold()
    chosen = [r for r in gold.replies.values() if r.kind.startswith("model_")][:n]
    scenarios, replies = [gold.scenarios[r.scenario_id] for r in chosen], [r.text for r in chosen]
    start = time.perf_counter()
    grader = load_grader("offline")
    grader.grade_batch(scenarios[:1], replies[:1])  # weights load on first use
    load_s = time.perf_counter() - start
    return load_s, _best(lambda: grader.grade_batch(scenarios, replies), 1) / len(chosen)
