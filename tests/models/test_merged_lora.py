"""Folding LoRA adapters in for sampling: same outputs, and exactly the same weights afterwards."""

from __future__ import annotations

import pytest
import torch

from traitrl.models.fast_generate import fast_generation
from traitrl.models.merged_lora import merged_lora


def _lora(tiny_model_path, dtype):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_path, dtype=dtype)
    return get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False))


def _base_weights(model) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in model.named_parameters() if "base_layer" in n}


def test_folded_adapters_give_the_same_logits_and_restore_the_weights_exactly(tiny_model_path):
    model = _lora(tiny_model_path, torch.float32)
    ids = torch.randint(3, model.config.vocab_size, (2, 10), generator=torch.Generator().manual_seed(1))
    before, weights = model(input_ids=ids).logits.detach(), _base_weights(model)
    with torch.no_grad():
        without = model.get_base_model()
        with model.disable_adapter():
            plain = without(input_ids=ids).logits
    assert not torch.allclose(before, plain, atol=1e-3)  # the adapters change the outputs: a real comparison
    with merged_lora(model):
        inside = model(input_ids=ids).logits.detach()
        assert any(not torch.equal(p, weights[n]) for n, p in model.named_parameters() if n in weights)
    assert torch.allclose(inside, before, atol=1e-5)
    after = _base_weights(model)
    assert all(torch.equal(after[n], weights[n]) for n in weights)
    assert torch.equal(model(input_ids=ids).logits.detach(), before)  # adapters on again, same numbers


def test_bf16_weights_do_not_drift_over_many_folds(tiny_model_path):
    model = _lora(tiny_model_path, torch.bfloat16)
    weights = _base_weights(model)
    for _ in range(20):
        with merged_lora(model):
            pass
    assert all(torch.equal(p, weights[n]) for n, p in model.named_parameters() if n in weights)


@pytest.mark.parametrize("rows", [1, 3])
def test_greedy_rollouts_of_a_lora_policy_are_unchanged(tiny_model_path, rows):
    model = _lora(tiny_model_path, torch.float32).eval()
    ids = torch.randint(3, model.config.vocab_size, (rows, 7), generator=torch.Generator().manual_seed(2))
    kw = {"max_new_tokens": 10, "do_sample": False, "pad_token_id": 0}
    with torch.no_grad():
        plain = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), **kw)
        with fast_generation(model):
            fast = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), **kw)
    assert torch.equal(plain, fast)


def test_a_model_without_adapters_is_left_alone(tiny_model_path):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_path, dtype=torch.float32)
    weights = {n: p.detach().clone() for n, p in model.named_parameters()}
    with merged_lora(model):
        assert all(torch.equal(p, weights[n]) for n, p in model.named_parameters())


def test_a_lora_head_tied_to_the_embeddings_is_not_folded(tiny_model_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_path, dtype=torch.float32)
    base.config.tie_word_embeddings = True
    base.lm_head.weight = base.model.embed_tokens.weight
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["lm_head", "q_proj"],
                                            init_lora_weights=False))
    ids = torch.randint(3, model.config.vocab_size, (1, 6), generator=torch.Generator().manual_seed(3))
    before, weights = model(input_ids=ids).logits.detach(), _base_weights(model)
    with merged_lora(model):  # folding the head would change the embeddings too: nothing is folded
        assert all(torch.equal(p, weights[n]) for n, p in model.named_parameters() if n in weights)
        assert torch.equal(model(input_ids=ids).logits.detach(), before)
