"""A tiny randomly initialised Llama for fast unit tests (same tokenizer and chat template as the policy)."""

from __future__ import annotations

from pathlib import Path

from traitrl.models.embedded import policy_path, publish_model_dir
from traitrl.settings import cache_dir


def tiny_llama_path(seed: int = 0) -> Path:
    """Build (once) and return a folder with a ~1.6M-parameter random Llama checkpoint."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    target = cache_dir() / "models" / f"tiny-llama-{seed}"
    if (target / "model.safetensors").exists():
        return target
    tokenizer = AutoTokenizer.from_pretrained(policy_path())
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
                         tie_word_embeddings=True, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    tmp = target.with_name(target.name + ".partial")
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    publish_model_dir(tmp, target)
    return target
