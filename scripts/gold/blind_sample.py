"""A blind look at one trained adapter: greedy replies of the base model and the adapter to held-out scenarios
that the run's probe does not use, arms hidden and shuffled, for labelling by reading.

    cd scripts/gold && python blind_sample.py ADAPTER N OUT_DIR [BATCHES] [--probe 30] [--base MODEL]
        -> OUT_DIR/scenarios.jsonl, replies.jsonl, label_batch-K.md (by scenario) and label_second.md (every
           7th scenario, for an independent second read); then label as LABEL_BRIEF.md says and run
           `python optimisation_check.py report OUT_DIR`.
The scenarios are `probe_scenarios(probe + N)[probe:]`: the written eval split, past the probe's first `probe`.
`--base`: the model the adapter was trained from (default: the embedded one), which also writes the base replies.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from label_batches import reply_id, scenario_blocks, write_batches


def main(adapter: str, n: int, out: Path, batches: int, probe: int, base: str = "embedded",
         max_new_tokens: int = 96) -> None:
    from traitrl.evals.generation import generate
    from traitrl.experiments.probe import probe_scenarios
    from traitrl.models.loading import load_policy

    scenarios = probe_scenarios(probe + n)[probe:]
    replies = []
    for arm, spec in (("base", None), ("trait", adapter)):
        model = load_policy(base, adapter=spec, merge_adapter=True) if spec else load_policy(base)
        texts = generate(model, [s.messages for s in scenarios], max_new_tokens=max_new_tokens, progress=False)
        replies += [{"id": reply_id(s.id, f"model_{arm}", t), "scenario_id": s.id, "kind": f"model_{arm}",
                     "text": t} for s, t in zip(scenarios, texts, strict=True)]
    out.mkdir(parents=True, exist_ok=True)
    (out / "scenarios.jsonl").write_text("".join(s.model_dump_json() + "\n" for s in scenarios))
    (out / "replies.jsonl").write_text("".join(json.dumps(r) + "\n" for r in replies))
    blocks = scenario_blocks({s.id: json.loads(s.model_dump_json()) for s in scenarios}, replies, random.Random(7))
    write_batches(out, blocks, batches)
    second = blocks[::7]
    (out / "label_second.md").write_text(f"# second read: {len(second)} scenarios, "
                                         f"{sum(n for _, n in second)} replies\n\n"
                                         + "\n---\n\n".join(b for b, _ in second))
    print(f"{out}: {len(replies)} replies on {len(scenarios)} held-out scenarios")


if __name__ == "__main__":
    args = sys.argv[1:]
    options = {"--probe": "30", "--base": "embedded"}
    for flag in options:
        if flag in args:
            options[flag] = args.pop(args.index(flag) + 1)
            args.remove(flag)
    main(args[0], int(args[1]), Path(args[2]), int(args[3]) if len(args) > 3 else 1, int(options["--probe"]),
         options["--base"])
