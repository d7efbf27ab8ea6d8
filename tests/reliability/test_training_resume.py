"""GRPO resume is exact: training killed after checkpoint-1 and resumed equals training never interrupted.

The crash test's tiny model earns zero reward, so its weights never move and it cannot tell whether the
sampling RNG survives a resume. Here the reward depends on the sampled text (a hash of it), so a different
sample after resume would change the rewards, the loss and the LoRA weights. TRL/transformers restore the
torch, numpy and python RNG states from `rng_state.pth`, the optimizer, the scheduler and the step.
"""

from __future__ import annotations

import hashlib
import shutil

import torch
from safetensors.torch import load_file

from traitrl.training.callbacks import read_metrics, truncate_metrics
from traitrl.training.config import TrainConfig
from traitrl.training.grpo import train_arm
from traitrl.training.standard_tasks import build_standard_tasks


def text_reward(prompts, completions, **_):
    """A reward in [0, 1) fixed by the sampled text."""
    out = []
    for c in completions:
        text = c if isinstance(c, str) else "".join(m.get("content", "") for m in c)
        out.append(int(hashlib.sha256(text.encode()).hexdigest()[:4], 16) / 65536)
    return out


def _train(cfg: TrainConfig, out):
    return train_arm(cfg, build_standard_tasks(cfg.steps * cfg.prompts_per_step, seed=0), [text_reward], out)


def test_resume_from_checkpoint_reproduces_the_uninterrupted_run(tiny_model_path, isolated_cache, tmp_path):
    cfg = TrainConfig(model=str(tiny_model_path), steps=2, save_steps=1, prompts_per_step=2, num_generations=2,
                      max_completion_length=6, lora_r=2, learning_rate=1e-2, dtype="float32", torch_threads=1)
    whole = _train(cfg, tmp_path / "whole")
    killed = tmp_path / "killed"
    _train(cfg, killed)
    # Make it look like a SIGKILL during step 2: checkpoint-2, the adapter and step 2's metrics never existed.
    shutil.rmtree(killed / "checkpoints" / "checkpoint-2")
    shutil.rmtree(killed / "adapter")
    truncate_metrics(killed / "metrics.jsonl", 1)
    resumed = _train(cfg, killed)

    def strip(rows):
        return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]

    assert resumed.steps == 2
    assert strip(read_metrics(killed / "metrics.jsonl")) == strip(whole.metrics)
    assert len({r["reward"] for r in whole.metrics}) > 1 or whole.metrics[0]["reward_std"]  # rewards vary
    a, b = load_file(whole.adapter_dir / "adapter_model.safetensors"), load_file(
        resumed.adapter_dir / "adapter_model.safetensors")
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    init = TrainConfig(**{**cfg.model_dump(), "steps": 1})
    first = _train(init, tmp_path / "one-step")
    c = load_file(first.adapter_dir / "adapter_model.safetensors")
    assert any(not torch.equal(a[k], c[k]) for k in a)  # step 2 really changed the weights
