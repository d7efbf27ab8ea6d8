"""One GRPO step on the real embedded policy (slow; `-m integration`)."""

import pytest

from traitrl.training.arms import prepare_arm
from traitrl.training.config import TrainConfig
from traitrl.training.grpo import train_arm


@pytest.mark.integration
def test_one_step_on_embedded_policy(tmp_path, scenarios):
    cfg = TrainConfig(model="embedded", steps=1, prompts_per_step=4, num_generations=4,
                      max_completion_length=24, trait_share=0.25, save_steps=10, torch_threads=1)
    rows, rewards = prepare_arm(cfg, scenarios)
    result = train_arm(cfg, rows, rewards, tmp_path)
    m = result.metrics[0]
    assert result.steps == 1 and m["reward"] is not None
    assert m["trait_reward"] is not None  # one of the four prompts is a trait row
    assert (result.adapter_dir / "adapter_model.safetensors").exists()
