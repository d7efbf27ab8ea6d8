"""`TrainConfig`: every knob of one GRPO arm, validated at the boundary (unknown keys rejected).

YAML keys are the field names (see `configs/train_demo.yaml`). Batch sizes count *prompts*: one step
generates `prompts_per_step * num_generations` completions (TRL's `per_device_train_batch_size` counts
completions; `grpo.py` converts). Learning rate: 5e-5..2e-4 is the sensible LoRA range; the 135M demo uses
1e-4 (see the module docstring of `traitrl.training.grpo` for the measured curve).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from traitrl.errors import ConfigError
from traitrl.files import load_yaml_model, validation_message
from traitrl.grading.api import DEFAULT_GRADER, check_grader_spec
from traitrl.scenarios.build import Source
from traitrl.training.arms import Arm, resolve_arm


class TrainConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # NaN is a mistake, not "over the limit"

    model: str = "embedded"
    arm: str = Field("trait", description="An arm of `traitrl.training.arms` (e.g. trait, baseline, "
                     "health_only, reward_control, constitution_reward, trait@0.1).")
    steps: int = Field(200, ge=1, strict=True)  # a YAML "4" is a quoted mistake, not 4
    learning_rate: float = Field(1e-4, gt=0, le=1e-2)
    lora_r: int = Field(16, ge=1)
    lora_alpha: int = Field(32, ge=1)
    lora_dropout: float = Field(0.0, ge=0, lt=1)
    lora_target_modules: list[str] | str = "all-linear"
    num_generations: int = Field(4, ge=2)
    max_completion_length: int = Field(48, ge=1)
    prompts_per_step: int = Field(8, ge=1)
    temperature: float = Field(1.0, gt=0)
    top_p: float = Field(1.0, gt=0, le=1)
    generation_steps: int = Field(1, ge=1, description="Optimizer steps whose rollouts are sampled in one "
                                  "generate call (TRL's steps_per_generation / gradient_accumulation_steps).")
    beta: float = Field(0.0, ge=0)
    seed: int = Field(0, strict=True)
    data_source: Source = Field(
        "written", description="Built-in training scenarios the trait rows come from (traitrl.scenarios.build).")
    data_seed: int = Field(0, description="Seed of the template fills (data_source templates or mixed).")
    trait_share: float = Field(0.05, ge=0, le=1)
    arithmetic_share: float = Field(0.5, ge=0, le=1)
    domains: list[str] | None = None
    exclude_domains: list[str] = Field(default_factory=list)
    traits: list[str] | None = None
    save_steps: int = Field(50, ge=1)
    resume: bool = True
    merge: bool = False
    dtype: Literal["auto", "bfloat16", "float32"] = "auto"
    attn_implementation: Literal["auto", "eager", "sdpa"] = Field(
        "auto", description="The policy's attention in GRPO (transformers' name); auto: eager on a CPU, whose "
        "backward through explicit products beat SDPA's fused kernel (a GRPO step 15 % faster on the Intel Xeon), "
        "sdpa elsewhere. The SFT ladders (harmful fine-tuning, constitutional SFT) always train as auto says.")
    report_to: str | list[str] = "none"
    micro_batch: int = Field(8, ge=1, description="Completions per backward pass (bounds activation memory; "
                             "a group's prompt is read once, so mostly completions count).")
    torch_threads: int | None = Field(None, ge=1)  # fixed count; None on a CPU: the idle cores, chosen per step
    grader: str = Field(DEFAULT_GRADER, description="Grader spec of the trait reward (traitrl.grading.api).")
    constitution: str | None = Field(None, description="Constitution file of the constitution-reward arm; "
                                     "default: the built-in one.")

    @field_validator("grader")
    @classmethod
    def _grader_spec(cls, v: str) -> str:
        return check_grader_spec(v)

    @field_validator("arm")
    @classmethod
    def _known_arm(cls, v: str) -> str:
        if resolve_arm(v).sft_first:
            raise ValueError(f"arm {v!r} starts with an SFT stage: run it as an experiment arm")
        return v

    @property
    def resolved_arm(self) -> Arm:
        return resolve_arm(self.arm)

    @property
    def effective_trait_share(self) -> float:
        """The share actually used: 0 for an unrewarded arm (the baseline), the arm's own for a dose arm."""
        return self.resolved_arm.trait_share(self.trait_share)

    @property
    def n_rows(self) -> int:
        """Rows consumed by one pass: `steps * prompts_per_step`."""
        return self.steps * self.prompts_per_step


def load_train_config(path: str, **overrides) -> TrainConfig:
    """Read a YAML config, apply non-None CLI overrides, validate (errors name file, line and key)."""
    cfg = load_yaml_model(path, TrainConfig)
    updates = {k: v for k, v in overrides.items() if v is not None}
    if not updates:
        return cfg
    try:
        return TrainConfig.model_validate({**cfg.model_dump(), **updates})
    except ValidationError as e:
        field, msg = validation_message(e)
        if field.split(".")[0] in updates:  # the command line's value, not the file's, is wrong
            raise ConfigError(msg, field="--" + field.split(".")[0].replace("_", "-")) from None
        raise ConfigError(msg, file=str(path), field=field) from None
