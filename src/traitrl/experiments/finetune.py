"""Persistence test B: harmful fine-tuning along a dose ladder, applied to every compared model.

For each model (pre-RL base, compute-matched baseline, trait arm, ...) and each misalignment set, one SFT
run (TRL `SFTTrainer`, LoRA or full) saves the model after each dose on the ladder (e.g. 10, 25, 50, 100
steps). Each dose is then evaluated in-domain (health, mental health) and out-of-domain (every other
alignment benchmark). Unlike the paper, which attacked only a pre-RL model, the compute-matched baseline is
attacked too, so the comparison isolates what the trait data adds.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.console import Console

from traitrl.evals.benchmark import IN_DISTRIBUTION
from traitrl.experiments.config import ExperimentConfig, FinetuneSettings, selected
from traitrl.experiments.harmful_data import harmful_rows
from traitrl.experiments.stages import StageStore

console = Console(stderr=True)
IN_DOMAIN = {"health", "mental_health"}
SFT_BATCH, SFT_MAX_LENGTH = 4, 256  # rows per step and tokens per row of the harmful fine-tuning


def ladder_doses(ft: FinetuneSettings) -> list[int]:
    """The positive doses (SFT steps) a ladder saves a model at, in order."""
    return sorted(x for x in ft.doses if x > 0)


def dose_benchmarks(benchmarks: list, ft: FinetuneSettings) -> list:
    """What each dose is evaluated on: the health categories, then the out-of-domain alignment benchmarks."""
    health = [b for b in benchmarks if b.category in IN_DOMAIN]
    others = [b for b in benchmarks if b.category not in IN_DOMAIN | {IN_DISTRIBUTION, "capability"}
              and (ft.out_of_domain == "all" or b.scorer in ("mc", "mc2"))]
    return health + others


def _dose_saver(doses: list[int], out: Path, tokenizer):
    from transformers import TrainerCallback

    class DoseSaver(TrainerCallback):
        def on_step_end(self, args, state, control, model=None, **kwargs):
            if state.global_step in doses:
                target = out / f"dose-{state.global_step}"
                model.save_pretrained(str(target), safe_serialization=True)
                tokenizer.save_pretrained(str(target))

    return DoseSaver()


def sft_ladder(model_spec: str, dataset: str, method: str, ft: FinetuneSettings, seed: int, d: Path) -> None:
    """Fine-tune `model_spec` on `dataset` (LoRA, or all weights in fp32), saving a loadable model at every
    positive dose."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig, PeftModel
    from trl import SFTConfig, SFTTrainer

    from traitrl.models.loading import attention_for_training, load_policy
    from traitrl.training.grpo import compact_lm_head

    doses = ladder_doses(ft)
    loaded = load_policy(model_spec, dtype="float32" if method == "full" else "auto")
    model = loaded.model
    if isinstance(model, PeftModel):
        model = model.merge_and_unload()
    base_dir = d / "start"
    model.save_pretrained(str(base_dir), safe_serialization=True)
    loaded.tokenizer.save_pretrained(str(base_dir))
    model.train()
    rows = harmful_rows(dataset, max(doses) * SFT_BATCH, seed=seed)
    args = SFTConfig(output_dir=str(d / "ckpt"), max_steps=max(doses), per_device_train_batch_size=SFT_BATCH,
                     learning_rate=ft.learning_rate, logging_steps=5, save_strategy="no", report_to="none",
                     seed=seed, bf16=False, use_cpu=not torch.cuda.is_available(), max_length=SFT_MAX_LENGTH,
                     disable_tqdm=True, lr_scheduler_type="constant",
                     # TRL 1.16 turns checkpointing on by default (trl/trainer/sft_config.py); a few rows of a
                     # small model need no memory saved, and recomputing every layer cost ~1.2x (AVX2 EPYC)
                     gradient_checkpointing=False)
    peft_config = (LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", task_type="CAUSAL_LM")
                   if method == "lora" else None)
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_list(rows),
                         processing_class=loaded.tokenizer, peft_config=peft_config,
                         callbacks=[_dose_saver(doses, d, loaded.tokenizer)])
    # TRL's fused LM head scores padding positions too on a CPU; compact: the valid ones only (same loss). The
    # demo's ladder (20 steps of 4 rows) took 28 s instead of 33-38 on the AMX Xeon (docs/performance.md); eager
    # attention on a CPU (`training_attention`): 26.9 s against 34.5 there
    with compact_lm_head(), attention_for_training(model):
        trainer.train()
    if method == "lora":
        import json

        for dose in doses:
            cfg_path = d / f"dose-{dose}" / "adapter_config.json"
            cfg = json.loads(cfg_path.read_text())
            cfg["base_model_name_or_path"] = "../start"  # relative: the stage folder is renamed when published
            cfg_path.write_text(json.dumps(cfg, indent=2))


def finetuned_labels(cfg: ExperimentConfig, models: Iterable[str]) -> list[str]:
    """The model labels the ladders attack: the models `persistence.finetune.arms` selects (`selected`)."""
    ft = cfg.persistence.finetune
    return [m for m in models if ft is not None and selected(m, ft.arms)]


def finetune_stages(store: StageStore, cfg: ExperimentConfig, models: dict[str, str],
                    benchmarks: list) -> dict[str, Any]:
    """Run the ladder for every configured model and set; evaluate each dose. Returns raw eval results."""
    from traitrl.evals.evaluator import spec_fingerprint
    from traitrl.experiments.evaluation import eval_stage

    ft = cfg.persistence.finetune
    assert ft is not None
    subset = dose_benchmarks(benchmarks, ft)
    doses = ladder_doses(ft)
    out: dict[str, Any] = {}
    for label in finetuned_labels(cfg, models):
        seed = cfg.label_seed(label)[1]
        for dataset in ft.datasets:
            for method in ft.methods:
                # what determines the ladder, and nothing else: adding an arm or a dataset reuses the others; the
                # model by its weights' fingerprint, so a moved run folder or a retrained model keys it right
                parts = {"model": spec_fingerprint(models[label]), "dataset": dataset, "method": method, "doses": doses,
                         "learning_rate": ft.learning_rate, "seed": seed}
                name = f"{dataset}/{method}"
                stage = store.run(f"finetune-{label}-{dataset}-{method}", parts,
                                  lambda d, m=models[label], ds=dataset, how=method, sd=seed:
                                  sft_ladder(m, ds, how, ft, sd, d), dtype="float32" if method == "full" else None)
                for dose in doses:
                    out[f"{label}|{name}|{dose}"] = eval_stage(store, cfg, f"ft-{label}-{dataset}-{method}-{dose}",
                                                               str(stage / f"dose-{dose}"), subset)
    return out
