"""(f) Evaluation prefill: prompts in row blocks (`decode.prefill`) vs one forward per decode batch.

The prompts are the generation items of `traitrl eval --suite all --limit N` (multi-turn held-out trait
scenarios of ~300 tokens, refusal and misalignment prompts of ~40-160), grouped into the decode batches the
evaluator forms; the shared-prefix prefill is off on both sides, so this compares the block size alone. Each
round prefills every batch both ways, alternating which goes first, so other processes' load hits both.
Needs the benchmark data (`TRAITRL_DATA`).
"""

from __future__ import annotations

import statistics

from bench.env import Timer

WHOLE = 10**9  # a block larger than any batch: one forward per decode batch


def _batches(limit: int):
    from traitrl.evals.evaluator import Decoding, budget
    from traitrl.evals.generation import decode_batches
    from traitrl.evals.loglik import render_prompt
    from traitrl.evals.registry import all_benchmarks
    from traitrl.models.loading import load_policy

    pairs = [(b, it) for b in all_benchmarks().values() if b.scorer == "generate" for it in b.load()[:limit]]
    loaded = load_policy("embedded", merge_adapter=True)
    tok = loaded.tokenizer
    prompts = [render_prompt(tok, it.messages) for _, it in pairs]
    lengths = [len(tok(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    groups = decode_batches(lengths, [budget(b, Decoding()) for b, _ in pairs], max_rows=256)
    encoded = [tok([prompts[i] for i in g], return_tensors="pt", padding=True, add_special_tokens=False)
               for g in groups]
    return loaded, encoded, sum(lengths)


def run(limit: int = 20, rounds: int = 2) -> dict:
    import torch

    from bench.env import load
    from traitrl.models.cpu import cpu_thread_policy
    from traitrl.models.decode import PREFILL_TOKENS, prefill

    loaded, encoded, tokens = _batches(limit)
    runs: dict[str, list[dict]] = {"blocks": [], "whole": []}
    with torch.inference_mode(), cpu_thread_policy("cpu"):
        for r in range(rounds):
            sides = [("blocks", PREFILL_TOKENS), ("whole", WHOLE)]
            for name, max_tokens in sides if r % 2 == 0 else sides[::-1]:
                with Timer() as t:
                    for enc in encoded:
                        mask = enc["attention_mask"]
                        position = (mask.cumsum(-1) - 1).clamp(min=0)
                        prefill(loaded.model, enc["input_ids"], mask, position, reserve=1, max_tokens=max_tokens,
                                share_prefix=False)
                runs[name].append({"seconds": round(t.seconds, 2), "load1": t.load})
    median = {k: statistics.median(x["seconds"] for x in v) for k, v in runs.items()}
    return {"setup": {"limit": limit, "decode_batches": [int(e["input_ids"].shape[0]) for e in encoded],
                      "prompt_tokens": tokens, "block_tokens": PREFILL_TOKENS, "load_at_start": load()},
            "runs": runs, "median_s": median, "ratio": round(median["blocks"] / median["whole"], 3),
            "goal": "< 1 (blocks faster)"}
