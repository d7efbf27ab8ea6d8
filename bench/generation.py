"""(a) Rollout generation: traitrl `generate` vs transformers `generate` with default settings.

Same embedded model, same 32 chat prompts (asking for long answers), 64 new tokens, sampling at temperature 1.
The baseline loads the model the way `from_pretrained` gives it without `dtype=` (fp32 for this checkpoint),
with its default cache and default thread count, and samples with the model's default generation config.
Rounds alternate the two sides, so load from other processes hits both. Tokens counted = completion tokens
up to and including the stop token, capped at 64.
"""

from __future__ import annotations

import statistics

from bench.env import Timer

BATCH, NEW_TOKENS = 32, 64
TOPICS = ["a dragon", "a baker", "a robot", "a pilot", "a gardener", "a lighthouse keeper", "a chess player",
          "a beekeeper"]


def _conversations():
    from traitrl.types import Message

    return [[Message(role="user", content=f"Write a long, detailed story about {TOPICS[i % 8]} (story {i}).")]
            for i in range(BATCH)]


def _count(tok, texts: list[str]) -> int:
    return sum(min(NEW_TOKENS, len(tok(t, add_special_tokens=False)["input_ids"]) + 1) for t in texts)


def roofline_model(tok_s: float, n_params: int, bytes_per_weight: int, peak_gflops: float,
                   memory_gbs: float) -> dict:
    """traitrl's tokens per second against the roofline model's attainable rate for a `BATCH`-row decode step:
    the lesser of the compute roof (every weight used in 2 FLOP per row) and the memory roof (every weight read
    once per step, `BATCH` tokens per read). The KV cache's reads are left out, which makes the memory roof
    higher than it is, so the fraction is a lower bound where the probe reads the true bandwidth (a two-thread
    sum on a VM may read less, and some weights may stay in the last-level cache: either raises the fraction).
    `roofline_fraction` (the compute peak alone) is kept beside it: the issue's goal is stated against that one."""
    compute = peak_gflops * 1e9 / (2 * n_params)
    memory = memory_gbs * 1e9 * BATCH / (n_params * bytes_per_weight)
    return {"attainable_tok_s": round(min(compute, memory), 1), "bound": "memory" if memory < compute else "compute",
            "compute_roof_tok_s": round(compute, 1), "memory_roof_tok_s": round(memory, 1),
            "memory_read_gbs": memory_gbs, "fraction": {"traitrl": round(tok_s / min(compute, memory), 4)}}


def run(rounds: int = 3, peak_gflops: float | None = None, memory_gbs: float | None = None) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from traitrl.evals.generation import generate
    from traitrl.evals.loglik import render_prompt
    from traitrl.models.embedded import policy_path
    from traitrl.models.loading import load_policy

    path = str(policy_path())
    convs = _conversations()
    hf_tok = AutoTokenizer.from_pretrained(path)
    hf_tok.padding_side = "left"
    hf_model = AutoModelForCausalLM.from_pretrained(path).eval()
    enc = hf_tok([render_prompt(hf_tok, c) for c in convs], return_tensors="pt", padding=True,
                 add_special_tokens=False)
    ours = load_policy("embedded", device="cpu")
    n_params = sum(p.numel() for p in hf_model.parameters())

    def baseline() -> tuple[int, Timer]:
        torch.manual_seed(0)
        with Timer() as t, torch.inference_mode():
            seqs = hf_model.generate(**enc, do_sample=True, max_new_tokens=NEW_TOKENS)
        texts = hf_tok.batch_decode(seqs[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
        return _count(hf_tok, [x.strip() for x in texts]), t

    def traitrl() -> tuple[int, Timer]:
        with Timer() as t:
            texts = generate(ours, convs, max_new_tokens=NEW_TOKENS, temperature=1.0, batch_size=BATCH,
                             progress=False)
        return _count(ours.tokenizer, texts), t

    sides = {"transformers_default": baseline, "traitrl": traitrl}
    runs: dict[str, list[dict]] = {k: [] for k in sides}
    traitrl()  # warm-up (first call pays allocator and kernel selection)
    for r in range(rounds):
        for name in (list(sides) if r % 2 == 0 else list(sides)[::-1]):
            n, t = sides[name]()
            runs[name].append({"tokens": n, "seconds": round(t.seconds, 2), "tok_s": round(n / t.seconds, 1),
                               "load1": t.load})
    med = {k: statistics.median(x["tok_s"] for x in v) for k, v in runs.items()}
    out = {"setup": {"batch": BATCH, "new_tokens": NEW_TOKENS, "temperature": 1.0, "params": n_params,
                     "baseline_dtype": str(hf_model.dtype), "traitrl_dtype": str(ours.model.dtype)},
           "runs": runs, "median_tok_s": med, "ratio": round(med["traitrl"] / med["transformers_default"], 2),
           "goal": ">= 3x, >= 10% of roofline (issue 20)"}
    if peak_gflops:
        from traitrl.models.loading import default_dtype

        out["dtype"] = str(default_dtype()).replace("torch.", "")
        out["roofline_fraction"] = {k: round(v * 2 * n_params / (peak_gflops * 1e9), 4) for k, v in med.items()}
        if memory_gbs:
            out["roofline_model"] = roofline_model(med["traitrl"], n_params, ours.model.dtype.itemsize,
                                                   peak_gflops, memory_gbs)
    return out
