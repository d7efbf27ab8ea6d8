"""Log-likelihood of answer choices, fast on a CPU: one packed forward pass per item.

An item's conversation is rendered with the chat template (generation prompt included) and every choice is
scored as a continuation of it. Instead of running the prompt once per choice, each item becomes one packed
row `[prompt | choice 1 | choice 2 | ...]` with a custom attention mask: a choice token sees the prompt and
the earlier tokens of its own choice, never another choice, and its position ids continue from the end of
the prompt. That is exactly the computation of `prompt + choice` run separately (tested against that naive
path on a tiny model), with the prompt computed once. Rows are sorted by length and batched under a token
budget to keep padding small, the output head only runs on positions that predict a choice token, and the
token prefix all items share (system prompt, chat markup) is run once and reused as a key/value cache.
On a CPU it runs with as many torch threads as there are idle cores (`models.cpu.cpu_threads`).

A model that computes in bf16 orders an item's choices as fp32 does except where two are nearly tied: on
TruthfulQA MC1 (200 questions, the embedded model) bf16 moved a choice's log-likelihood by 0.16 nats on
average and 0.82 at most, and the gap between two choices of a question by 0.11 (median), 0.45 (95th
percentile) and 1.0 (largest); it flipped the best choice of 2 of the 200 questions (docs/performance.md).
`rescore_near_ties` re-scores only the choices an error of up to `TIE_MARGIN` per choice could reorder
(`near_ties`) with the model loaded in fp32, so the argmax is fp32's unless two choices' errors differ by more
than twice the margin (no flip escaped it in that sample): 80 of 1,011 choices re-scored under both rules,
1.7-1.8x the time of bf16 alone.

    scores = score_choices(load_policy("embedded"), items)
    best = argmax(s.logprob / s.n_tokens for s in scores[0])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from traitrl.evals.benchmark import BenchmarkItem
from traitrl.models.loading import LoadedModel
from traitrl.models.output_head import body_and_head
from traitrl.types import Message

MIN_SHARED_PREFIX = 4
TIE_MARGIN = 0.25  # nats a reduced-precision choice score is taken to be off by at most (`near_ties`)


class ChoiceLoglik(NamedTuple):
    """Sum of token log-probabilities of one choice, and its length in tokens and characters."""

    logprob: float
    n_tokens: int
    n_chars: int

    @property
    def per_token(self) -> float:
        return self.logprob / self.n_tokens if self.n_tokens else 0.0


class _Packed(NamedTuple):
    ids: list[int]
    prompt_len: int
    choice_lens: list[int]


def render_prompt(tokenizer: Any, messages: Sequence[Message], system_prompt: str | None = None) -> str:
    """The chat-templated conversation ending with the assistant generation prompt."""
    turns = [{"role": m.role, "content": m.content} for m in messages]
    if system_prompt is not None:
        turns = [{"role": "system", "content": system_prompt}] + [t for t in turns if t["role"] != "system"]
    return tokenizer.apply_chat_template(turns, add_generation_prompt=True, tokenize=False)


def _pack(tokenizer: Any, item: BenchmarkItem, system_prompt: str | None) -> _Packed:
    if not item.choices:
        raise ValueError(f"item {item.id} has no choices")
    prompt = tokenizer(render_prompt(tokenizer, item.messages, system_prompt), add_special_tokens=False)
    choices = [tokenizer(c, add_special_tokens=False)["input_ids"] for c in item.choices]
    ids = list(prompt["input_ids"])
    for c in choices:
        ids.extend(c)
    return _Packed(ids, len(prompt["input_ids"]), [len(c) for c in choices])


def _batches(lengths: list[int], batch_size: int, max_tokens: int) -> list[list[int]]:
    """Indices grouped longest first, at most `batch_size` rows and about `max_tokens` padded tokens."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < batch_size and lengths[batches[-1][0]] * (len(batches[-1]) + 1) \
                <= max_tokens:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def _shared_prefix(model: Any, rows: list[_Packed]) -> tuple[list[Any], int] | None:
    """Key/value states of the token prefix every row shares (e.g. the system prompt), computed once."""
    import torch

    first = rows[0].ids
    n = min(r.prompt_len for r in rows) - 1  # each row keeps >= 1 prompt token: it predicts the choices
    for r in rows[1:]:
        n = next((i for i in range(n) if r.ids[i] != first[i]), n)
    if n < MIN_SHARED_PREFIX:
        return None
    split = body_and_head(model)
    body = split[0] if split else model
    ids = torch.tensor([first[:n]], device=next(model.parameters()).device)
    out = body(input_ids=ids, use_cache=True)
    cache = getattr(out, "cache", None) or getattr(out, "past_key_values", None)
    layers = getattr(cache, "layers", None)
    if not layers or any(type(layer).__name__ != "DynamicLayer" for layer in layers):
        return None  # sliding-window or unusual caches: no sharing, still exact
    return [(layer.keys, layer.values) for layer in layers], n


def _run_batch(model: Any, rows: list[_Packed], pad_id: int,
               prefix: tuple[list[Any], int] | None = None) -> list[list[float]]:
    import torch
    from transformers import DynamicCache

    from traitrl.models.kv_cache import cache_kwarg

    device = next(model.parameters()).device
    offset = prefix[1] if prefix else 0  # tokens already in the shared key/value cache
    rows = [_Packed(r.ids[offset:], r.prompt_len - offset, r.choice_lens) for r in rows]
    width = max(len(r.ids) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    pos = torch.zeros((len(rows), width), dtype=torch.long)
    seg = torch.full((len(rows), width), -1, dtype=torch.long)
    pred_rows, pred_cols, targets = [], [], []
    for b, r in enumerate(rows):
        ids[b, : len(r.ids)] = torch.tensor(r.ids)
        pos[b, : r.prompt_len] = torch.arange(offset, offset + r.prompt_len)
        seg[b, : r.prompt_len] = 0
        start = r.prompt_len
        for k, n in enumerate(r.choice_lens):
            pos[b, start: start + n] = torch.arange(offset + r.prompt_len, offset + r.prompt_len + n)
            seg[b, start: start + n] = k + 1
            # token t of the choice is predicted by the last prompt token (t = 0) or by token t - 1
            pred_cols.extend([r.prompt_len - 1] + list(range(start, start + n - 1)) if n else [])
            pred_rows.extend([b] * n)
            targets.extend(r.ids[start: start + n])
            start += n
    causal = torch.ones(width, width, dtype=torch.bool).tril()
    mask = causal & ((seg[:, :, None] == seg[:, None, :]) | (seg == 0)[:, None, :])
    # padding attends to itself or the prompt, so no row is fully masked (that would give NaNs)
    mask = mask[:, None]
    past = None
    if prefix:
        mask = torch.cat([torch.ones(len(rows), 1, width, offset, dtype=torch.bool), mask], dim=-1)
        b = len(rows)
        past = DynamicCache(ddp_cache_data=[(k.expand(b, -1, -1, -1), v.expand(b, -1, -1, -1))
                                            for k, v in prefix[0]])
    mask = mask.to(device)
    if getattr(model.config, "_attn_implementation", "sdpa") == "eager":
        dtype = next(model.parameters()).dtype
        mask = torch.zeros(mask.shape, dtype=dtype, device=device).masked_fill(~mask, torch.finfo(dtype).min)
    ids, pos = ids.to(device), pos.to(device)
    rows_t = torch.tensor(pred_rows, device=device)
    cols_t = torch.tensor(pred_cols, device=device)
    split = body_and_head(model)
    cache = {cache_kwarg(split[0] if split else model): past} if past is not None else {}
    if split is not None:
        body, head = split
        hidden = body(input_ids=ids, attention_mask=mask, position_ids=pos, use_cache=past is not None,
                      **cache).last_hidden_state
        logits = head(hidden[rows_t, cols_t]).float()
    else:
        logits = model(input_ids=ids, attention_mask=mask, position_ids=pos, use_cache=past is not None,
                       **cache).logits
        logits = logits[rows_t, cols_t].float()
    logprobs = torch.log_softmax(logits, dim=-1)
    token_lp = logprobs.gather(1, torch.tensor(targets, device=device)[:, None])[:, 0].tolist()
    out, i = [], 0
    for r in rows:
        sums = []
        for n in r.choice_lens:
            sums.append(float(sum(token_lp[i: i + n])))
            i += n
        out.append(sums)
    return out


def score_choices(loaded: LoadedModel, items: Sequence[BenchmarkItem], *, batch_size: int = 16,
                  max_batch_tokens: int = 6144, system_prompt: str | None = None,
                  share_prefix: bool = True, progress: bool = False) -> list[list[ChoiceLoglik]]:
    """Sum log-probability and length of every choice of every item, in item order."""
    import torch
    from tqdm.auto import tqdm

    tok = loaded.tokenizer
    packed = [_pack(tok, item, system_prompt) for item in items]
    results: list[list[ChoiceLoglik] | None] = [None] * len(items)
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
    batches = _batches([len(p.ids) for p in packed], batch_size, max_batch_tokens)
    bar = tqdm(total=len(items), desc="loglik", unit="item", disable=not progress)
    from traitrl.models.cpu import cpu_thread_policy

    device = next(loaded.model.parameters()).device
    with torch.inference_mode(), cpu_thread_policy(device):
        prefix = _shared_prefix(loaded.model, packed) if share_prefix and packed else None
        for batch in batches:
            sums = _run_batch(loaded.model, [packed[i] for i in batch], pad_id, prefix)
            for i, s in zip(batch, sums, strict=True):
                choices = items[i].choices or []
                results[i] = [ChoiceLoglik(lp, n, len(c))
                              for lp, n, c in zip(s, packed[i].choice_lens, choices, strict=True)]
            bar.update(len(batch))
    bar.close()
    return [r or [] for r in results]


def near_ties(choices: Sequence[ChoiceLoglik], margin: float = TIE_MARGIN, rule: str = "both") -> list[int]:
    """Indices of the choices whose order against the best could flip if each choice's log-likelihood were off
    by up to `margin` nats, under `rule`: "sum" (within `2 * margin` of the best sum, lm-eval's `acc`), "mean"
    (within `margin / n + margin / n_best` of the best per-token mean, traitrl's `mc`) or "both"; each with that
    best; [] when no choice is that close to a best."""
    if len(choices) < 2:
        return []
    sums = [c.logprob for c in choices]
    means = [c.per_token if c.n_tokens else -math.inf for c in choices]
    best_sum = max(range(len(sums)), key=sums.__getitem__)
    best_mean = max(range(len(means)), key=means.__getitem__)
    near: set[int] = set()
    if rule in ("sum", "both"):
        by_sum = {i for i in range(len(sums)) if i != best_sum and sums[best_sum] - sums[i] < 2 * margin}
        near |= by_sum | {best_sum} if by_sum else set()
    if rule in ("mean", "both"):
        top_n = choices[best_mean].n_tokens
        by_mean = {i for i, c in enumerate(choices) if i != best_mean and c.n_tokens
                   and means[best_mean] - means[i] < margin / c.n_tokens + margin / top_n}
        near |= by_mean | {best_mean} if by_mean else set()
    return sorted(near)


def rescore_near_ties(exact: LoadedModel, items: Sequence[BenchmarkItem], scored: list[list[ChoiceLoglik]], *,
                      margin: float = TIE_MARGIN, rule: str = "both", batch_size: int = 16,
                      system_prompt: str | None = None) -> int:
    """Replace, in place, the scores of each item's `near_ties` choices by `exact`'s (the same model in a wider
    type, e.g. fp32 beside a bf16 one); returns how many choices were re-scored. The other choices keep their
    scores: each is farther from every best than two errors within the margin can close (2 x margin in the sum,
    margin / n + margin / n_best in the per-token mean), so no such error reorders it."""
    todo = [(i, idx) for i, choices in enumerate(scored) if (idx := near_ties(choices, margin, rule))]
    if not todo:
        return 0
    subset = [items[i].model_copy(update={"choices": [items[i].choices[j] for j in idx]}) for i, idx in todo]
    again = score_choices(exact, subset, batch_size=batch_size, system_prompt=system_prompt)
    for (i, idx), new in zip(todo, again, strict=True):
        for j, choice in zip(idx, new, strict=True):
            scored[i][j] = choice
    return sum(len(idx) for _, idx in todo)
