"""A supervised warm start for the issue-22 pilots: LoRA SFT of the embedded model on the gold set's good short
replies to fit-split scenarios (`short_good` and `short_firm`, 12-45 words, whole within a 96-token rollout),
merged and saved as a model folder an experiment config names as `model:` (configs/pilot_warm_cpu.yaml).

    python scripts/pilots/warm_start.py runs/warm_start 150 3e-4      # OUT_DIR STEPS LR; 35 min on 2 cores

Only fit-split scenarios are used: the held-out probe and evaluation read the written eval scenarios, which are
all in the gold test split. Writes OUT_DIR/merged, sft_log.json (loss per 10 steps) and sft_scenarios.txt.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

KINDS = ("short_good", "short_firm")


def main(out: Path, steps: int, lr: float) -> None:
    from traitrl.experiments.constitutional_sft import sft_and_merge
    from traitrl.grading.gold import load_gold

    gold = load_gold()
    rows = [(s, r) for s, r, _ in gold.labelled_replies("fit") if r.kind in KINDS]
    random.Random(0).shuffle(rows)
    out.mkdir(parents=True, exist_ok=True)
    (out / "sft_scenarios.txt").write_text("\n".join(sorted({s.id for s, _ in rows})) + "\n")
    data = [{"prompt": [m.model_dump() for m in s.messages], "completion": [{"role": "assistant", "content": r.text}]}
            for s, r in rows]
    print(f"{len(data)} SFT rows from {len({s.id for s, _ in rows})} fit scenarios", flush=True)
    sft_and_merge("embedded", data, seed=0, out=out, steps=steps, lr=lr, max_length=384, logging_steps=10)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
