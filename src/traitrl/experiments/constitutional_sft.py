"""The constitutional SFT arm: critique-and-revise's supervised stage, then the baseline's standard RL.

For each trait conversation the arm samples `n` responses from the start model; offline (no reviser model),
it keeps the best of the n under constitution grading (with a judge configured, the same grader becomes an
LLM judge of the principles). It fine-tunes a LoRA on (conversation → chosen response), merges it, and then
runs exactly the baseline's RL (100% standard data, same steps, rollouts, seed).

Compute matching, stated plainly: the RL stage is identical to the baseline's. The trait arm spends
`round(steps × prompts_per_step × share)` prompts × `num_generations` rollouts of its RL budget on trait
conversations; this arm spends the same number of conversations × `n` samples before RL, plus `sft_steps`
SFT steps (each far cheaper than an RL step), so its total compute is the baseline's plus that pre-RL cost.
"""

from __future__ import annotations

import random
from pathlib import Path

from rich.console import Console

from traitrl.experiments.config import ExperimentConfig
from traitrl.experiments.stages import StageStore
from traitrl.files import atomic_write_json, atomic_write_jsonl
from traitrl.types import Scenario

console = Console(stderr=True)
SAMPLES = 4
SFT_STEPS = 20


def n_conversations(cfg: ExperimentConfig) -> int:
    """As many trait conversations as the trait arm sees during RL (at least 8)."""
    return max(8, round(cfg.train.steps * cfg.train.prompts_per_step * cfg.trait_share))


def best_of_n(model_spec: str, scenarios: list[Scenario], cfg: ExperimentConfig, seed: int) -> list[dict]:
    """Sample n responses per conversation; keep the one the constitution grader scores highest."""
    from traitrl.constitution.document import load_constitution
    from traitrl.constitution.grader import ConstitutionGrader
    from traitrl.evals.generation import generate
    from traitrl.models.loading import load_policy

    loaded = load_policy(model_spec)
    samples = generate(loaded, [s.messages for s in scenarios], max_new_tokens=cfg.train.max_completion_length * 2,
                       temperature=1.0, seed=seed, num_samples=SAMPLES, progress=True)
    grader = ConstitutionGrader(load_constitution(cfg.constitution))
    rows = []
    for i, s in enumerate(scenarios):
        cands = samples[i * SAMPLES:(i + 1) * SAMPLES]
        grades = grader.grade_batch([s] * len(cands), cands)
        scores = [g.score if g.score == g.score else -1.0 for g in grades]  # NaN (unscored) ranks last
        best = max(range(len(cands)), key=lambda j: (scores[j], -j))
        rows.append({"scenario_id": s.id, "prompt": [m.model_dump() for m in s.messages],
                     "completion": [{"role": "assistant", "content": cands[best]}], "score": scores[best],
                     "mean_score": sum(scores) / len(scores)})
    return rows


def sft_and_merge(model_spec: str, rows: list[dict], seed: int, out: Path, *, steps: int = SFT_STEPS,
                  lr: float = 1e-4, max_length: int = 512, logging_steps: int = 5) -> Path:
    """LoRA SFT of `model_spec` on (prompt, completion) rows, merged into `out/merged`; the trainer's log in
    `out/sft_log.json`."""
    import json

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    from traitrl.models.loading import attention_for_training, load_policy

    loaded = load_policy(model_spec)
    model = loaded.model
    model.train()
    data = Dataset.from_list([{"prompt": r["prompt"], "completion": r["completion"]} for r in rows])
    args = SFTConfig(output_dir=str(out / "ckpt"), max_steps=steps, per_device_train_batch_size=4,
                     learning_rate=lr, logging_steps=logging_steps, save_strategy="no", report_to="none", seed=seed,
                     bf16=False, use_cpu=not torch.cuda.is_available(), max_length=max_length, disable_tqdm=True)
    trainer = SFTTrainer(model=model, args=args, train_dataset=data, processing_class=loaded.tokenizer,
                         peft_config=LoraConfig(r=16, lora_alpha=32, target_modules="all-linear",
                                                task_type="CAUSAL_LM"))
    with attention_for_training(model):  # eager on a CPU; saved as loaded
        trainer.train()
    (out / "sft_log.json").write_text(json.dumps(trainer.state.log_history, indent=1))
    merged = trainer.model.merge_and_unload()
    target = out / "merged"
    merged.save_pretrained(str(target), safe_serialization=True)
    loaded.tokenizer.save_pretrained(str(target))
    return target


def csft_stage(store: StageStore, cfg: ExperimentConfig, train_scenarios: list[Scenario], seed: int) -> Path:
    """Build the SFT'd start model of the arm; returns the folder of the merged checkpoint."""
    k = n_conversations(cfg)
    pool = sorted(train_scenarios, key=lambda s: s.id)
    random.Random(f"traitrl-csft-{seed}").shuffle(pool)
    chosen = pool[:k]
    parts = {"model": cfg.model, "seed": seed, "k": k, "samples": SAMPLES, "sft_steps": SFT_STEPS,
             "constitution": cfg.constitution, "max_tokens": cfg.train.max_completion_length}

    def work(d: Path) -> None:
        rows = best_of_n(cfg.model, chosen, cfg, seed)
        atomic_write_jsonl(d / "sft_data.jsonl", rows)
        sft_and_merge(cfg.model, rows, seed, d)
        atomic_write_json(d / "compute.json", {"conversations": k, "samples_per_conversation": SAMPLES,
                                               "sft_steps": SFT_STEPS})

    return store.run(f"csft-s{seed}", parts, work) / "merged"
