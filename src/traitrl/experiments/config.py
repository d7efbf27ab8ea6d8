"""Experiment configuration: models, arms, trait share, steps, seeds, suite and persistence tests.

A YAML file is validated here; unknown keys are rejected with their name (pydantic `extra="forbid"`).
`DEMO_CONFIG` (`demo.yaml`, shipped in the package; `configs/demo.yaml` links to it) is the small-scale
protocol `traitrl demo` runs on the embedded model; `configs/paper.yaml` holds the full-scale one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from traitrl.files import load_yaml_model

ArmKind = Literal["base", "baseline", "trait", "health_only", "no_health_science", "reward_control",
                  "constitution_reward", "constitutional_sft"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class TrainSettings(Strict):
    steps: int = Field(20, ge=1)
    prompts_per_step: int = Field(8, ge=1)
    num_generations: int = Field(4, ge=2)
    max_completion_length: int = Field(48, ge=8)
    learning_rate: float = Field(1e-4, gt=0)
    lora_r: int = Field(16, ge=1)
    temperature: float = Field(1.0, gt=0)
    top_p: float = Field(1.0, gt=0, le=1)
    generation_steps: int = Field(1, ge=1, description="Optimizer steps sampled per generate call.")
    save_steps: int = Field(10, ge=1)


class EvalSettings(Strict):
    suite: list[str] | Literal["all"] = "all"
    limit: int | None = Field(20, ge=1)
    max_new_tokens: int = Field(96, ge=8)
    trait_eval_limit: int = Field(40, ge=1, description="Held-out trait scenarios scored for learning curves.")


class PersonaSettings(Strict):
    personas: list[str] = Field(default_factory=lambda: ["bad_medical", "disallowed_mental_health",
                                                          "helpful_medical"])
    benchmarks: list[str] = Field(default_factory=list, description="Empty: the health categories.")
    limit: int = Field(20, ge=1)
    many_shot: list[int] = Field(default_factory=lambda: [1, 4, 16],
                                 description="k faked compliant turns per many-shot attack.")
    arms: list[str] | None = Field(None, description="Models attacked (arm labels); None: every model.")


class FinetuneSettings(Strict):
    doses: list[int] = Field(default_factory=lambda: [0, 10, 25])
    datasets: list[str] = Field(default_factory=lambda: ["bad_medical"])
    arms: list[str] = Field(default_factory=lambda: ["base", "baseline", "trait"])
    methods: list[Literal["lora", "full"]] = Field(default_factory=lambda: ["lora"],
                                                   description="LoRA adapters and/or full fine-tuning (fp32).")
    learning_rate: float = 2e-4
    out_of_domain: Literal["mc", "all"] = Field("all", description="Out-of-domain benchmarks scored per dose: "
                                                "all, or the log-likelihood ones only (fast).")


class PersistenceSettings(Strict):
    persona: PersonaSettings | None = Field(default_factory=PersonaSettings)
    finetune: FinetuneSettings | None = None


class ExperimentConfig(Strict):
    name: str = "experiment"
    model: str = "embedded"
    seeds: list[int] = Field(default_factory=lambda: [0])
    data_seed: int = 0
    trait_share: float = Field(0.05, ge=0, le=1)
    dose_shares: list[float] = Field(default_factory=list, description="Extra trait arms at these shares.")
    arms: list[ArmKind] = Field(default_factory=lambda: ["base", "baseline", "trait"])
    train: TrainSettings = Field(default_factory=TrainSettings)
    eval: EvalSettings = Field(default_factory=EvalSettings)
    persistence: PersistenceSettings = Field(default_factory=PersistenceSettings)
    constitution: str | None = Field(None, description="Constitution file; default: the built-in one.")
    grader: str = Field("offline", description="Grader spec of the trait reward and of every rubric-graded "
                        "benchmark (traitrl.grading.api); part of every stage key.")

    @field_validator("grader")
    @classmethod
    def _grader_spec(cls, v: str) -> str:
        from traitrl.grading.api import check_grader_spec

        return check_grader_spec(v)

    @field_validator("arms")
    @classmethod
    def _needs_baseline(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("arms are listed twice")
        if any(a not in ("base", "baseline") for a in v) and "baseline" not in v:
            raise ValueError("an RL arm needs the compute-matched 'baseline' arm to compare against")
        return v


def load_experiment_config(path: str | Path) -> ExperimentConfig:
    return load_yaml_model(path, ExperimentConfig)


DEMO_CONFIG = Path(__file__).with_name("demo.yaml")
