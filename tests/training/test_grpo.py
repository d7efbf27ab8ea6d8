"""One GRPO step with LoRA on the tiny random Llama: metrics, adapter, resume."""

import json
from pathlib import Path

import pytest
import torch

from traitrl.models.loading import load_policy
from traitrl.models.tiny import tiny_llama_path
from traitrl.training.callbacks import read_metrics
from traitrl.training.config import TrainConfig
from traitrl.training.grpo import train_arm
from traitrl.training.helpfulness_reward import helpfulness_reward
from traitrl.training.mixture import build_mixture
from traitrl.training.standard_reward import standard_reward
from traitrl.training.standard_tasks import build_standard_tasks


def _config(**kw) -> TrainConfig:
    base = {"model": str(tiny_llama_path()), "steps": 1, "prompts_per_step": 2, "num_generations": 2,
            "max_completion_length": 6, "save_steps": 1, "lora_r": 4, "dtype": "float32"}
    return TrainConfig(**{**base, **kw})


def test_one_step_then_resume(tmp_path, scenarios):
    cfg = _config(steps=2)
    rows = build_mixture(build_standard_tasks(20), scenarios, cfg.n_rows, 0.5, seed=0)
    first = train_arm(_config(steps=1), rows, [standard_reward, helpfulness_reward], tmp_path)
    assert first.steps == 1
    assert [m["step"] for m in first.metrics] == [1]
    m = first.metrics[0]
    assert set(m["rewards"]) == {"standard_reward", "helpfulness_reward"}
    assert 0.0 <= m["zero_variance_fraction"] <= 1.0 and m["seconds"] > 0
    adapter_cfg = json.loads((first.adapter_dir / "adapter_config.json").read_text())
    base = adapter_cfg["base_model_name_or_path"]  # relative to the adapter: no machine path
    assert not Path(base).is_absolute() and (first.adapter_dir / base).resolve() == tiny_llama_path().resolve()
    assert (first.adapter_dir / "adapter_model.safetensors").exists()
    loaded = load_policy(str(first.adapter_dir), dtype="float32", device="cpu")
    assert type(loaded.model).__name__.startswith("Peft")

    assert m["threads"] >= 1
    second = train_arm(cfg, rows, [standard_reward, helpfulness_reward], tmp_path)  # resumes at step 1
    assert second.steps == 2
    assert [m["step"] for m in read_metrics(tmp_path / "metrics.jsonl")] == [1, 2]


def test_config_rejects_unknown_keys():
    with pytest.raises(ValueError, match="extra"):
        TrainConfig(stepz=3)


def test_generation_steps_sample_once_per_cycle_and_log_every_step(tmp_path, scenarios):
    calls = []

    def counting_reward(prompts, completions, **kwargs):
        calls.append(len(completions))
        return standard_reward(prompts, completions, **kwargs)

    counting_reward.__name__ = "standard_reward"
    import torch

    cfg = _config(steps=4, generation_steps=2, torch_threads=1)
    rows = build_mixture(build_standard_tasks(20), scenarios, cfg.n_rows, 0.0, seed=0)
    threads = torch.get_num_threads()
    try:
        result = train_arm(cfg, rows, [counting_reward], tmp_path)
    finally:
        torch.set_num_threads(threads)  # `torch_threads` sets the process-wide count
    assert [m["threads"] for m in result.metrics] == [1, 1, 1, 1]  # each step records the threads it ran with
    # 4 steps, one generate call per 2 steps: 2 reward calls of 2 steps x 2 prompts x 2 generations
    assert result.steps == 4 and calls == [8, 8]
    steps = [(m["step"], m["reward"] is not None) for m in result.metrics]
    assert steps == [(1, True), (2, False), (3, True), (4, False)]


def test_compact_lm_head_gives_the_same_log_probs_and_gradients(tiny_model_path):
    import torch
    from transformers import AutoModelForCausalLM
    from trl.trainer.utils import add_fused_lm_head

    from traitrl.training.grpo import compact_lm_head

    model = AutoModelForCausalLM.from_pretrained(tiny_model_path, dtype=torch.float32)
    add_fused_lm_head(model, outputs=("log_probs", "entropy"))
    ids = torch.randint(0, model.config.vocab_size, (2, 12), generator=torch.Generator().manual_seed(0))
    labels = ids.clone()
    labels[:, :8] = -100  # the prompt: not scored

    def run():
        model.zero_grad()
        out = model(input_ids=ids, labels=labels, fused_lm_head=True)
        out.loss.backward()
        return out.log_probs.detach(), model.model.embed_tokens.weight.grad.clone()

    full_lp, full_grad = run()
    with compact_lm_head():
        import trl.trainer.utils as trl_utils

        assert trl_utils._use_triton(torch.device("cpu"))  # TRL takes its valid-positions-only path
        compact_lp, compact_grad = run()
    assert torch.allclose(full_lp, compact_lp, atol=1e-5) and torch.allclose(full_grad, compact_grad, atol=1e-6)


def test_saved_adapter_names_a_portable_base_and_still_loads(tiny_model_path, tmp_path, monkeypatch):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from traitrl.training.grpo import save_adapter

    torch.manual_seed(0)
    peft = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model_path, dtype=torch.float32),
                          LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False)).eval()
    adapter = save_adapter(peft, AutoTokenizer.from_pretrained(tiny_model_path), tmp_path / "run" / "adapter",
                           str(tiny_model_path))
    cfg = json.loads((adapter / "adapter_config.json").read_text())
    assert not [v for v in cfg.values() if isinstance(v, str) and Path(v).is_absolute()], cfg
    monkeypatch.chdir("/")  # the relative base is read next to the adapter, not from the working directory
    loaded = load_policy(str(adapter), dtype="float32", device="cpu")
    ids = torch.arange(1, 9).unsqueeze(0)
    with torch.no_grad():
        assert torch.allclose(loaded.model(ids).logits, peft(ids).logits)  # the LoRA weights are applied


def test_portable_base_names(tmp_path, embedded_model_path):
    from traitrl.models.loading import adapter_base, portable_model_name

    assert portable_model_name("embedded", tmp_path) == "embedded"
    assert portable_model_name(str(embedded_model_path), tmp_path) == "embedded"
    assert portable_model_name("HuggingFaceTB/SmolLM2-135M-Instruct", tmp_path) == "HuggingFaceTB/SmolLM2-135M-Instruct"
    snapshot = tmp_path / "hub" / "models--HuggingFaceTB--SmolLM2-135M-Instruct" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    assert portable_model_name(str(snapshot), tmp_path) == "HuggingFaceTB/SmolLM2-135M-Instruct"
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "embedded"}))
    assert adapter_base(str(tmp_path / "a")) == str(embedded_model_path)  # `embedded` resolves here


@pytest.mark.skipif(torch.cuda.is_available(), reason="auto is eager on a CPU only")
def test_training_attention_is_eager_on_a_cpu_and_trains_as_sdpa(tmp_path, scenarios):
    """The policy trains with eager attention on a CPU (its backward is faster there than SDPA's); in fp32 the
    two implementations give the same updates."""
    from safetensors.torch import load_file

    from traitrl.training.grpo import _load_base

    assert _load_base(_config())[1].config._attn_implementation == "eager"
    assert _load_base(_config(attn_implementation="sdpa"))[1].config._attn_implementation == "sdpa"
    rows = build_mixture(build_standard_tasks(20), scenarios, 8, 0.0, seed=0)
    eager, sdpa = (load_file(str(train_arm(_config(steps=2, learning_rate=5e-3, attn_implementation=impl), rows,
                                           [standard_reward], tmp_path / impl).adapter_dir
                                 / "adapter_model.safetensors")) for impl in ("auto", "sdpa"))
    assert max(float(v.abs().max()) for k, v in eager.items() if "lora_B" in k) > 1e-3  # the steps moved it
    for name, value in eager.items():
        torch.testing.assert_close(sdpa[name], value, rtol=1e-4, atol=1e-6)
