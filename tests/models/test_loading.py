import time

import pytest
import torch

from traitrl.errors import ModelLoadError
from traitrl.models.loading import fingerprint, load_policy, resolve_model_path


def test_tiny_model_loads_left_padded(tiny_model_path):
    m = load_policy(str(tiny_model_path), dtype="float32")
    assert m.tokenizer.padding_side == "left"
    assert m.tokenizer.pad_token is not None
    assert len(m.fingerprint) == 16
    assert sum(p.numel() for p in m.model.parameters()) < 5_000_000


def test_fingerprint_changes_with_weights(tiny_model_path, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_model_path, copy)
    assert fingerprint(str(copy)) == fingerprint(str(tiny_model_path))
    from safetensors.torch import load_file, save_file

    state = load_file(copy / "model.safetensors")
    k = next(iter(state))
    state[k] = state[k] + 1
    save_file(state, copy / "model.safetensors", metadata={"format": "pt"})
    assert fingerprint(str(copy)) != fingerprint(str(tiny_model_path))


def test_missing_path_is_one_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="not found"):
        resolve_model_path(str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="not a model folder"):
        resolve_model_path(str(tmp_path / "empty"))


def test_pickle_checkpoint_refused_without_flag(tiny_model_path, tmp_path):
    import shutil

    from safetensors.torch import load_file

    d = tmp_path / "pickled"
    d.mkdir()
    for f in tiny_model_path.iterdir():
        if f.suffix != ".safetensors":
            shutil.copy(f, d / f.name)
    torch.save(load_file(tiny_model_path / "model.safetensors"), d / "pytorch_model.bin")
    with pytest.raises(ModelLoadError, match="could not load model .*safetensors"):
        load_policy(str(d))


@pytest.mark.integration
def test_embedded_model_cached_load_is_fast_and_chats(embedded_model_path):
    t0 = time.perf_counter()
    m = load_policy("embedded")
    assert time.perf_counter() - t0 < 5.0
    tok = m.tokenizer
    enc = tok.apply_chat_template([[{"role": "user", "content": "What is 2 + 2?"}]], add_generation_prompt=True,
                                  return_tensors="pt", return_dict=True, padding=True)
    out = m.model.generate(**enc, max_new_tokens=12, do_sample=False)
    text = tok.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True)
    assert "4" in text


def test_merged_adapter_generates_like_the_unmerged_one(tiny_model_path, tmp_path):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model_path, dtype=torch.float32)
    peft = get_peft_model(base, LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False))
    peft.save_pretrained(tmp_path / "adapter")
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(tiny_model_path).save_pretrained(tmp_path / "adapter")
    kw = {"dtype": "float32", "device": "cpu", "adapter": str(tmp_path / "adapter")}
    plain = load_policy(str(tiny_model_path), **kw)
    merged = load_policy(str(tiny_model_path), merge_adapter=True, **kw)
    assert type(plain.model).__name__.startswith("Peft") and not type(merged.model).__name__.startswith("Peft")
    assert plain.fingerprint == merged.fingerprint
    ids = torch.tensor([[1, 5, 9, 3]])
    with torch.no_grad():
        assert torch.allclose(plain.model(ids).logits, merged.model(ids).logits, atol=1e-4)


def test_the_output_head_gets_a_contiguous_input_when_only_the_last_position_is_kept(tiny_model_path):
    import torch

    from traitrl.models.loading import contiguous_head_input, load_policy

    loaded = load_policy(str(tiny_model_path), dtype="float32", merge_adapter=True)
    model = loaded.model.requires_grad_(False)  # a merged or frozen model: the case that copied the weight
    seen: list[bool] = []
    model.get_output_embeddings().register_forward_pre_hook(lambda _m, args: seen.append(args[0].is_contiguous()))
    ids = torch.tensor([[5, 6, 7, 8], [9, 10, 11, 12]])
    with torch.inference_mode():
        kept = model(input_ids=ids, logits_to_keep=1).logits
        full = model(input_ids=ids).logits
    assert seen == [True, True]
    assert torch.allclose(kept[:, -1], full[:, -1], atol=1e-5)
    assert contiguous_head_input(model) is model and len(model.get_output_embeddings()._forward_pre_hooks) == 2


@pytest.mark.skipif(torch.cuda.is_available(), reason="eager is the CPU's training attention")
def test_training_attention_is_eager_inside_the_block_only(tiny_model_path):
    from peft import LoraConfig, get_peft_model

    from traitrl.models.loading import attention_for_training

    model = load_policy(str(tiny_model_path), dtype="float32", device="cpu").model
    before = model.config._attn_implementation
    assert before != "eager"
    ids = torch.tensor([[1, 5, 9, 3]])
    with torch.no_grad():
        reference = model(input_ids=ids).logits
    peft = get_peft_model(model, LoraConfig(r=2, target_modules="all-linear"))
    with attention_for_training(peft):
        assert model.config._attn_implementation == "eager"
        with torch.no_grad():
            eager = peft(input_ids=ids).logits
    assert model.config._attn_implementation == before  # saved and evaluated as loaded
    torch.testing.assert_close(eager, reference, rtol=1e-4, atol=1e-5)  # new LoRA B is zero: the same model
