"""A supervised warm start for the issue-22 pilots: LoRA SFT of the embedded model on the gold set's good short
replies to fit-split scenarios (`short_good` and `short_firm`, 12-45 words, whole within a 96-token rollout),
merged and saved as a model folder an experiment config names as `model:` (configs/pilot_warm_cpu.yaml).

    python scripts/pilots/warm_start.py runs/warm_start 150 3e-4      # OUT_DIR STEPS LR; 35 min on 2 cores

Only fit-split scenarios are used: the held-out probe and evaluation read the written eval scenarios, which are
all in the gold test split. Writes OUT_DIR/merged, sft_log.json (loss per 10 steps) and sft_scenarios.txt.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

KINDS = ("short_good", "short_firm")


def main(out: Path, steps: int, lr: float) -> None:
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    from traitrl.grading.gold import load_gold
    from traitrl.models.loading import load_policy

    gold = load_gold()
    rows = [(s, r) for s, r, _ in gold.labelled_replies("fit") if r.kind in KINDS]
    random.Random(0).shuffle(rows)
    out.mkdir(parents=True, exist_ok=True)
    (out / "sft_scenarios.txt").write_text("\n".join(sorted({s.id for s, _ in rows})) + "\n")
    data = [{"prompt": [m.model_dump() for m in s.messages], "completion": [{"role": "assistant", "content": r.text}]}
            for s, r in rows]
    print(f"{len(data)} SFT rows from {len({s.id for s, _ in rows})} fit scenarios", flush=True)
    loaded = load_policy("embedded")
    loaded.model.train()
    args = SFTConfig(output_dir=str(out / "ckpt"), max_steps=steps, per_device_train_batch_size=4, learning_rate=lr,
                     logging_steps=10, save_strategy="no", report_to="none", seed=0, bf16=False, use_cpu=True,
                     max_length=384, disable_tqdm=True)
    lora = LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=loaded.model, args=args, train_dataset=Dataset.from_list(data),
                         processing_class=loaded.tokenizer, peft_config=lora)
    trainer.train()
    (out / "sft_log.json").write_text(json.dumps(trainer.state.log_history, indent=1))
    merged = trainer.model.merge_and_unload()
    merged.save_pretrained(str(out / "merged"), safe_serialization=True)
    loaded.tokenizer.save_pretrained(str(out / "merged"))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
