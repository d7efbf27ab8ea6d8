"""Batched chat generation: greedy by default, or k seeded samples per conversation.

Conversations are rendered with the chat template (generation prompt included), sorted by prompt length so
that left padding stays small, generated in batches and returned in input order. Generation stops at the
tokenizer's end-of-turn token as well as the model's EOS. Sampling is seeded per batch, and batches depend
only on the inputs, so the same call gives the same samples. Decoding is `models/decode.py`: rows leave the
batch once they end, and the KV cache is not re-copied at every step.

On a CPU the model runs in `default_dtype()` (bf16 where the CPU computes it faster, measured) and with as many
torch threads as there are idle cores (`models.cpu.cpu_threads`): OpenMP threads wait for each other at every op, so
on a CPU shared with other busy processes, two threads on two cores run 2-7x slower than one thread
(measured in `bench/`, see docs/performance.md). `TRAITRL_TORCH_THREADS` overrides the choice. Sampling
draws by inverse CDF and the k samples of one conversation share one prompt prefill
(`models/fast_generate.py`, `models/decode.py`).

    texts = generate(load_policy("embedded"), [[Message(role="user", content="Hi")]], max_new_tokens=64)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from traitrl.evals.loglik import render_prompt
from traitrl.models.cpu import cpu_thread_policy
from traitrl.models.loading import LoadedModel
from traitrl.types import Message


def stop_token_ids(loaded: LoadedModel) -> list[int]:
    """EOS ids of the tokenizer and of the model's generation config, deduplicated."""
    ids: list[int] = []
    candidates: list[Any] = [loaded.tokenizer.eos_token_id]
    gen_config = getattr(loaded.model, "generation_config", None)
    candidates.append(getattr(gen_config, "eos_token_id", None))
    for c in candidates:
        for i in c if isinstance(c, (list, tuple)) else [c]:
            if i is not None and i not in ids:
                ids.append(int(i))
    return ids


GEN_BATCH_TOKENS = 65_536  # rows x (prompt + budget) per decode batch: ~1.5 GB of bf16 KV cache for SmolLM2-135M


def decode_batches(lengths: Sequence[int], budgets: Sequence[int], max_rows: int,
                   max_tokens: int = GEN_BATCH_TOKENS, pad_per_token: int = 2) -> list[list[int]]:
    """Indices grouped into decode batches, longest prompt first: at most `max_rows` rows and at most
    `max_tokens` of padded prompt plus budget (always at least one row). A row starts a new batch when its
    prompt would be padded by more than `pad_per_token` tokens per token of its budget: padding costs
    prefill, while a separate batch costs decode steps (on a CPU a step of 192 short rows costs about what
    64 cost). With 40-token budgets, short prompts get their own batch; with 128, they share one."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    width = 0
    for i in order:
        span = max(width, lengths[i] + budgets[i])
        longest_prompt = lengths[batches[-1][0]] if batches else lengths[i]
        if (batches and len(batches[-1]) < max_rows and (len(batches[-1]) + 1) * span <= max_tokens
                and longest_prompt - lengths[i] <= pad_per_token * budgets[i]):
            batches[-1].append(i)
            width = span
        else:
            batches.append([i])
            width = lengths[i] + budgets[i]
    return batches


def generate_batches(loaded: LoadedModel, conversations: Sequence[Sequence[Message]], *,
                     max_new_tokens: int | Sequence[int] = 256, temperature: float = 0.0, top_p: float = 1.0,
                     seed: int = 0, num_samples: int = 1, batch_size: int = 16,
                     max_batch_tokens: int = GEN_BATCH_TOKENS, system_prompt: str | None = None,
                     skip: Callable[[list[int]], bool] | None = None) -> Iterator[tuple[list[int], list[str]]]:
    """`(conversation indices, responses)` for each decode batch, as it finishes; with `num_samples=k`, each
    conversation has k consecutive responses.

    Batches depend only on the inputs (lengths, budgets, caps), and batch b is seeded with `seed` and b, so a
    caller may `skip` batches it already has (a resumed evaluation) and still get the same others."""
    import torch

    from traitrl.models.decode import decode

    if num_samples < 1:
        raise ValueError("num_samples must be at least 1")
    if num_samples > 1 and temperature <= 0:
        raise ValueError("num_samples > 1 needs temperature > 0 (greedy samples are identical)")
    tok, model = loaded.tokenizer, loaded.model
    prompts = [render_prompt(tok, conv, system_prompt) for conv in conversations]
    budgets = ([max_new_tokens] * len(prompts) if isinstance(max_new_tokens, int) else list(max_new_tokens))
    if len(budgets) != len(prompts):
        raise ValueError("max_new_tokens needs one budget per conversation")
    lengths = [len(tok(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    batches = decode_batches(lengths, budgets, max(1, batch_size // num_samples),
                             max(1, max_batch_tokens // num_samples))
    device = next(model.parameters()).device
    stops = stop_token_ids(loaded)
    pad = tok.pad_token_id if tok.pad_token_id is not None else stops[0]
    with torch.inference_mode(), cpu_thread_policy(device):
        for b, idx in enumerate(batches):
            if skip is not None and skip(idx):
                continue
            enc = tok([prompts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False)
            ids, mask = (enc[k].repeat_interleave(num_samples, 0).to(device) for k in ("input_ids", "attention_mask"))
            if temperature > 0:
                torch.manual_seed(seed * 1_000_003 + b)
            new = decode(model, ids, mask, max_new_tokens=[budgets[i] for i in idx for _ in range(num_samples)],
                         stop_ids=stops, pad_id=pad, temperature=temperature, top_p=top_p)
            yield idx, [t.strip() for t in tok.batch_decode(new, skip_special_tokens=True)]


def generate(loaded: LoadedModel, conversations: Sequence[Sequence[Message]], *,
             max_new_tokens: int | Sequence[int] = 256, temperature: float = 0.0, top_p: float = 1.0, seed: int = 0,
             num_samples: int = 1, batch_size: int = 16, max_batch_tokens: int = GEN_BATCH_TOKENS,
             system_prompt: str | None = None, progress: bool = True) -> list[str]:
    """Responses in input order; with `num_samples=k`, conversation i owns entries [i*k, (i+1)*k).

    `max_new_tokens` is one budget or one per conversation; `batch_size` caps the rows of a decode batch and
    `max_batch_tokens` its padded prompt-plus-budget tokens."""
    from tqdm.auto import tqdm

    out: list[str] = [""] * (len(conversations) * num_samples)
    bar = tqdm(total=len(conversations), desc="generate", unit="conv", disable=not progress)
    for idx, texts in generate_batches(loaded, conversations, max_new_tokens=max_new_tokens,
                                       temperature=temperature, top_p=top_p, seed=seed, num_samples=num_samples,
                                       batch_size=batch_size, max_batch_tokens=max_batch_tokens,
                                       system_prompt=system_prompt):
        for j, i in enumerate(idx):
            out[i * num_samples: (i + 1) * num_samples] = texts[j * num_samples: (j + 1) * num_samples]
        bar.update(len(idx))
    bar.close()
    return out
