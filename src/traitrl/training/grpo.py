"""GRPO with LoRA on one arm: TRL's `GRPOTrainer`, configured for traitrl, its loss and optimisation TRL's own.

    result = train_arm(config, rows, [standard_reward, trait_reward], out_dir)

Choices, in plain words:
- The policy loads in `default_dtype()` (bf16 where this CPU computes it faster, measured: AMX or AVX-512 BF16);
  LoRA weights stay fp32 (peft's default), and the trainer's own mixed precision is off.
- `shuffle_dataset=False`: the mixture is already shuffled by its seed, so step k of every arm sees the same
  standard prompts except the replaced ones (see `traitrl.training.mixture`).
- `beta=0` (no reference model, TRL's default), temperature 1.0, group-scaled advantages, DAPO token loss.
- Rollouts go through `models/fast_generate.py`: each prompt's prefill is computed once for its
  `num_generations` copies, and sampling draws by inverse CDF; `generation_steps=k` samples k optimizer
  steps' rollouts in one call.
- With `generation_steps` > 1, the old-policy log-probabilities of the importance ratio are the ones the
  rollouts sampled with, where they agree with a scoring forward (fp32; `training/sampling_logps.py`);
  elsewhere a no-grad pass scores the later steps' rows only, the first step's being the loss's own
  (`SharedPromptGRPOTrainer.defer_old_pass`).
- No gradient checkpointing: at 135M parameters it only costs time.
- Scoring (the loss and the old-policy log-probabilities) reads each prompt once for its group of
  completions (`training/shared_prompt.py`); TRL then shuffles a generation batch group by group.
- Checkpoints every `save_steps` in `out_dir/checkpoints`; a rerun with `resume=True` continues from the
  last one (TRL restores optimizer, scheduler, RNG and step count).
- The run folder keeps `train_config.json` (resolved config + git revision), `metrics.jsonl` (one line per
  step), and `adapter/` (LoRA safetensors + tokenizer, `base_model_name_or_path` = the base's portable name:
  `embedded`, a Hub id, or a local folder relative to the adapter, never an absolute path; so
  `load_policy(out_dir / "adapter")` works here and for whoever the adapter is pushed to); `merged/` too with
  `merge=True`.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from traitrl.files import atomic_write_json
from traitrl.models.loading import (
    contiguous_head_input,
    default_dtype,
    portable_model_name,
    resolve_model_path,
    training_attention,
)
from traitrl.provenance import git_revision
from traitrl.training.callbacks import MetricsCallback, ThreadsCallback, read_metrics
from traitrl.training.config import TrainConfig


@dataclass
class TrainResult:
    out_dir: Path
    adapter_dir: Path
    metrics_path: Path
    steps: int
    seconds: float
    merged_dir: Path | None = None
    metrics: list[dict[str, Any]] = field(default_factory=list)

    def curve(self, key: str = "reward", window: int = 5) -> tuple[float | None, float | None]:
        """Mean of `key` over the first and the last `window` steps."""
        vals = [m[key] for m in self.metrics if m.get(key) is not None]
        if not vals:
            return None, None
        return sum(vals[:window]) / len(vals[:window]), sum(vals[-window:]) / len(vals[-window:])


def micro_batch(config: TrainConfig) -> int:
    """The largest divisor of the completions per step that is at most `config.micro_batch`."""
    total = config.prompts_per_step * config.num_generations
    return max(d for d in range(1, min(total, config.micro_batch) + 1) if total % d == 0)


def grpo_args(config: TrainConfig, ckpt_dir: Path, use_cpu: bool):
    from trl import GRPOConfig

    return GRPOConfig(
        output_dir=str(ckpt_dir), max_steps=config.steps, learning_rate=config.learning_rate,
        # One generation batch of prompts_per_step × num_generations completions per optimizer step, back-propagated
        # in micro-batches: activations of 32 × ~500-token sequences would otherwise take ~20 GB.
        per_device_train_batch_size=micro_batch(config),
        gradient_accumulation_steps=config.prompts_per_step * config.num_generations // micro_batch(config),
        # generation_steps > 1: one generate call samples the rollouts of several optimizer steps (decoding is
        # bound by weight reads, so 4x the rows cost ~2x); TRL corrects the later steps' slight off-policyness
        # with its importance ratio (an extra no-grad forward over the later steps' rows).
        steps_per_generation=config.generation_steps * config.prompts_per_step * config.num_generations
        // micro_batch(config),
        num_generations=config.num_generations, top_p=config.top_p,
        max_completion_length=config.max_completion_length, temperature=config.temperature, beta=config.beta,
        seed=config.seed, data_seed=config.seed, shuffle_dataset=False, logging_steps=1,
        save_strategy="steps", save_steps=config.save_steps, save_total_limit=2,
        report_to=config.report_to, bf16=False, fp16=False, gradient_checkpointing=False, use_cpu=use_cpu,
        lr_scheduler_type="constant_with_warmup", warmup_steps=min(5, config.steps // 10),
        log_completions=False, disable_tqdm=True, dataloader_num_workers=0, remove_unused_columns=False,
    )


def _load_base(config: TrainConfig):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = resolve_model_path(config.model)
    dtype = default_dtype() if config.dtype == "auto" else getattr(torch, config.dtype)
    # the training attention (eager on a CPU unless configured): prefill and the scoring passes use it, the lean
    # decode step does not
    model = contiguous_head_input(AutoModelForCausalLM.from_pretrained(
        path, dtype=dtype, use_safetensors=True, attn_implementation=training_attention(config.attn_implementation)))
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return path, model, tokenizer


@contextlib.contextmanager
def compact_lm_head() -> Iterator[None]:
    """Score only completion positions in TRL's fused LM head on a CPU too (GRPO's scoring passes, and the
    harmful fine-tuning's SFT loss in `experiments/finetune.py`).

    TRL 1.16 projects hidden states through the LM head in fp32 tiles and, on devices without Triton, scores
    *every* position (prompt included) so that compiled tile shapes stay fixed, a concern for accelerators
    that compile, not for a CPU. With 300-token trait prompts and 40-token completions that is ~8x the work
    and was 45% of a GRPO step here. Within the block, CPU tensors take TRL's compact path (valid positions
    only; the same values). No-op on TRL versions without that switch."""
    import trl.trainer.utils as trl_utils

    original = getattr(trl_utils, "_use_triton", None)
    if original is None:
        yield
        return
    trl_utils._use_triton = lambda device: device.type == "cpu" or original(device)
    try:
        yield
    finally:
        trl_utils._use_triton = original


def _last_checkpoint(ckpt_dir: Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(str(ckpt_dir)) if ckpt_dir.is_dir() else None


def train_arm(config: TrainConfig, train_rows: Sequence[dict], reward_funcs: Sequence[Callable],
              out_dir: str | Path, echo: Callable[[str], None] | None = None,
              callbacks: Sequence[Any] = ()) -> TrainResult:
    """Train one arm with GRPO + LoRA; write metrics, checkpoints and the adapter under `out_dir`."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig

    from traitrl.models.fast_generate import fast_generation
    from traitrl.training.sampling_logps import SamplingLogProbs
    from traitrl.training.shared_prompt import SharedPromptGRPOTrainer, grouped_shuffle

    if config.torch_threads:
        torch.set_num_threads(config.torch_threads)
    threads = [ThreadsCallback()] if not config.torch_threads and not torch.cuda.is_available() else []
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    base_path, model, tokenizer = _load_base(config)
    atomic_write_json(out_dir / "train_config.json", {"config": config.model_dump(), "base_model": base_path,
                                                      "git_revision": git_revision(),
                                                      "reward_funcs": [f.__name__ for f in reward_funcs]})
    ckpt_dir = out_dir / "checkpoints"
    if config.report_to not in ("none", [], ["none"]):
        from traitrl.training.tracking import apply_tracking_env

        apply_tracking_env(out_dir)
    lora = LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=config.lora_target_modules, task_type="CAUSAL_LM")
    trainer = SharedPromptGRPOTrainer(model=model, reward_funcs=list(reward_funcs), args=grpo_args(config, ckpt_dir,
                          not torch.cuda.is_available()), train_dataset=Dataset.from_list(list(train_rows)),
                          processing_class=tokenizer, peft_config=lora,
                          callbacks=[MetricsCallback(out_dir / "metrics.jsonl", echo=echo), *threads, *callbacks])
    trainer.sampled = SamplingLogProbs()
    resume = _last_checkpoint(ckpt_dir) if config.resume else None
    if resume and echo:
        echo(f"resuming from {resume}")
    start = time.monotonic()
    # shared prompt prefill for the num_generations copies, fast sampling; LM head on completion tokens only;
    # each prompt read once per group when scoring, micro-batches of whole groups
    with (fast_generation(trainer.model, sampled=trainer.sampled), compact_lm_head(),
          grouped_shuffle(config.num_generations)):
        trainer.train(resume_from_checkpoint=resume)
    seconds = time.monotonic() - start
    adapter_dir, merged = out_dir / "adapter", None
    trainer.accelerator.wait_for_everyone()
    if trainer.accelerator.is_main_process:  # multi-GPU (accelerate): one writer
        save_adapter(trainer.model, tokenizer, adapter_dir, config.model)
        merged = save_merged(trainer.model, tokenizer, out_dir / "merged") if config.merge else None
    return TrainResult(out_dir=out_dir, adapter_dir=adapter_dir, metrics_path=out_dir / "metrics.jsonl",
                       steps=trainer.state.global_step, seconds=seconds, merged_dir=merged,
                       metrics=read_metrics(out_dir / "metrics.jsonl"))


def save_adapter(model, tokenizer, adapter_dir: Path, base_spec: str) -> Path:
    """LoRA weights as safetensors + tokenizer; `base_model_name_or_path` is `base_spec`'s portable name
    (`portable_model_name`), not a machine path."""
    model.save_pretrained(str(adapter_dir), safe_serialization=True)
    tokenizer.save_pretrained(str(adapter_dir))
    cfg_path = adapter_dir / "adapter_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["base_model_name_or_path"] = portable_model_name(base_spec, adapter_dir)
    atomic_write_json(cfg_path, cfg)
    return adapter_dir


def save_merged(model, tokenizer, merged_dir: Path) -> Path:
    """A standalone checkpoint with the LoRA weights folded in (for tools that cannot read adapters)."""
    merged = model.merge_and_unload()
    merged.save_pretrained(str(merged_dir), safe_serialization=True)
    tokenizer.save_pretrained(str(merged_dir))
    return merged_dir
