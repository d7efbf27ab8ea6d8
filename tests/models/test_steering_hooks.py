"""Steering hooks: found generically, exact at coefficient 0, removed on exit, and seen by every decode path."""

from __future__ import annotations

import pytest
import torch

from traitrl.models.decode import decode
from traitrl.models.steering import decoder_layers, record, steer

TEXTS = ["hello there, how are you today", "a", "the quick brown fox jumps", "what is the capital of France?"]


def _batch(tok):
    enc = tok(TEXTS, return_tensors="pt", padding=True, add_special_tokens=False)
    return enc["input_ids"], enc["attention_mask"]


def _greedy_generate(model, ids, mask, pad):
    """Eight greedy new tokens from HF `generate`, no stop token: the reference every decode path must equal."""
    with torch.no_grad():
        return model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=8, do_sample=False,
                              pad_token_id=pad, eos_token_id=None, temperature=None, top_p=None,
                              top_k=None)[:, ids.shape[1]:]


def _logits(model, ids, mask):
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=mask).logits


def test_layers_found_without_model_specific_paths(tiny):
    from transformers import GPT2Config, GPT2LMHeadModel

    _, llama = tiny
    assert decoder_layers(llama) is llama.model.layers
    gpt2 = GPT2LMHeadModel(GPT2Config(n_layer=3, n_embd=16, n_head=2, vocab_size=50, n_positions=32))
    assert decoder_layers(gpt2) is gpt2.transformer.h
    ids = torch.tensor([[1, 2, 3, 4]])
    with steer(gpt2, {2: torch.ones(16)}):
        steered = gpt2(input_ids=ids).logits
    assert not torch.equal(steered, gpt2(input_ids=ids).logits)  # a tuple-returning block is steered too


def test_zero_is_exact_nonzero_moves_and_hooks_leave(tiny):
    tok, model = tiny
    ids, mask = _batch(tok)
    plain = _logits(model, ids, mask)
    width = model.config.hidden_size
    with steer(model, {0: torch.zeros(width), 1: torch.zeros(width)}):
        assert torch.equal(_logits(model, ids, mask), plain)
    with steer(model, {1: torch.full((width,), 2.0)}):
        assert (_logits(model, ids, mask) - plain).abs().max() > 1e-3
    assert torch.equal(_logits(model, ids, mask), plain)
    with pytest.raises(RuntimeError), steer(model, {0: torch.ones(width)}):
        raise RuntimeError("boom")
    assert torch.equal(_logits(model, ids, mask), plain)
    assert all(not layer._forward_hooks for layer in decoder_layers(model))
    with pytest.raises(IndexError, match="out of range"), steer(model, {2: torch.ones(width)}):
        pass


def test_record_reads_each_block_output(tiny):
    tok, model = tiny
    ids, mask = _batch(tok)
    with torch.no_grad(), record(model) as seen:
        out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    assert len(seen) == 2
    assert torch.equal(seen[0], out.hidden_states[1])  # the last block's entry is normed in hidden_states


def test_fast_decode_goes_through_the_hooked_blocks(tiny):
    """The evaluation decode loop (prefill, cached steps, row pruning) runs the hooked blocks: the steered
    greedy tokens equal steered HF `generate`, differ from unsteered, and every forward calls the hook."""
    tok, model = tiny
    ids, mask = _batch(tok)
    pad = tok.pad_token_id
    vec = torch.randn(model.config.hidden_size, generator=torch.Generator().manual_seed(0)) * 3
    calls = []
    handle = decoder_layers(model)[1].register_forward_hook(lambda *a: calls.append(1))
    try:
        with steer(model, {1: vec}):
            got = decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=pad)
            want = _greedy_generate(model, ids, mask, pad)
    finally:
        handle.remove()
    assert len(calls) >= 8 * 2  # prefill + 7 steps, in both paths
    assert got.tolist() == want.tolist()
    assert got.tolist() != decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=pad).tolist()


def test_the_lean_step_adds_the_steering_itself_and_declines_other_hooks(tiny):
    """Under `steer` the lean decode step is still used and adds the vectors itself: its greedy tokens equal
    the hooked model's own forward and steered HF `generate`; nested additions on one block both count; a
    hook it cannot reproduce (recording) sends decoding back to the model's forward."""
    from traitrl.models.decode import prefill
    from traitrl.models.lean_step import lean_step

    tok, model = tiny
    ids, mask = _batch(tok)
    pad = tok.pad_token_id
    gen = torch.Generator().manual_seed(1)
    v0, v1 = (torch.randn(model.config.hidden_size, generator=gen) * 3 for _ in range(2))
    position = (mask.cumsum(-1) - 1).clamp(min=0)
    with steer(model, {0: v0}), steer(model, {0: v1, 1: v0}):
        with torch.no_grad():
            cache, _, _ = prefill(model, ids, mask, position, reserve=4)
        step = lean_step(model, cache)
        assert step is not None and sorted(step.additions) == [0, 1] and len(step.additions[0]) == 2
        lean = decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=pad)
        forward = decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=pad, lean=False)
        want = _greedy_generate(model, ids, mask, pad)
        with record(model):
            assert lean_step(model, cache) is None
    assert lean.tolist() == forward.tolist() == want.tolist()
    assert lean.tolist() != decode(model, ids, mask, max_new_tokens=8, stop_ids=[], pad_id=pad).tolist()
    with torch.no_grad():
        cache, _, _ = prefill(model, ids, mask, position, reserve=4)
    assert lean_step(model, cache).additions == {}  # the steering left with its block
