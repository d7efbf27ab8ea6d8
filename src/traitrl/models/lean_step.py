"""One decode step of a Llama-family model written as plain tensor operations, for `decode.py`.

At one new token per row, a decode step of the 135M policy (30 layers, 32 rows) spent about 100-115 ms here,
much of it outside the matrix products' arithmetic: SDPA's kernel (tuned for long queries) on one query per
row, weights re-packed by oneDNN at every product, module calls, the 4-D mask transformers builds at every
step. `LeanLlamaStep` runs the same computation over the model's own weights: embedding, then per layer
RMSNorm, q/k/v as one product, rotary embedding (the model's own rotary module), the cache's `update`,
attention as two batched products in fp32, output projection, RMSNorm, SiLU-gated MLP with gate and up as one
product; the final norm and the LM head. The cache is the one transformers filled at prefill, so rows can
still be dropped from it between steps.

`lean_step(model, cache)` returns the step for a plain Llama on the CPU (no bias, SiLU, every cache layer a
full-attention one, no dropout) with no active adapters and no forward hooks other than steering additions on
the blocks (which the step adds itself), and None for anything else: the caller then calls the model itself.
Greedy outputs match the model's own forward in fp32 (tests).
Measured in docs/performance.md ("A lean decode step").
"""

from __future__ import annotations

import weakref
from typing import Any

import torch
import torch.nn.functional as F

from traitrl.models.merged_lora import tuner_layers
from traitrl.models.steering import Addition, additions


def _base(model: Any) -> Any:
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def _weight(linear: Any) -> torch.Tensor:
    """The weight a linear layer computes with (a PEFT LoRA layer's base layer, adapters folded or absent)."""
    return linear.get_base_layer().weight if hasattr(linear, "get_base_layer") else linear.weight


def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin


class LeanLlamaStep:
    """`step(token (B,), mask (B, L), position (B, 1), cache) -> logits (B, 1, V)` for a Llama model.

    The weights are read when the step is built (once per `decode` call, inside any `merged_lora` block). In
    bf16 or fp32 with oneDNN they are also packed into oneDNN's blocked layout once, so a matrix product of a
    few rows does not re-pack its weight at every call: 1.2-1.8x faster per product at 32 rows in bf16 on the
    AVX-512 EPYC; in fp32 on the AVX2 EPYC 1.2-1.4x per layer product and 2.2x for the LM head (MKL's sgemm is
    slow at a few rows there), a whole step 200 -> 140 ms at 32 rows, logits within ~1e-5 relative of MKL's.
    In training mode (GRPO's rollouts, new weights at every optimizer step) the layers are packed afresh at each
    call (0.3 s on the 135M policy; a 32-row, 48-token rollout 12.1 -> 10.0 s with it on the AVX2 EPYC) and the
    LM head, which LoRA leaves unchanged, once (`_packed_head`).
    Attention is written as two batched products with the softmax in fp32: for one query per row it is 2-3x
    faster on a CPU than SDPA's kernel, which is tuned for long queries. The q, k and v weights are stacked into
    one product, as are gate and up (four products a layer instead of seven: each oneDNN call costs ~30 µs
    before any arithmetic here, and a few-row product is bound by reading its weight, so fewer, wider ones
    stream better): a bench (a) decode 13 % faster on the Intel Xeon with AMX (5.06 vs 5.81 s, six alternating
    pairs), greedy outputs unchanged (docs/performance.md)."""

    def __init__(self, model: Any, rows: int, pack: bool = True, head: torch.Tensor | None = None) -> None:
        base = _base(model)
        body = base.model
        cfg = base.config
        self.heads, self.kv_heads = cfg.num_attention_heads, cfg.num_key_value_heads
        self.head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
        self.eps = cfg.rms_norm_eps
        self.scale = self.head_dim ** -0.5
        self.embed, self.rotary = body.embed_tokens.weight, body.rotary_emb
        self.packed = pack and _packable(self.embed)
        pack = (lambda w: _pack(w, rows)) if self.packed else (lambda w: w.detach())
        def stacked(*linears: Any) -> torch.Tensor:  # one product's weight: the outputs side by side
            return pack(torch.cat([_weight(m).detach() for m in linears]))

        self.layers = [
            (layer.input_layernorm.weight,
             stacked(layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj),
             pack(_weight(layer.self_attn.o_proj)), layer.post_attention_layernorm.weight,
             stacked(layer.mlp.gate_proj, layer.mlp.up_proj), pack(_weight(layer.mlp.down_proj)))
            for layer in body.layers]
        self.norm = body.norm.weight
        self.additions: dict[int, list[torch.Tensor]] = {}  # steering vectors per block (`lean_step` sets them)
        self.head_packed = head is not None or self.packed
        self.head = head if head is not None else pack(_weight(base.lm_head))

    def _linear(self, x: torch.Tensor, w: torch.Tensor, packed: bool | None = None) -> torch.Tensor:
        if self.packed if packed is None else packed:
            return torch.ops.mkldnn._linear_pointwise(x, w, None, "none", [], "")
        return F.linear(x, w)

    def _norm(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """Llama's RMSNorm: normalised in fp32, cast back, then scaled (the same roundings as transformers)."""
        y = x.float()
        y = y * torch.rsqrt(y.pow(2).mean(-1, keepdim=True) + self.eps)
        return weight * y.to(x.dtype)

    def __call__(self, token: torch.Tensor, mask: torch.Tensor, position: torch.Tensor, cache: Any) -> torch.Tensor:
        b, h, kvh, d = token.shape[0], self.heads, self.kv_heads, self.head_dim
        x = F.embedding(token, self.embed)  # (B, hidden): one token per row
        cos, sin = self.rotary(x, position)
        cos, sin = cos.view(b, 1, d), sin.view(b, 1, d)
        bias = torch.zeros(mask.shape, device=mask.device).masked_fill_(~mask.bool(), float("-inf"))[:, None, None, :]
        nq, nkv = h * d, kvh * d
        for i, (ln1, wqkv, wo, ln2, wgu, wd) in enumerate(self.layers):
            qkv = self._linear(self._norm(x, ln1), wqkv)
            qk = _rotate(qkv[:, :nq + nkv].view(b, h + kvh, d), cos, sin)  # queries and keys rotated at once
            # one query per row: the heads that share a key/value head are that head's queries (no repeated keys)
            q = qk[:, :h].view(b, kvh, h // kvh, d)
            k, v = cache.layers[i].update(qk[:, h:].view(b, kvh, 1, d), qkv[:, nq + nkv:].reshape(b, kvh, 1, d))
            scores = torch.softmax(torch.matmul(q.float(), k.float().transpose(-1, -2)) * self.scale + bias, dim=-1)
            x = x + self._linear(torch.matmul(scores, v.float()).to(x.dtype).view(b, h * d), wo)
            gate, up = self._linear(self._norm(x, ln2), wgu).chunk(2, dim=-1)
            x = x + self._linear(F.silu(gate) * up, wd)
            for v in self.additions.get(i, ()):  # activation steering: what `steering.Addition` adds after block i
                x = x + v
        return self._linear(self._norm(x, self.norm), self.head, self.head_packed)[:, None]


def supports_lean_step(model: Any) -> bool:
    """Whether `model` is a plain Llama on the CPU that the lean step computes exactly: no biases, SiLU, no dropout
    in training mode, no active (unfolded) adapters, no forward hook but `steer`'s additions on the blocks."""
    base = _base(model)
    cfg = getattr(base, "config", None)
    if cfg is None or getattr(cfg, "model_type", None) != "llama" or not hasattr(base, "lm_head"):
        return False
    if base.lm_head.weight.device.type != "cpu":  # measured on CPUs only; elsewhere the model's own forward
        return False
    if (cfg.hidden_act != "silu" or getattr(cfg, "attention_bias", False) or getattr(cfg, "mlp_bias", False)
            or getattr(cfg, "pretraining_tp", 1) != 1):
        return False
    return not ((base.training and getattr(cfg, "attention_dropout", 0.0)) or _has_active_adapters(base)
                or _has_hooks(base))


def lean_step(model: Any, cache: Any) -> LeanLlamaStep | None:
    """A `LeanLlamaStep` for `model` and a prefilled `cache` when `supports_lean_step(model)` and every cache layer
    is a full-attention one, else None."""
    from transformers.cache_utils import DynamicLayer

    if not supports_lean_step(model) or not all(isinstance(layer, DynamicLayer) for layer in cache.layers):
        return None
    rows = cache.layers[0].keys.shape[0]
    if _base(model).training:  # new weights at every optimizer step: packed afresh, the (frozen) head kept packed
        step = LeanLlamaStep(model, rows, head=_packed_head(model, rows))
    else:
        step = _cached_step(model, rows)
    step.additions = additions(_base(model).model.layers)  # the steering in force for this decode
    return step


def _packable(w: torch.Tensor) -> bool:
    """Whether oneDNN can hold `w` in its blocked layout here: fp32 on the CPU, or bf16 where oneDNN computes it
    (AVX-512 or AVX-NE-CONVERT; on an AVX2-only CPU its bf16 reorder raises)."""
    if w.device.type != "cpu" or not torch.backends.mkldnn.is_available():
        return False
    return w.dtype == torch.float32 or (w.dtype == torch.bfloat16 and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def _pack(w: torch.Tensor, rows: int) -> torch.Tensor:
    return torch.ops.mkldnn._reorder_linear_weight(w.detach(), rows)


# Built steps and packed heads, held beside the model rather than on it: oneDNN's packed tensors cannot be
# deep-copied, so an attribute would break `copy.deepcopy(model)`; entries go with their model.
_BUILT_STEPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PACKED_HEADS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _while_unchanged(held: weakref.WeakKeyDictionary, base: Any, weights: Any, build: Any) -> Any:
    """`build()` for `base`, made once and reused while none of `weights` has been replaced or changed in place.
    The storages it was built from are held, so a new weight (folded adapters) cannot reuse their addresses."""
    now = [(w.untyped_storage(), w._version) for w in weights]
    seen = held.get(base)
    if seen is not None and len(seen[0]) == len(now) and all(
            a.data_ptr() == b.data_ptr() and u == v for (a, u), (b, v) in zip(seen[0], now, strict=True)):
        return seen[1]
    value = build()
    held[base] = (now, value)
    return value


def _packed_head(model: Any, rows: int) -> torch.Tensor | None:
    """The LM head's weight in oneDNN's blocked layout, packed once while it is unchanged (LoRA leaves it so):
    the head is the widest product of a decode step (49,152 x 576 on the embedded policy; 47.8 ms in MKL vs
    21.6 ms packed at 32 rows in fp32 on the AVX2 EPYC). None where packing does not apply."""
    base = _base(model)
    w = _weight(base.lm_head)
    return _while_unchanged(_PACKED_HEADS, base, [w], lambda: _pack(w, rows)) if _packable(w) else None


def _cached_step(model: Any, rows: int) -> LeanLlamaStep:
    """The step built for `model` before, while none of its weights has changed (packing every weight costs
    about 0.7 s on the 135M policy: once per set of weights, not per `decode`)."""
    base = _base(model)
    return _while_unchanged(_BUILT_STEPS, base, base.parameters(), lambda: LeanLlamaStep(model, rows))


def _has_hooks(model: Any) -> bool:
    """Whether a forward hook the step cannot reproduce (recording, any other) sits on `model` or any module of
    it, or on every module. Steering additions on the blocks (`steering.Addition`) it adds itself; the LM head's
    contiguous-input pre-hook (`loading.contiguous_head_input`) changes no value, nor do transformers' inert
    output-capturing hooks (`_inert`)."""
    from torch.nn.modules import module as torch_module

    body = getattr(model, "model", None)
    blocks = set(getattr(body, "layers", ()))
    if torch_module._global_forward_hooks or torch_module._global_forward_pre_hooks:
        return True
    for m in model.modules():
        harmless = 1 if getattr(m, "_traitrl_contiguous_input", False) else 0
        if any(not (_inert(h) or (m in blocks and isinstance(h, Addition))) for h in m._forward_hooks.values()):
            return True
        if len(m._forward_pre_hooks) > harmless:
            return True
    return False


def _inert(hook: Any) -> bool:
    """Whether `hook` is one of the output-capturing hooks transformers installs on a model's blocks the first time
    it is called with `output_hidden_states` or `output_attentions` and keeps: they record only inside such a
    call (a collector is set; transformers 5.25.0, `utils/output_capturing.py` `install_output_capuring_hook`),
    so a decode step that never runs inside one may ignore them. Without this, one `output_hidden_states` call
    turned the lean step off for the model for good."""
    return getattr(hook, "__module__", None) == "transformers.utils.output_capturing"


def _has_active_adapters(model: Any) -> bool:
    """Whether any PEFT tuner layer of `model` adds to its base layer's output (not disabled, not merged)."""
    return any(not m.disable_adapters and not m.merged for m in tuner_layers(model))
