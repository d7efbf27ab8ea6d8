"""The two generation speed-ups must not change what is generated (greedy) or sampled (in distribution)."""

from __future__ import annotations

import pytest
import torch

from traitrl.models.fast_generate import (
    SAMPLE_BLOCK,
    _inverse_cdf_multinomial,
    fast_generation,
    fast_sampling,
    generate_shared_prefix,
    inverse_cdf_sample,
    repeated_rows,
)


def test_inverse_cdf_sampling_matches_the_distribution():
    g = torch.Generator().manual_seed(0)
    probs = torch.softmax(torch.randn(3, 50, generator=g) * 2, -1)
    probs[:, 7] = 0.0  # a filtered token (top-k / top-p) must never be drawn
    probs = probs / probs.sum(-1, keepdim=True)
    n = 20_000
    counts = torch.zeros_like(probs)
    for _ in range(n):
        counts.scatter_add_(1, _inverse_cdf_multinomial(probs, 1, generator=g), torch.ones(3, 1))
    assert counts[:, 7].sum() == 0
    # 4 standard errors of a binomial frequency, for every cell
    se = (probs * (1 - probs) / n).sqrt()
    assert ((counts / n - probs).abs() <= 4 * se + 1e-4).all()


def _one_level(weights: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """The reference: one float64 cumulative sum over the whole row, the same uniform per row."""
    cdf = weights.double().cumsum(-1)
    total = cdf[:, -1:]
    u = torch.rand(total.shape, dtype=torch.float64, generator=generator) * total
    return torch.searchsorted(cdf, torch.minimum(u, torch.nextafter(total, torch.zeros_like(total))), right=True)


@pytest.mark.parametrize("width", [3 * SAMPLE_BLOCK, 2 * SAMPLE_BLOCK + 37, 50])
def test_two_level_sampling_draws_what_one_cumulative_sum_draws(width):
    g = torch.Generator().manual_seed(1)
    weights = torch.softmax(torch.randn(16, width, generator=g) * 4, -1)
    if width > SAMPLE_BLOCK:
        weights[:, :SAMPLE_BLOCK] = 0.0  # a whole block of filtered tokens
    weights[3] = 0.0
    weights[3, -1] = 0.2  # all the mass at the row's last entry, the end of a (padded) block
    weights[4] = 0.0
    weights[4, width // 2] = 5.0  # unnormalised
    for seed in range(50):
        two = inverse_cdf_sample(weights, torch.Generator().manual_seed(seed))
        assert torch.equal(two, _one_level(weights, torch.Generator().manual_seed(seed)))
        assert two.shape == (16, 1) and two[3, 0] == width - 1 and two[4, 0] == width // 2
        assert (weights.gather(1, two) > 0).all()


def _fixed_uniform(monkeypatch, value: float) -> None:
    """Make the sampler's uniform draw `value` (times the row's total)."""
    monkeypatch.setattr(torch, "rand", lambda shape, **kw: torch.full(shape, value, dtype=kw.get("dtype")))


def test_a_uniform_on_a_block_end_goes_to_the_next_blocks_first_non_zero_entry(monkeypatch):
    weights = torch.zeros(1, 2 * SAMPLE_BLOCK)
    weights[0, 3], weights[0, SAMPLE_BLOCK + 5] = 1.0, 1.0
    _fixed_uniform(monkeypatch, 0.5)  # u = 1.0: exactly block 0's cumulative mass
    assert inverse_cdf_sample(weights).item() == SAMPLE_BLOCK + 5


def test_a_block_mass_rounded_up_in_fp32_neither_overdraws_nor_passes_its_last_entry(monkeypatch):
    weights = torch.zeros(1, 2 * SAMPLE_BLOCK)
    weights[0, 0], weights[0, 1] = 1.0, 1.5 * 2**-24  # fp32 sum 1 + 2**-23: above the exact 1 + 1.5 * 2**-24
    # u = 1 + 2**-26: past entry 0's running sum (1.0) in fp32 units, but inside entry 0's share of the exact mass
    _fixed_uniform(monkeypatch, (1 + 2**-26) / (1 + 2**-23))
    assert inverse_cdf_sample(weights).item() == 0
    _fixed_uniform(monkeypatch, float(torch.nextafter(torch.tensor(1.0, dtype=torch.float64),
                                                      torch.tensor(0.0, dtype=torch.float64))))
    assert inverse_cdf_sample(weights).item() == 1  # the end of the block: its last non-zero entry, not past it


def test_two_level_sampling_takes_bf16_strided_and_float64_weights():
    g = torch.Generator().manual_seed(3)
    probs = torch.softmax(torch.randn(SAMPLE_BLOCK, 4, generator=g), 0).T  # (4, 256), not contiguous
    probs[:, :100] = 0.0
    for w in (probs, probs.bfloat16(), probs.double()):
        draws = inverse_cdf_sample(w, g)
        assert draws.shape == (4, 1) and (w.float().gather(1, draws) > 0).all()


@pytest.mark.parametrize("bad", [0.0, float("nan"), float("inf")])
def test_a_row_without_a_finite_positive_mass_is_an_error_not_an_index(bad):
    weights = torch.ones(2, 10)
    weights[1] = bad
    with pytest.raises(RuntimeError, match="invalid multinomial distribution"):
        inverse_cdf_sample(weights)


def test_no_rows_sample_nothing():
    assert inverse_cdf_sample(torch.ones(0, 2 * SAMPLE_BLOCK)).shape == (0, 1)


def test_fast_sampling_is_scoped_and_falls_back_for_other_shapes():
    original = torch.multinomial
    with fast_sampling():
        assert torch.multinomial is not original
        draws = torch.multinomial(torch.tensor([0.2, 0.3, 0.5]), 3, replacement=False)  # 1-D, 3 samples
        assert sorted(draws.tolist()) == [0, 1, 2]
    assert torch.multinomial is original


def test_repeated_rows_finds_runs():
    ids = torch.tensor([[1, 2], [1, 2], [3, 4], [1, 2], [1, 2], [1, 2]])
    first, counts = repeated_rows(ids, torch.ones_like(ids))
    assert first.tolist() == [0, 2, 3] and counts.tolist() == [2, 1, 3]


@pytest.mark.parametrize("repeats", [[3, 3, 3], [2, 1, 4]])
def test_shared_prefix_greedy_equals_plain_generate(tiny, repeats):
    tok, model = tiny
    prompts = ["hello there, how are you today my friend", "a b", "the quick brown fox jumps over"]
    enc = tok(prompts, return_tensors="pt", padding=True)
    idx = torch.repeat_interleave(torch.arange(3), torch.tensor(repeats))
    ids, mask = enc["input_ids"][idx], enc["attention_mask"][idx]
    kw = {"max_new_tokens": 12, "do_sample": False, "pad_token_id": tok.pad_token_id}
    with torch.no_grad():
        plain = model.generate(input_ids=ids, attention_mask=mask, **kw)
        shared = generate_shared_prefix(model, ids, mask, **kw)
        with fast_generation(model):
            patched = model.generate(input_ids=ids, attention_mask=mask, **kw)
    assert torch.equal(plain, shared) and torch.equal(plain, patched)
    assert "generate" not in vars(model)  # the patch is gone after the block


@pytest.mark.parametrize("top_p", [0.5, 0.9, 0.999])
def test_top_p_keeps_the_same_tokens_as_transformers(top_p):
    from transformers.generation.logits_process import TopPLogitsWarper

    g = torch.Generator().manual_seed(1)
    # peaked rows (nucleus inside the top 256) and one flat row (nucleus wider: the full-sort fallback)
    scores = torch.cat([torch.randn(5, 5000, generator=g) * 4, torch.zeros(1, 5000)])
    warper = TopPLogitsWarper(top_p)
    expected = warper(None, scores.clone())
    with fast_sampling():
        got = warper(None, scores.clone())
    assert torch.equal(torch.isinf(got), torch.isinf(expected))
    peaked = scores[:5]
    with fast_sampling():
        got_peaked = warper(None, peaked.clone())
    assert torch.equal(torch.isinf(got_peaked), torch.isinf(warper(None, peaked.clone())))
    assert warper.__call__.__func__ is TopPLogitsWarper.__call__  # restored


def test_sampled_generation_with_top_p_runs_through_the_patched_warper(tiny, monkeypatch):
    import traitrl.models.fast_generate as fg

    calls = []
    real = fg.top_p_keep
    monkeypatch.setattr(fg, "top_p_keep", lambda *a, **k: calls.append(a[0].shape) or real(*a, **k))
    tok, model = tiny
    enc = tok(["hello there", "a b c"], return_tensors="pt", padding=True)
    ids, mask = enc["input_ids"].repeat_interleave(2, 0), enc["attention_mask"].repeat_interleave(2, 0)
    torch.manual_seed(0)
    with torch.no_grad(), fast_generation(model):
        out = model.generate(input_ids=ids, attention_mask=mask, do_sample=True, top_p=0.9, top_k=0,
                             temperature=0.7, max_new_tokens=6, pad_token_id=tok.pad_token_id)
    assert out.shape[0] == 4 and ids.shape[1] < out.shape[1] <= ids.shape[1] + 6
    assert calls and all(shape[-1] == model.config.vocab_size for shape in calls)  # the nucleus ran ours


def test_plain_sampling_as_grpo_asks_for_it_runs_the_decode_loop_and_returns_what_generate_returns(tiny,
                                                                                                   monkeypatch):
    """TRL's rollout config (top_k=0, no penalties) goes to `decode` (lean steps, rows leave the batch); at a
    near-zero temperature it returns generate's greedy sequences, prompt included. Unset top_k (transformers
    then keeps the top 50) stays with generate."""
    from transformers import GenerationConfig

    import traitrl.models.decode as decode_module

    tok, model = tiny
    enc = tok(["hello there, how are you", "a b c"], return_tensors="pt", padding=True)
    ids, mask = enc["input_ids"].repeat_interleave(2, 0), enc["attention_mask"].repeat_interleave(2, 0)
    calls = []
    real = decode_module.decode
    monkeypatch.setattr(decode_module, "decode", lambda *a, **k: calls.append(k) or real(*a, **k))

    def config(**changes):
        cfg = GenerationConfig(max_new_tokens=8, do_sample=True, pad_token_id=tok.pad_token_id,
                               eos_token_id=[tok.eos_token_id], temperature=1e-4, top_p=1.0, top_k=0,
                               repetition_penalty=1.0, disable_compile=True)
        for name, value in changes.items():
            setattr(cfg, name, value)
        return cfg

    with torch.no_grad():
        want = model.generate(input_ids=ids, attention_mask=mask, do_sample=False, max_new_tokens=8,
                              pad_token_id=tok.pad_token_id, eos_token_id=[tok.eos_token_id])
        with fast_generation(model):
            got = model.generate(input_ids=ids, attention_mask=mask, generation_config=config())
            assert len(calls) == 1 and calls[0]["stop_ids"] == [tok.eos_token_id]
            model.generate(input_ids=ids, attention_mask=mask, generation_config=config(top_k=None))
            model.generate(input_ids=ids, attention_mask=mask, generation_config=config(repetition_penalty=1.2))
    assert len(calls) == 1
    assert got.tolist() == want.tolist()
