"""Scoring each prompt once per group gives TRL's log-probabilities, entropies and gradients."""

import contextlib
from types import SimpleNamespace

import pytest
import torch

from traitrl.training.shared_prompt import (
    SharedPromptGRPOTrainer,
    group_permutation,
    grouped_shuffle,
    prompt_bundles,
    prompt_groups,
    reads_prompts_once,
    shared_prompt_log_probs,
)


@pytest.fixture
def policy(tiny_model_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM
    from trl.trainer.utils import add_fused_lm_head

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_path, dtype=torch.float32)
    add_fused_lm_head(model, outputs=("log_probs", "entropy"))
    model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False))
    return model


def _rows(vocab: int, pads: tuple[int, int] = (0, 3)) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Two prompts (left-padded by `pads`) x 3 completions (some right-padded), shuffled: TRL's scoring input."""
    g = torch.Generator().manual_seed(1)
    prompt_a, prompt_b = torch.randint(3, vocab, (9,), generator=g), torch.randint(3, vocab, (9,), generator=g)
    ids, mask = [], []
    for prompt, pad in zip((prompt_a, prompt_b), pads, strict=True):
        for n_valid in (5, 3, 5):
            completion = torch.randint(3, vocab, (5,), generator=g)
            ids.append(torch.cat([prompt.masked_fill(torch.arange(9) < pad, 0), completion.masked_fill(
                torch.arange(5) >= n_valid, 0)]))
            mask.append(torch.cat([(torch.arange(9) >= pad).long(), (torch.arange(5) < n_valid).long()]))
    order = torch.tensor([3, 0, 5, 1, 4, 2])
    return torch.stack(ids)[order], torch.stack(mask)[order], 5


FAKE_TRAINER = object.__new__(SharedPromptGRPOTrainer)  # the scoring methods, none of a trainer's set-up
FAKE_TRAINER.__dict__.update(accelerator=SimpleNamespace(autocast=contextlib.nullcontext, num_processes=1),
                             args=SimpleNamespace(cast_lm_head_to_fp32=False), model=None)


def _trl_pass(model, ids, mask, keep, batch_size=None):
    from trl import GRPOTrainer

    trl_pass = GRPOTrainer._get_per_token_logps_and_entropies.__wrapped__  # without TRL's profiling wrapper
    lp, ent, _ = trl_pass(FAKE_TRAINER, model, ids, mask, keep, batch_size=batch_size, compute_entropy=True)
    return lp, ent


def _grads(model, lp, mask, keep):
    model.zero_grad()
    (lp * mask[:, -keep:] * torch.linspace(-1, 1, keep)).sum().backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}


def test_prompt_groups_find_rows_with_the_same_prompt(policy):
    ids, mask, keep = _rows(policy.config.vocab_size)
    groups = sorted(sorted(g.tolist()) for g in prompt_groups(ids, mask, ids.shape[1] - keep))
    assert groups == [[0, 2, 4], [1, 3, 5]]


@pytest.mark.parametrize("pads", [(0, 3), (8, 2)])  # (8, 2): a prompt of one real token, nothing to cache
def test_shared_prompt_scoring_matches_trl_log_probs_entropies_and_gradients(policy, pads):
    ids, mask, keep = _rows(policy.config.vocab_size, pads)
    trl_lp, trl_ent = _trl_pass(policy, ids, mask, keep)
    trl_grads = _grads(policy, trl_lp, mask, keep)
    lp, ent = shared_prompt_log_probs(policy, ids, mask, keep, compute_entropy=True)
    grads = _grads(policy, lp, mask, keep)
    valid = mask[:, -keep:].bool()
    assert lp.shape == trl_lp.shape == (6, keep)
    assert torch.allclose(lp[valid], trl_lp[valid], atol=1e-5)
    assert torch.allclose(ent[valid], trl_ent[valid], atol=1e-5)
    assert trl_lp[valid].std() > 0.05  # a real comparison: the rows' log-probabilities differ
    assert grads.keys() == trl_grads.keys() and len(grads) > 0
    for name in grads:
        assert torch.allclose(grads[name], trl_grads[name], atol=1e-5), name
    assert any(g.abs().sum() > 0 for g in grads.values())


def test_own_head_matches_trls_fused_head_at_a_temperature_with_the_entropy_gradient(tiny_model_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM
    from trl.trainer.utils import add_fused_lm_head

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_path, dtype=torch.float32)
    add_fused_lm_head(model, temperature=0.7, outputs=("log_probs", "entropy"))
    model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False))
    ids, mask, keep = _rows(model.config.vocab_size)
    valid = mask[:, -keep:].bool()
    got, want = {}, {}
    for own, out in ((True, got), (False, want)):
        lp, ent = shared_prompt_log_probs(model, ids, mask, keep, compute_entropy=True, temperature=0.7, own_head=own)
        model.zero_grad()
        ((lp + ent) * valid).sum().backward()  # the entropy bonus needs the entropy's gradient too
        out.update(lp=lp.detach(), ent=ent.detach(),
                   grads={n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad})
    assert torch.allclose(got["lp"][valid], want["lp"][valid], atol=1e-5)
    assert torch.allclose(got["ent"][valid], want["ent"][valid], atol=1e-5)
    assert not got["lp"][~valid].any() and not got["ent"][~valid].any()  # padding reads 0, as TRL's does
    for name, grad in want["grads"].items():
        assert torch.allclose(got["grads"][name], grad, atol=1e-5), name
    with torch.no_grad():
        cold, _ = shared_prompt_log_probs(model, ids, mask, keep)  # temperature 1: a different distribution
    assert not torch.allclose(cold[valid], got["lp"][valid], atol=1e-3)


def test_the_trainer_method_matches_trl_with_micro_batches_that_split_groups(policy):
    ids, mask, keep = _rows(policy.config.vocab_size)
    trl_lp, trl_ent = _trl_pass(policy, ids, mask, keep, batch_size=4)
    ours = SharedPromptGRPOTrainer._get_per_token_logps_and_entropies.__wrapped__
    lp, ent, aux = ours(FAKE_TRAINER, policy, ids, mask, keep, batch_size=4, compute_entropy=True)
    valid = mask[:, -keep:].bool()
    assert aux is None and torch.allclose(lp[valid], trl_lp[valid], atol=1e-5)
    assert torch.allclose(ent[valid], trl_ent[valid], atol=1e-5)


def test_the_pass_without_gradient_scores_micro_batches_together(policy):
    ids, mask, keep = _rows(policy.config.vocab_size)
    ours = SharedPromptGRPOTrainer._get_per_token_logps_and_entropies.__wrapped__
    widths = []
    hook = policy.get_base_model().model.embed_tokens.register_forward_hook(
        lambda m, args, out: widths.append(tuple(args[0].shape)))
    with torch.no_grad():
        lp, _, _ = ours(FAKE_TRAINER, policy, ids, mask, keep, batch_size=2)
    hook.remove()
    assert sorted(widths) == [(2, 8), (6, 6)]  # TRL's micro-batches of 2 rows would cut the groups apart
    valid = mask[:, -keep:].bool()
    with torch.no_grad():
        trl_lp, _ = _trl_pass(policy, ids, mask, keep, batch_size=2)
    assert torch.allclose(lp[valid], trl_lp[valid], atol=1e-5)


def test_only_rotary_decoder_families_take_the_shared_pass(policy):
    assert reads_prompts_once(policy)  # a PEFT-wrapped Llama
    assert not reads_prompts_once(SimpleNamespace(config=SimpleNamespace(model_type="opt")))
    assert not reads_prompts_once(object())


def test_a_prompt_read_once_per_group(policy):
    ids, mask, keep = _rows(policy.config.vocab_size)
    widths = []
    hook = policy.get_base_model().model.embed_tokens.register_forward_hook(
        lambda m, args, out: widths.append(tuple(args[0].shape)))
    with torch.no_grad():
        shared_prompt_log_probs(policy, ids, mask, keep)
    hook.remove()
    # the two groups' prompts but their last token once each, in one forward (2 x 8: the shorter prompt
    # left-padded), then the 6 rows of that token + the completion
    assert sorted(widths) == [(2, 8), (6, 6)]


def test_prompts_of_very_different_lengths_are_not_padded_to_each_other():
    # one 300-token prompt and three of about 30: the long one alone, the short ones together
    assert prompt_bundles([0, 270, 272, 268], prompt_width=300) == [[0], [3, 1, 2]]
    assert prompt_bundles([0, 2, 1], prompt_width=300) == [[0, 2, 1]]
    assert prompt_bundles([], prompt_width=10) == []


def test_grouped_shuffle_moves_whole_groups():
    import trl.trainer.grpo_trainer as grpo_module

    batch = {"ids": torch.arange(12).repeat_interleave(1), "names": [f"p{i // 4}" for i in range(12)],
             "scalar": torch.tensor(1.0), "none": None}
    original = grpo_module.shuffle_sequence_dict
    torch.manual_seed(3)
    with grouped_shuffle(4):
        out = grpo_module.shuffle_sequence_dict(batch)
    blocks = out["ids"].view(3, 4)
    assert sorted(blocks[:, 0].tolist()) == [0, 4, 8] and (blocks - blocks[:, :1] == torch.arange(4)).all()
    assert blocks[:, 0].tolist() != [0, 4, 8]  # the groups were moved (this seed does not keep their order)
    assert out["names"] == [f"p{int(i) // 4}" for i in out["ids"]] and out["none"] is None
    assert grpo_module.shuffle_sequence_dict is original  # restored after the block
    torch.manual_seed(3)
    with grouped_shuffle(5):  # not whole groups of 5 rows: TRL's own row shuffle, which splits runs of 4
        rows = grpo_module.shuffle_sequence_dict(batch)["ids"]
    assert sorted(rows.tolist()) == list(range(12))
    assert not (rows.view(3, 4) - rows.view(3, 4)[:, :1] == torch.arange(4)).all()
    assert sorted(group_permutation(6, 2).tolist()) == list(range(6))
