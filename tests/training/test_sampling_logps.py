"""The rollouts' own log-probabilities stand in for GRPO's old-policy pass only where they are that pass's."""

import pytest
import torch

from traitrl.models.fast_generate import fast_generation
from traitrl.models.tiny import tiny_llama_path
from traitrl.training.config import TrainConfig
from traitrl.training.grpo import train_arm
from traitrl.training.mixture import build_mixture
from traitrl.training.sampling_logps import SamplingLogProbs
from traitrl.training.shared_prompt import shared_prompt_log_probs
from traitrl.training.standard_reward import standard_reward
from traitrl.training.standard_tasks import build_standard_tasks


def _policy(dtype=torch.float32):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl.trainer.utils import add_fused_lm_head

    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(tiny_llama_path())
    tok.padding_side = "left"
    tok.pad_token = tok.pad_token or tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(tiny_llama_path(), dtype=dtype)
    add_fused_lm_head(model, outputs=("log_probs", "entropy"))
    # adapters that change the outputs: the folded decode and the unfolded scoring pass must still agree
    return tok, get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear",
                                                 init_lora_weights=False))


def _rollout(tok, model, sampled, temperature=0.9, new=8):
    """Sample as TRL's rollouts ask (top_k=0, top-p), then lay the rows out as TRL scores them: left-padded
    prompts, completions cut after the stop token and right-padded."""
    from transformers import GenerationConfig

    enc = tok(["hello there, how are you", "a b c"], return_tensors="pt", padding=True)
    ids, mask = enc["input_ids"].repeat_interleave(3, 0), enc["attention_mask"].repeat_interleave(3, 0)
    cfg = GenerationConfig(max_new_tokens=new, do_sample=True, pad_token_id=tok.pad_token_id,
                           eos_token_id=[tok.eos_token_id], temperature=temperature, top_p=0.9, top_k=0,
                           repetition_penalty=1.0, disable_compile=True)
    torch.manual_seed(3)
    with torch.no_grad(), fast_generation(model, sampled=sampled):
        out = model.generate(input_ids=ids, attention_mask=mask, generation_config=cfg)
    completions = out[:, ids.shape[1]:]
    stop = (completions == tok.eos_token_id).int()
    done = (stop.cumsum(1) - stop) == 0  # up to and including the first stop token
    return (torch.cat([ids, completions.masked_fill(~done, tok.pad_token_id)], 1),
            torch.cat([mask, done.long()], 1), completions.shape[1])


def test_sampled_log_probs_are_the_scoring_pass_in_fp32():
    tok, model = _policy()
    sampled = SamplingLogProbs()
    ids, mask, keep = _rollout(tok, model, sampled, temperature=0.9)
    assert sampled.tokens is not None
    with torch.no_grad():
        scored, _ = shared_prompt_log_probs(model, ids, mask, keep, temperature=0.9)
    kept = sampled.take(ids, mask, keep)
    valid = mask[:, -keep:].bool()
    assert kept is not None and kept.shape == scored.shape and not kept.requires_grad
    assert float((kept - scored)[valid].abs().max()) < 1e-4
    assert bool((kept[~valid] == 0).all()) and bool((kept[valid] < 0).all())
    assert sampled.take(ids, mask, keep) is None  # used once: a later pass (the reference model's) computes


def test_a_batch_that_is_not_the_sampled_one_is_scored_by_the_forward():
    tok, model = _policy()
    sampled = SamplingLogProbs()
    ids, mask, keep = _rollout(tok, model, sampled)
    tokens, logps = sampled.tokens, sampled.logps
    changed = ids.clone()
    changed[1, -keep] = (changed[1, -keep] + 1) % model.config.vocab_size
    assert sampled.take(changed, mask, keep) is None
    sampled.keep(tokens, logps)
    assert sampled.take(ids[[1, 0, 2, 3, 4, 5]], mask[[1, 0, 2, 3, 4, 5]], keep) is None  # rows reordered
    sampled.keep(tokens, logps)
    assert sampled.take(ids[:4], mask[:4], keep) is None


def test_bf16_policies_keep_the_scoring_pass():
    tok, model = _policy(torch.bfloat16)
    sampled = SamplingLogProbs()
    assert not sampled.wants(model) and sampled.wants(_policy()[1])
    sampled.keep(torch.zeros(1, 1, dtype=torch.long), torch.zeros(1, 1))
    _rollout(tok, model, sampled, new=2)
    assert sampled.tokens is None  # cleared: the next pass computes


@pytest.mark.parametrize("fp32", [True, False])
def test_grpo_takes_the_old_policy_pass_from_the_rollouts(tmp_path, scenarios, monkeypatch, fp32):
    """Two optimizer steps per generation batch: TRL's no-grad pass over the batch runs only where the sampling
    log-probabilities are not kept (here: as if the policy computed in bf16), and then over the second step's
    rows only (the first step's are scored before any update)."""
    import traitrl.training.shared_prompt as shared

    passes = []
    real = shared.shared_prompt_log_probs
    monkeypatch.setattr(shared, "shared_prompt_log_probs",
                        lambda *a, **k: passes.append((torch.is_grad_enabled(), a[1].size(0))) or real(*a, **k))
    if not fp32:
        monkeypatch.setattr(SamplingLogProbs, "wants", staticmethod(lambda model: False))
    cfg = TrainConfig(model=str(tiny_llama_path()), steps=4, prompts_per_step=2, num_generations=2,
                      max_completion_length=6, save_steps=10, lora_r=4, dtype="float32", generation_steps=2)
    rows = build_mixture(build_standard_tasks(20), scenarios, cfg.n_rows, 0.0, seed=0)
    result = train_arm(cfg, rows, [standard_reward], tmp_path)
    with_grad = [n for grad, n in passes if grad]
    assert result.steps == 4 and sum(with_grad) == 4 * 4  # every optimizer step's 4 rows scored with gradient
    # one old-policy pass per generation batch of 8 rows, over the second step's 4, or none
    assert [n for grad, n in passes if not grad] == ([] if fp32 else [4, 4])


def _adapter_after(cfg, rows, out, monkeypatch, defer, on_policy_later=False):
    from safetensors.torch import load_file

    import traitrl.training.shared_prompt as shared

    monkeypatch.setattr(shared.SharedPromptGRPOTrainer, "defer_old_pass", defer)
    if on_policy_later:  # a broken deferral: the later steps' rows taken as on-policy (ratio 1), never scored
        monkeypatch.setattr(shared.SharedPromptGRPOTrainer, "_score_later_steps",
                            lambda self: [c.update(old_per_token_logps=None) for c in self._buffered_inputs])
    result = train_arm(cfg, rows, [standard_reward], out)
    return load_file(str(result.adapter_dir / "adapter_model.safetensors")), result.metrics


def test_the_deferred_old_policy_pass_trains_as_the_full_one(tmp_path, scenarios, monkeypatch):
    """Three optimizer steps per generation batch of two micro-batches each, the old-policy pass forced (as in
    bf16): taking the first step's old log-probabilities from the loss and scoring only the later steps' rows
    leaves every update as it was (fp32: the same adapter and losses to rounding), where treating the later
    rows as on-policy would not."""
    monkeypatch.setattr(SamplingLogProbs, "wants", staticmethod(lambda model: False))
    cfg = TrainConfig(model=str(tiny_llama_path()), steps=6, prompts_per_step=2, num_generations=2, micro_batch=2,
                      max_completion_length=6, save_steps=10, lora_r=4, dtype="float32", generation_steps=3,
                      learning_rate=5e-3)
    rows = build_mixture(build_standard_tasks(20), scenarios, cfg.n_rows, 0.0, seed=0)
    full, full_metrics = _adapter_after(cfg, rows, tmp_path / "full", monkeypatch, False)
    deferred, deferred_metrics = _adapter_after(cfg, rows, tmp_path / "deferred", monkeypatch, True)
    broken, _ = _adapter_after(cfg, rows, tmp_path / "broken", monkeypatch, True, on_policy_later=True)
    moved = max(float(v.abs().max()) for k, v in full.items() if "lora_B" in k)
    assert moved > 1e-3  # the steps changed the adapters (lora_B starts at zero)
    for name, value in full.items():
        torch.testing.assert_close(deferred[name], value, rtol=1e-4, atol=1e-6)
    assert any(not torch.allclose(broken[k], v, rtol=1e-4, atol=1e-6) for k, v in full.items())
    losses = [[m["loss"] for m in ms if "loss" in m] for ms in (full_metrics, deferred_metrics)]
    assert len(losses[0]) == 6 and losses[0] == pytest.approx(losses[1], abs=1e-5)
