"""Two exact speed-ups for sampling with Hugging Face `generate` on a CPU, used by rollouts and evaluation.

1. `fast_sampling()`: `torch.multinomial(probs, 1)` draws one exponential variate per vocabulary entry
   (49,152 for SmolLM2) and was 40% of a batch-32 decode step here. Inside the context it is replaced by
   inverse-CDF sampling (one uniform per row, cumulative sums over blocks of the vocabulary and within the
   block picked, binary searches; `inverse_cdf_sample`): the same categorical distribution, far fewer random
   numbers. Any other call shape goes to the original.
   Nucleus (top-p) filtering sorts the whole vocabulary per row (21% of a GRPO rollout); inside the
   context it looks for the nucleus among the 256 most likely tokens first and sorts only when the
   nucleus is larger: the same kept set.
2. `generate_shared_prefix(model, input_ids, attention_mask, **kwargs)`: GRPO asks for `num_generations`
   completions of every prompt, and TRL passes each prompt that many times, so the prompt's prefill (most
   of the FLOPs for multi-turn scenarios) is computed once per copy. Here identical rows are prefilled once
   into a KV cache, the cache is expanded to every copy, and `generate` continues from it (the
   prefix-reuse pattern transformers documents). Greedy outputs are unchanged (tests check it). The cache
   is a `kv_cache.growable_cache`, which does not re-copy itself at every step.

`fast_generation(model)` applies both to one model object for the duration of a block (for TRL's trainer,
which calls `model.generate` itself), with a LoRA model's adapters folded into its weights for each call
(`models/merged_lora.py`): sampling then costs what it costs without adapters.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F

from traitrl.models.merged_lora import merged_lora

_multinomial = torch.multinomial


SAMPLE_BLOCK = 256  # vocabulary entries per block of the two-level inverse CDF


def _inverse_cdf_multinomial(input: torch.Tensor, num_samples: int, replacement: bool = False, *,
                             generator: torch.Generator | None = None, out: torch.Tensor | None = None):
    if num_samples != 1 or input.dim() != 2 or out is not None:
        return _multinomial(input, num_samples, replacement, generator=generator, out=out)
    return inverse_cdf_sample(input, generator)


def inverse_cdf_sample(weights: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """`(rows, 1)` indices, one per row of `weights` (non-negative, unnormalised, each row with a positive finite
    sum), each drawn with probability proportional to its weight from one float64 uniform per row.

    The inverse CDF is taken in two levels: the cumulative sum of block masses (`SAMPLE_BLOCK` entries each,
    summed in fp32) picks a block, then the cumulative sum within that block (float64) picks the entry, the
    uniform's remainder rescaled to the block's own total. Within a block the draw is exact; a block is picked
    with its fp32 mass, whose summation adds at most about 1e-5 relative error (256 fp32 terms) to the fp32
    probabilities' own. The same uniform lands on the token a
    single float64 cumulative sum over the row picks except where fp32 rounding of a block mass decides (200 of
    200 seeds x 32 rows of 49,152 gave identical tokens), at a fraction of the passes over the vocabulary and no
    float64 copy of the row (docs/performance.md). A zero-weight entry is never drawn: the block picked has a
    non-zero mass and the entry is the first whose running sum exceeds the remainder, kept below the block's
    total."""
    rows, width = weights.shape
    pad = (-width) % SAMPLE_BLOCK
    blocks = (F.pad(weights, (0, pad)) if pad else weights).reshape(rows, (width + pad) // SAMPLE_BLOCK, SAMPLE_BLOCK)
    acc = torch.float64 if weights.dtype == torch.float64 else torch.float32  # a float64 sum of fp32 copies
    cdf = blocks.sum(-1, dtype=acc).double().cumsum_(-1)
    total = cdf[:, -1:]
    if not bool(((total > 0) & total.isfinite()).all()):  # one check: one device sync
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0, or not finite)")
    zero = torch.zeros_like(total)
    u = torch.rand(total.shape, dtype=torch.float64, generator=generator, device=weights.device) * total
    u = torch.minimum(u, torch.nextafter(total, zero))  # u < total: never past the end
    block = torch.searchsorted(cdf, u, right=True)  # right=True: the first block whose cdf exceeds u
    below = cdf.gather(1, (block - 1).clamp(min=0)).masked_fill_(block == 0, 0.0)
    inner = blocks.gather(1, block[:, :, None].expand(-1, -1, SAMPLE_BLOCK)).squeeze(1).double().cumsum_(-1)
    rest = (u - below) * (inner[:, -1:] / (cdf.gather(1, block) - below))  # the remainder in the block's own sum
    rest = torch.minimum(rest, torch.nextafter(inner[:, -1:], zero))  # rounding cannot step past the block
    return block * SAMPLE_BLOCK + torch.searchsorted(inner, rest, right=True)


TOP_P_CANDIDATES = 256


def top_p_keep(scores: torch.Tensor, top_p: float, min_tokens_to_keep: int = 1) -> torch.Tensor:
    """Boolean mask of the nucleus: a token is kept when the probability mass of the tokens ranked above it is
    below `top_p` (and the `min_tokens_to_keep` most likely always). The nucleus is looked for among the top
    `TOP_P_CANDIDATES` tokens; the whole vocabulary is sorted only when some row's nucleus is wider."""
    probs = scores.float().softmax(-1)
    top, idx = probs.topk(min(TOP_P_CANDIDATES, scores.shape[-1]), dim=-1)
    if bool((top.sum(-1) > top_p).all()):
        keep = (top.cumsum(-1) - top) < top_p
        keep[:, :min_tokens_to_keep] = True
        return torch.zeros_like(scores, dtype=torch.bool).scatter_(1, idx, keep)
    # some nucleus is wider than the candidates: transformers' rule, ties broken by the same ascending sort
    ascending, order = torch.sort(scores, descending=False)
    drop = ascending.softmax(-1).cumsum(-1) <= (1 - top_p)
    drop[:, -min_tokens_to_keep:] = False
    return torch.ones_like(scores, dtype=torch.bool).scatter_(1, order, ~drop)


def _top_p_via_top_k(self: Any, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
    """`TopPLogitsWarper.__call__` without a full sort (`top_p_keep`). The signature must stay
    `(input_ids, scores)`: `LogitsProcessorList` checks it."""
    return scores.masked_fill(~top_p_keep(scores, self.top_p, self.min_tokens_to_keep), self.filter_value)


def _top_p_class() -> Any:
    from transformers.generation.logits_process import TopPLogitsWarper

    return TopPLogitsWarper


@contextlib.contextmanager
def fast_sampling() -> Iterator[None]:
    """Inverse-CDF sampling and top-k-first nucleus filtering within the block (see the module docstring)."""
    previous, warper = torch.multinomial, _top_p_class()
    previous_top_p = warper.__call__
    torch.multinomial = _inverse_cdf_multinomial
    warper.__call__ = _top_p_via_top_k
    try:
        yield
    finally:
        torch.multinomial = previous
        warper.__call__ = previous_top_p


def repeated_rows(input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """`(first, counts)`: indices of the first row of each run of identical consecutive rows, and run lengths."""
    same = (input_ids[1:] == input_ids[:-1]).all(-1) & (attention_mask[1:] == attention_mask[:-1]).all(-1)
    starts = torch.cat([same.new_ones(1), ~same]).nonzero().flatten()
    ends = torch.cat([starts[1:], starts.new_tensor([input_ids.shape[0]])])
    return starts, ends - starts


def generate_shared_prefix(model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                           *, generate: Any = None, **kwargs: Any) -> torch.Tensor:
    """`model.generate(input_ids, attention_mask, **kwargs)`, prefilling runs of identical rows once.

    Rows must be left-padded (decoder-only generation). Falls back to a plain call when there is nothing to
    share, when a cache is passed in, or when `num_return_sequences` is set.
    """
    from traitrl.models.kv_cache import cache_kwarg, growable_cache

    generate = generate or model.generate
    if attention_mask is None:
        attention_mask = torch.ones_like(input_ids)
    first, counts = repeated_rows(input_ids, attention_mask)
    gen_cfg = kwargs.get("generation_config")
    nrs = kwargs.get("num_return_sequences") or getattr(gen_cfg, "num_return_sequences", 1) or 1
    given_cache = kwargs.get("past_key_values") is not None or kwargs.get("cache") is not None
    if len(first) == input_ids.shape[0] or input_ids.shape[1] < 2 or given_cache or nrs != 1:
        return generate(input_ids=input_ids, attention_mask=attention_mask, **kwargs)
    key = cache_kwarg(model)
    u_ids, u_mask = input_ids[first, :-1], attention_mask[first, :-1]
    position_ids = (u_mask.long().cumsum(-1) - 1).clamp(min=0)
    reserve = kwargs.get("max_new_tokens") or getattr(gen_cfg, "max_new_tokens", None) or 256
    cache = growable_cache(model, reserve=reserve)
    with torch.no_grad():
        model(input_ids=u_ids, attention_mask=u_mask, position_ids=position_ids, use_cache=True,
              logits_to_keep=1, **{key: cache})
    cache.batch_select_indices(torch.repeat_interleave(torch.arange(len(first), device=counts.device), counts))
    return generate(input_ids=input_ids, attention_mask=attention_mask, **{key: cache}, **kwargs)


# generation settings and the values that leave sampling plain; unset (None) counts as plain, except for top_k
# (transformers then applies 50) and do_sample (then greedy)
_PLAIN = {"do_sample": True, "top_k": 0, "num_beams": 1, "num_return_sequences": 1, "min_p": None,
          "repetition_penalty": 1.0, "min_new_tokens": None, "min_length": 0, "suppress_tokens": None,
          "begin_suppress_tokens": None, "bad_words_ids": None, "no_repeat_ngram_size": 0, "stop_strings": None,
          "forced_bos_token_id": None, "forced_eos_token_id": None, "epsilon_cutoff": 0.0, "eta_cutoff": 0.0,
          "typical_p": 1.0, "renormalize_logits": False, "sequence_bias": None, "guidance_scale": None,
          "watermarking_config": None, "assistant_model": None, "prompt_lookup_num_tokens": None}
_MUST_BE_SET = {"do_sample", "top_k"}


def _setting(model: Any, cfg: Any, name: str) -> Any:
    """A generation setting as `generate` resolves it: the config passed in, else the model's own."""
    value = getattr(cfg, name, None)
    return value if value is not None else getattr(getattr(model, "generation_config", None), name, None)


def sampling_for_decode(model: Any, kwargs: dict) -> dict | None:
    """`decode` keywords equal to `model.generate(**kwargs)` when the call asks for plain sampling (temperature
    and top-p, as GRPO's rollouts do: TRL sets top_k=0) on a model the lean decode step serves; else None.
    Anything else the generation config might do (top-k, penalties, forced or suppressed tokens, processors
    passed in, streamers) sends the call to `generate`."""
    from traitrl.models.lean_step import supports_lean_step

    cfg = kwargs.get("generation_config")
    if cfg is None or set(kwargs) - {"generation_config", "attention_mask"} or not supports_lean_step(model):
        return None
    for name, plain in _PLAIN.items():
        value = _setting(model, cfg, name)
        if value != plain and (value is not None or name in _MUST_BE_SET):
            return None
    eos, pad, budget = (_setting(model, cfg, n) for n in ("eos_token_id", "pad_token_id", "max_new_tokens"))
    stops = [eos] if isinstance(eos, int) else list(eos or [])
    temperature, top_p = _setting(model, cfg, "temperature") or 1.0, _setting(model, cfg, "top_p") or 1.0
    if budget is None or pad is None or not stops or not 0 < top_p <= 1.0 or temperature <= 0:
        return None
    return {"max_new_tokens": budget, "stop_ids": stops, "pad_id": pad, "temperature": temperature, "top_p": top_p}


@contextlib.contextmanager
def fast_generation(model: Any, sampled: Any = None) -> Iterator[Any]:
    """Within the block, `model.generate` prefills repeated prompts once, runs LoRA adapters folded into their
    weights (`merged_lora`) and samples by inverse CDF. `sampled` (a `training.sampling_logps.SamplingLogProbs`)
    receives each call's new tokens and their log-probabilities when the decode loop serves it and
    `sampled.wants(model)`, and is cleared when it does not."""
    original = model.generate
    own = vars(model).get("generate")  # an instance attribute to restore, if there was one

    def generate(*args: Any, **kwargs: Any) -> torch.Tensor:
        if args:
            kwargs["input_ids"] = args[0]
        if "input_ids" not in kwargs:
            return original(**kwargs)
        ids = kwargs.pop("input_ids")
        keep = sampled is not None and sampled.wants(model)
        if sampled is not None:
            sampled.clear()
        with merged_lora(model):
            lean = sampling_for_decode(model, kwargs)
            if lean is not None:  # plain sampling: the decode loop (shared prefill, lean steps, rows leave)
                from traitrl.models.decode import decode

                mask = kwargs.get("attention_mask")
                mask = torch.ones_like(ids) if mask is None else mask
                new = decode(model, ids, mask, **lean, logprobs=keep)
                if keep:
                    new, logps = new
                    sampled.keep(new, logps)
                return torch.cat([ids, new], dim=1)
            return generate_shared_prefix(model, ids, kwargs.pop("attention_mask", None), generate=original,
                                          **kwargs)

    model.generate = generate
    try:
        with fast_sampling():
            yield model
    finally:
        if own is not None:
            model.generate = own
        else:
            del model.generate  # back to the class's method
