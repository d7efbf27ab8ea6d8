"""The evaluation decode loop must give what `generate` gives, while dropping rows that have ended."""

from __future__ import annotations

import pytest
import torch
from transformers.cache_utils import DynamicLayer

from traitrl.models.decode import (
    MIN_SHARED_PREFIX,
    _next_tokens,
    decode,
    prefill,
    prefill_blocks,
    shared_prefix_length,
)
from traitrl.models.kv_cache import GrowableLayer, growable_cache


def _batch(tok, texts):
    enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    return enc["input_ids"], enc["attention_mask"]


TEXTS = ["hello there, how are you today", "a", "the quick brown fox jumps", "one two three four five six seven",
         "zz", "what is the capital of France?"]


def _reference(model, ids, mask, n, stop, pad):
    with torch.no_grad():
        seqs = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=n, do_sample=False,
                              eos_token_id=stop, pad_token_id=pad, temperature=None, top_p=None, top_k=None)
    return seqs[:, ids.shape[1]:]


def _stop_that_ends_some_rows(model, ids, mask, pad):
    """A token greedy decoding emits early in some rows but not in all: rows then end at different steps."""
    free = _reference(model, ids, mask, 12, [], pad)
    for token in free[:, 2:6].flatten().tolist():
        ends = (free == token).any(-1)
        if 0 < int(ends.sum()) < len(ends) and token != pad:
            return token
    raise AssertionError("no token ends only some rows of this tiny model: the test would prove nothing")


@pytest.mark.parametrize("prune_fraction", [0.01, 0.5, 2.0])  # prune at every end, sometimes, never
def test_greedy_decode_equals_generate_while_rows_end_at_different_steps(tiny, prune_fraction):
    tok, model = tiny
    ids, mask = _batch(tok, TEXTS)
    pad = tok.pad_token_id
    stop = _stop_that_ends_some_rows(model, ids, mask, pad)
    want = _reference(model, ids, mask, 12, [stop], pad)
    got = decode(model, ids, mask, max_new_tokens=12, stop_ids=[stop], pad_id=pad, prune_fraction=prune_fraction)
    assert got.tolist() == want.tolist()
    ended_early = (got == stop).any(-1)
    assert ended_early.any() and not ended_early.all()


def test_each_row_stops_at_its_own_budget(tiny):
    tok, model = tiny
    ids, mask = _batch(tok, TEXTS)
    pad = tok.pad_token_id
    full = decode(model, ids, mask, max_new_tokens=10, stop_ids=[], pad_id=pad)
    budgets = [3, 10, 1, 7, 10, 5]
    cut = decode(model, ids, mask, max_new_tokens=budgets, stop_ids=[], pad_id=pad)
    assert cut.shape == full.shape
    for row, (b, c, f) in enumerate(zip(budgets, cut.tolist(), full.tolist(), strict=True)):
        assert c[:b] == f[:b] and all(t == pad for t in c[b:]), row


def test_blocks_cap_padded_tokens_and_cover_every_row_once():
    lengths = [9, 8, 5, 5, 4, 2, 1]
    blocks = prefill_blocks(lengths, max_tokens=12)
    assert blocks == [(0, 1), (1, 2), (2, 4), (4, 7)]
    assert all(max(lengths[a:b]) * (b - a) <= 12 for a, b in blocks)
    assert prefill_blocks([20, 3], max_tokens=4) == [(0, 1), (1, 2)]  # a row over the cap still gets a block


def test_prefill_in_row_blocks_cut_to_their_own_prompts_decodes_like_one_prefill(tiny):
    tok, model = tiny
    texts = sorted(TEXTS, key=len, reverse=True)  # as `generate` orders a batch: blocks of short rows get cut
    ids, mask = _batch(tok, texts)
    one = decode(model, ids, mask, max_new_tokens=10, stop_ids=[], pad_id=tok.pad_token_id)
    blocks = decode(model, ids, mask, max_new_tokens=10, stop_ids=[], pad_id=tok.pad_token_id,
                    prefill_tokens=2 * int(mask.sum(-1).max()))
    assert len(prefill_blocks(mask.sum(-1).tolist(), 2 * int(mask.sum(-1).max()))) >= 3
    assert blocks.tolist() == one.tolist() == _reference(model, ids, mask, 10, [], tok.pad_token_id).tolist()


def test_block_prefill_fills_the_cache_a_single_prefill_fills_and_zeroes_the_padding(tiny):
    tok, model = tiny
    ids, mask = _batch(tok, sorted(TEXTS, key=len, reverse=True))
    position = (mask.cumsum(-1) - 1).clamp(min=0)
    longest = int(mask.sum(-1).max())
    with torch.no_grad():
        whole, whole_logits, _ = prefill(model, ids, mask, position, reserve=4, max_tokens=10**6)
        parts, parts_logits, _ = prefill(model, ids, mask, position, reserve=4, max_tokens=2 * longest)
    assert torch.allclose(parts_logits, whole_logits, atol=1e-5)
    pad = ~mask.bool()
    for a, b in zip(whole.layers, parts.layers, strict=True):
        for x, y in ((a.keys, b.keys), (a.values, b.values)):
            assert x.shape == y.shape
            real = (~pad)[:, None, :, None].expand_as(x)
            assert torch.allclose(x[real], y[real], atol=1e-5)
            assert not y[pad[:, None, :, None].expand_as(y)].any()


def test_repeated_prompts_are_prefilled_once_and_decode_alike(tiny):
    tok, model = tiny
    ids, mask = _batch(tok, TEXTS[:3])
    reps = torch.tensor([3, 1, 2])
    many = decode(model, ids.repeat_interleave(reps, 0), mask.repeat_interleave(reps, 0), max_new_tokens=8,
                  stop_ids=[], pad_id=tok.pad_token_id)
    once = decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=tok.pad_token_id)
    assert many.tolist() == once.repeat_interleave(reps, 0).tolist()


def test_near_zero_temperature_samples_the_greedy_tokens_and_seeded_samples_repeat(tiny):
    tok, model = tiny
    ids, mask = _batch(tok, TEXTS)
    greedy = decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=tok.pad_token_id)
    cold = decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=tok.pad_token_id, temperature=1e-4,
                  top_p=0.9)
    assert cold.tolist() == greedy.tolist()
    runs = []
    for _ in range(2):
        torch.manual_seed(7)
        runs.append(decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=tok.pad_token_id,
                           temperature=1.0, top_p=0.95).tolist())
    assert runs[0] == runs[1] and runs[0] != greedy.tolist()


def test_growable_layer_holds_what_a_dynamic_layer_holds_through_growth_and_row_selection():
    g = torch.Generator().manual_seed(0)
    grow, plain = GrowableLayer(reserve=3), DynamicLayer()
    for n in (5, 1, 1, 1, 1, 4):  # overflows the reserve twice
        k, v = torch.randn(4, 2, n, 8, generator=g), torch.randn(4, 2, n, 8, generator=g)
        gk, gv = grow.update(k, v)
        pk, pv = plain.update(k, v)
        assert torch.equal(gk, pk) and torch.equal(gv, pv)
    rows = torch.tensor([3, 1])
    grow.batch_select_indices(rows)
    plain.batch_select_indices(rows)
    k, v = torch.randn(2, 2, 1, 8, generator=g), torch.randn(2, 2, 1, 8, generator=g)
    assert all(torch.equal(a, b) for a, b in zip(grow.update(k, v), plain.update(k, v), strict=True))
    assert grow.get_seq_length() == plain.get_seq_length() == 14


def test_generate_accepts_the_growable_cache(tiny):
    tok, model = tiny
    ids, mask = _batch(tok, TEXTS)
    want = _reference(model, ids, mask, 10, [], tok.pad_token_id)
    cache = growable_cache(model, reserve=4)
    assert len(cache.layers) == model.config.num_hidden_layers
    assert all(isinstance(layer, GrowableLayer) for layer in cache.layers)
    with torch.no_grad():
        seqs = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=10, do_sample=False,
                              pad_token_id=tok.pad_token_id, cache=cache)
    assert seqs[:, ids.shape[1]:].tolist() == want.tolist()


SYSTEM = "system: you are a careful assistant who answers every question briefly and plainly. user: "


def test_shared_prefix_is_the_common_start_of_the_prompts_and_leaves_each_row_a_token(tiny):
    tok, _ = tiny
    ids, mask = _batch(tok, [SYSTEM + t for t in TEXTS])
    n = shared_prefix_length(ids, mask)
    assert n == len(tok(SYSTEM.rstrip(), add_special_tokens=False)["input_ids"]) >= MIN_SHARED_PREFIX
    ids, mask = _batch(tok, [SYSTEM, SYSTEM + "more"])
    assert shared_prefix_length(ids, mask) == int(mask.sum(-1).min()) - 1  # the shorter row keeps its last token
    assert shared_prefix_length(*_batch(tok, TEXTS)) == 0
    ids, mask = _batch(tok, [SYSTEM + t for t in TEXTS])
    holed = mask.clone()
    holed[0, -2] = 0  # not plain left padding: no sharing
    assert shared_prefix_length(ids, holed) == 0


@pytest.mark.parametrize("lean", [True, False])  # the lean step and the model's own forward read the layout
@pytest.mark.parametrize("prefill_tokens", [10**6, 14])  # one block, several blocks
def test_shared_prefix_prefill_decodes_like_generate(tiny, prefill_tokens, lean):
    tok, model = tiny
    ids, mask = _batch(tok, [SYSTEM + t for t in sorted(TEXTS, key=len, reverse=True)])
    want = _reference(model, ids, mask, 10, [], tok.pad_token_id)
    got = decode(model, ids, mask, max_new_tokens=10, stop_ids=[], pad_id=tok.pad_token_id,
                 prefill_tokens=prefill_tokens, lean=lean)
    plain = decode(model, ids, mask, max_new_tokens=10, stop_ids=[], pad_id=tok.pad_token_id,
                   prefill_tokens=prefill_tokens, share_prefix=False)
    assert got.tolist() == want.tolist() == plain.tolist()


def test_shared_prefix_prefill_gives_the_same_logits_and_a_mask_of_its_layout(tiny):
    tok, model = tiny
    ids, mask = _batch(tok, [SYSTEM + t for t in TEXTS])
    position = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        cache, logits, layout = prefill(model, ids, mask, position, reserve=4, max_tokens=14)
        _, plain_logits, plain_mask = prefill(model, ids, mask, position, reserve=4, share_prefix=False)
    assert torch.allclose(logits, plain_logits, atol=1e-5)
    assert plain_mask is mask
    assert layout.sum(-1).tolist() == mask.sum(-1).tolist()  # every prompt token once, in the cache's columns
    assert cache.layers[0].keys.shape[-2] == layout.shape[1]


def _step_logits_both_ways(model, tok, pack=True):
    """Logits of one decode step after a prefill, by the model's forward and by the lean step (same cache);
    `pack=False`: the step's plain products (no oneDNN blocked weights)."""
    from traitrl.models.lean_step import LeanLlamaStep, lean_step

    ids, mask = _batch(tok, TEXTS)
    position = (mask.cumsum(-1) - 1).clamp(min=0)
    out = []
    for lean in (False, True):
        with torch.no_grad():
            cache, logits, _ = prefill(model, ids, mask, position, reserve=4)
            token = logits[:, -1].argmax(-1)
            step_mask = torch.cat([mask, mask.new_ones(len(ids), 1)], 1)
            step_pos = position[:, -1:] + 1
            step = lean_step(model, cache) if lean else None
            if lean and not pack:
                step = LeanLlamaStep(model, len(ids), pack=False)
            if lean:
                assert step is not None
                out.append(step(token, step_mask, step_pos, cache))
            else:
                out.append(model(input_ids=token[:, None], attention_mask=step_mask, position_ids=step_pos,
                                 use_cache=True, cache=cache).logits)
    return out


@pytest.mark.parametrize("pack", [True, False])
def test_the_lean_step_computes_the_models_own_decode_step(tiny, pack):
    tok, model = tiny
    forward, lean = _step_logits_both_ways(model, tok, pack)
    assert forward.shape == lean.shape
    assert torch.allclose(forward, lean, atol=1e-5)


def test_the_lean_step_reads_a_head_width_of_its_own(tiny):
    """q/k/v are one stacked product cut by the config's head_dim, here not hidden / heads (24, not 8), with
    three query heads per key/value head."""
    from transformers import LlamaConfig, LlamaForCausalLM

    tok, tiny_model = tiny
    config = LlamaConfig(vocab_size=tiny_model.config.vocab_size, hidden_size=48, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=6, num_key_value_heads=2, head_dim=24,
                         max_position_embeddings=512, tie_word_embeddings=True)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).eval()
    forward, lean = _step_logits_both_ways(model, tok)
    assert torch.allclose(forward, lean, atol=1e-5)


def test_the_lean_step_declines_active_adapters_and_reads_folded_ones(tiny):
    import copy

    from peft import LoraConfig, get_peft_model

    from traitrl.models.lean_step import lean_step
    from traitrl.models.merged_lora import merged_lora

    tok, model = tiny
    peft = get_peft_model(copy.deepcopy(model), LoraConfig(r=4, target_modules=["q_proj", "v_proj", "down_proj"],
                                                           init_lora_weights=False)).eval()
    ids, mask = _batch(tok, TEXTS)
    position = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        cache, _, _ = prefill(peft, ids, mask, position, reserve=4)
    assert lean_step(peft, cache) is None  # active adapters: the step would read the base weights only
    with merged_lora(peft):
        forward, lean = _step_logits_both_ways(peft, tok)
        unfolded = _step_logits_both_ways(model, tok)[0]
    assert torch.allclose(forward, lean, atol=1e-5)
    assert not torch.allclose(lean, unfolded, atol=1e-3)  # the adapters changed the step: they were read


def test_the_lean_step_is_reused_for_the_same_weights_and_rebuilt_when_they_change(tiny):
    import copy

    from traitrl.models.lean_step import lean_step

    tok, model = tiny
    model = copy.deepcopy(model)
    ids, mask = _batch(tok, TEXTS)
    position = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        cache, _, _ = prefill(model, ids, mask, position, reserve=4)
    first = lean_step(model, cache)
    assert lean_step(model, cache) is first
    with torch.no_grad():
        model.model.layers[0].mlp.down_proj.weight.mul_(3.0)  # in place: same storage, new version
    assert lean_step(model, cache) is not first
    lean = decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=tok.pad_token_id)
    assert lean.tolist() == decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=tok.pad_token_id,
                                   lean=False).tolist()


def test_a_steered_model_is_decoded_through_its_forward_hooks(tiny):
    from traitrl.models.lean_step import lean_step

    tok, model = tiny
    ids, mask = _batch(tok, TEXTS)
    position = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        cache, _, _ = prefill(model, ids, mask, position, reserve=4)
    handle = model.model.layers[1].register_forward_hook(lambda _m, _a, out: (out[0] + 3.0, *out[1:])
                                                         if isinstance(out, tuple) else out + 3.0)
    try:
        assert lean_step(model, cache) is None
        steered = decode(model, ids, mask, max_new_tokens=6, stop_ids=[], pad_id=tok.pad_token_id)
    finally:
        handle.remove()
    assert lean_step(model, cache) is not None
    plain = decode(model, ids, mask, max_new_tokens=6, stop_ids=[], pad_id=tok.pad_token_id)
    assert steered.tolist() != plain.tolist()  # the hook changed what was decoded: it ran


def test_in_training_mode_the_lean_step_packs_the_layers_afresh_and_the_head_once(tiny):
    """GRPO rollouts run with the policy in training mode: the layers' weights change at every optimizer step and
    are packed at every call, the LM head (which LoRA leaves alone) is packed once and reused while it is
    unchanged; the step computes the model's own forward with the weights it has now."""
    import copy

    from traitrl.models.lean_step import lean_step

    tok, model = tiny
    model = copy.deepcopy(model).train()
    model.config.attention_dropout = 0.0
    ids, mask = _batch(tok, TEXTS)
    position = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        cache, _, _ = prefill(model, ids, mask, position, reserve=4)
        first, second = lean_step(model, cache), lean_step(model, cache)
    assert first is not second and first.packed and first.head_packed
    assert first.head is second.head  # packed once for the unchanged head
    assert first.layers[0][1] is not second.layers[0][1]  # the layers packed afresh
    with torch.no_grad():
        model.lm_head.weight.mul_(2.0)
        model.model.layers[0].self_attn.q_proj.weight.mul_(1.5)  # an optimizer step
        third = lean_step(model, cache)
    assert third.head is not first.head
    forward, lean = _step_logits_both_ways(model, tok)
    assert torch.allclose(forward, lean, atol=1e-4)


def test_the_lean_step_survives_the_hooks_transformers_leaves_after_a_hidden_states_call(tiny):
    """transformers installs output-capturing hooks on the blocks at a model's first `output_hidden_states` call
    and keeps them; they record nothing outside such a call, so the lean step must still be used afterwards."""
    import copy

    from traitrl.models.lean_step import lean_step

    tok, model = tiny
    model = copy.deepcopy(model)
    ids, mask = _batch(tok, TEXTS)
    with torch.no_grad():
        model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    assert any(layer._forward_hooks for layer in model.model.layers)  # what the version in use does
    position = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        cache, _, _ = prefill(model, ids, mask, position, reserve=4)
    assert lean_step(model, cache) is not None
    lean = decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=tok.pad_token_id)
    assert lean.tolist() == decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=tok.pad_token_id,
                                   lean=False).tolist()


@pytest.mark.parametrize(("temperature", "top_p"), [(0.0, 1.0), (1.0, 1.0), (0.7, 1.0), (1.0, 0.9), (0.7, 0.5)])
def test_next_tokens_log_probabilities_are_the_log_softmax_at_the_temperature(temperature, top_p):
    g = torch.Generator().manual_seed(0)
    logits = (torch.randn(6, 300, generator=g) * 3).bfloat16()
    torch.manual_seed(1)
    token, logp = _next_tokens(logits, temperature, top_p, logprobs=True)
    torch.manual_seed(1)
    same, none = _next_tokens(logits, temperature, top_p)
    assert none is None and torch.equal(token, same)  # asking for log-probabilities changes no draw
    want = torch.log_softmax(logits.float() / (temperature or 1.0), -1).gather(1, token[:, None]).squeeze(1)
    assert torch.allclose(logp, want, atol=1e-5)  # before top-p: the sampling policy a trainer scores
    if temperature == 0:
        assert torch.equal(token, logits.float().argmax(-1))
