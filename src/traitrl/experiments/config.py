"""Experiment configuration: models, arms, trait share, steps, seeds, suite and persistence tests.

A YAML file is validated here; unknown keys are rejected with their name (pydantic `extra="forbid"`).
`DEMO_CONFIG` (`demo.yaml`, shipped in the package; `configs/demo.yaml` links to it) is the small-scale
protocol `traitrl demo` runs on the embedded model; `configs/paper.yaml` holds the full-scale one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from traitrl.files import load_yaml_model
from traitrl.results import split_label
from traitrl.scenarios.build import Source
from traitrl.training.arms import resolve_arm
from traitrl.training.config import TrainConfig


def _arm_name(v: str) -> str:
    if v != "base":
        resolve_arm(v)
    return v


ArmName = Annotated[str, AfterValidator(_arm_name)]


def _known(kind: str, names: list[str], known: list[str]) -> list[str]:
    """Refuse a name missing from its registry now, not after training (ValueError: file, line and field)."""
    import difflib

    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known[:12])}"
            raise ValueError(f"unknown {kind} {name!r}{hint}")
    return names


def _benchmark_ids(names: list[str]) -> list[str]:
    from traitrl.evals import registry

    return _known("benchmark", names, [*registry.all_benchmarks(), *registry.capability_benchmarks()])
# Fields of `train:` an experiment sets itself, per arm and seed (they come from the top-level keys).
RUN_OWNED = ("model", "arm", "seed", "data_source", "data_seed", "trait_share", "grader", "constitution")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class EvalSettings(Strict):
    suite: list[str] | Literal["all"] = "all"
    limit: int | None = Field(20, ge=1)
    max_new_tokens: int = Field(96, ge=8)
    trait_eval_limit: int = Field(40, ge=1, description="Held-out trait scenarios scored for learning curves.")
    generation_limit: int | None = Field(None, ge=1, description="Items per generation benchmark other than the "
                                         "held-out trait ones (None: `limit`). A generated item costs tens of "
                                         "log-likelihood items, so a long run cuts these first.")

    @field_validator("suite")
    @classmethod
    def _suite_known(cls, v: list[str] | str) -> list[str] | str:
        return v if isinstance(v, str) else _benchmark_ids(v)


class PersonaSettings(Strict):
    personas: list[str] = Field(default_factory=lambda: ["bad_medical", "disallowed_mental_health",
                                                          "helpful_medical"])
    benchmarks: list[str] = Field(default_factory=list, description="Empty: the health categories.")
    limit: int = Field(20, ge=1)
    many_shot: list[int] = Field(default_factory=lambda: [1, 4, 16],
                                 description="k faked compliant turns per many-shot attack.")
    arms: list[str] | None = Field(None, description="Models attacked: arms (every seed) or model labels "
                                   "(\"trait@s0\"); None: every model.")

    @field_validator("personas")
    @classmethod
    def _personas_known(cls, v: list[str]) -> list[str]:
        from traitrl.experiments.personas import PERSONAS

        return _known("persona", v, list(PERSONAS))

    @field_validator("benchmarks")
    @classmethod
    def _benchmarks_known(cls, v: list[str]) -> list[str]:
        return _benchmark_ids(v)


class FinetuneSettings(Strict):
    doses: list[int] = Field(default_factory=lambda: [0, 10, 25])
    datasets: list[str] = Field(default_factory=lambda: ["bad_medical"])
    arms: list[str] = Field(default_factory=lambda: ["base", "baseline", "trait"],
                            description="Models fine-tuned: arms (every seed) or model labels (\"trait@s0\").")
    methods: list[Literal["lora", "full"]] = Field(default_factory=lambda: ["lora"],
                                                   description="LoRA adapters and/or full fine-tuning (fp32).")
    learning_rate: float = 2e-4
    out_of_domain: Literal["mc", "all"] = Field("all", description="Out-of-domain benchmarks scored per dose: "
                                                "all, or the log-likelihood ones only (fast).")

    @field_validator("datasets")
    @classmethod
    def _datasets_known(cls, v: list[str]) -> list[str]:
        from traitrl.experiments.harmful_data import DATASETS

        return _known("fine-tuning set", v, list(DATASETS))


class SteeringSettings(Strict):
    """Activation steering along persona vectors read from the start model (`evals/persona_vectors.py`)."""

    personas: list[str] = Field(default_factory=lambda: ["deceptive", "sycophantic", "power_seeking", "concise"])
    coefficients: list[float] = Field(default_factory=lambda: [0.0, 1.0, 2.0, 4.0, 8.0],
                                      description="Multiples of the direction added; 0 must be one of them.")
    arms: list[str] = Field(default_factory=lambda: ["base", "baseline", "trait"],
                            description="Models steered: arms (every seed) or model labels (\"trait@s0\").")
    layer: int | None = Field(None, ge=0, description="Block steered; None: each persona's layer-rule choice.")
    limit: int = Field(16, ge=1, description="Items per suite-subset benchmark.")
    held_out_limit: int = Field(4, ge=0, description="Held-out trait scenarios per trait benchmark (0: none).")
    extract_max_new_tokens: int = Field(40, ge=4, description="Response tokens per extraction question.")

    @field_validator("personas")
    @classmethod
    def _steer_personas_known(cls, v: list[str]) -> list[str]:
        from traitrl.evals.persona_vectors import persona_data

        return _known("steering persona", v, [p.id for p in persona_data().personas])

    @field_validator("coefficients")
    @classmethod
    def _has_zero(cls, v: list[float]) -> list[float]:
        if 0 not in v or len(set(v)) != len(v):
            raise ValueError("coefficients must include 0 and list each value once")
        return sorted(v)


class ProbeSettings(Strict):
    """The held-out probe during training (experiments/probe.py): each arm's learning curve."""

    every: int = Field(25, ge=1, description="Probe before step 1, every this many steps and after the last.")
    limit: int = Field(60, ge=1, description="Held-out trait scenarios in the probe (eval split, traits in turn).")


class PersistenceSettings(Strict):
    persona: PersonaSettings | None = Field(default_factory=PersonaSettings)
    finetune: FinetuneSettings | None = None
    steering: SteeringSettings | None = None


class ExperimentConfig(Strict):
    name: str = "experiment"
    model: str = "embedded"
    seeds: list[StrictInt] = Field(default_factory=lambda: [0], min_length=1)  # `true` or "1" is not a seed
    arm_seeds: dict[str, list[StrictInt]] = Field(default_factory=dict, description="Seeds of particular trained arms "
                                            "(e.g. {health_only: [0]}, 'trait@0.05' for a dose arm); the others "
                                            "train once per seed in `seeds`.")
    data_source: Source = Field(
        "written", description="Training scenarios of the trait arms (held-out evaluation is always the written "
        "eval set).")
    data_seed: int = Field(0, description="Seed of the template fills (data_source templates or mixed).")
    trait_share: float = Field(0.05, ge=0, le=1)
    dose_shares: list[float] = Field(default_factory=list, description="Extra trait arms at these shares.")
    arms: list[ArmName] = Field(default_factory=lambda: ["base", "baseline", "trait"],
                            description="'base' (the start model, untrained) and arms of traitrl.training.arms.")
    train: TrainConfig = Field(default_factory=TrainConfig, description="Every arm's GRPO settings; model, "
                               "arm, seed, share, grader and constitution come from the experiment.")
    eval: EvalSettings = Field(default_factory=EvalSettings)
    probe: ProbeSettings | None = Field(None, description="Held-out probe during training: greedy replies to "
                                        "held-out trait scenarios graded every `every` steps (probe.jsonl).")
    persistence: PersistenceSettings = Field(default_factory=PersistenceSettings)
    constitution: str | None = Field(None, description="Constitution file; default: the built-in one.")
    grader: str = Field("offline", description="Grader spec of the trait reward and of every rubric-graded "
                        "benchmark (traitrl.grading.api); part of every stage key.")
    budget_minutes: float | None = Field(None, gt=0, description="Size the run to finish within this many "
                                         "minutes on the machine it runs on (experiments/plan.py): items per "
                                         "benchmark and attack sizes shrink, never arms, stages or steps.")
    budget_trains: bool = Field(False, description="Let the budget also cut GRPO rollouts per prompt and their "
                                "length (never steps): for a demo, not for a run whose training is the result.")

    @field_validator("grader")
    @classmethod
    def _grader_spec(cls, v: str) -> str:
        from traitrl.grading.api import check_grader_spec

        return check_grader_spec(v)

    @field_validator("dose_shares")
    @classmethod
    def _dose_in_range(cls, v: list[float]) -> list[float]:
        if any(not 0 < share <= 1 for share in v):
            raise ValueError("every dose share must lie in (0, 1]")
        return v

    @field_validator("train")
    @classmethod
    def _no_run_owned_keys(cls, v: TrainConfig) -> TrainConfig:
        owned = sorted(set(RUN_OWNED) & v.model_fields_set)
        if owned:
            raise ValueError(f"train.{owned[0]} is set by the experiment (top-level keys, arms and seeds)")
        return v

    @field_validator("arms")
    @classmethod
    def _needs_baseline(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("arms are listed twice")
        if any(a not in ("base", "baseline") for a in v) and "baseline" not in v:
            raise ValueError("an RL arm needs the compute-matched 'baseline' arm to compare against")
        return v


    @model_validator(mode="after")
    def _arm_seeds_name_trained_arms(self) -> ExperimentConfig:
        for arm, seeds in self.arm_seeds.items():
            if arm not in self.rl_arms:
                raise ValueError(f"arm_seeds: {arm!r} is not a trained arm of this run ({', '.join(self.rl_arms)})")
            if not seeds or len(set(seeds)) != len(seeds):
                raise ValueError(f"arm_seeds: {arm!r} needs one or more distinct seeds")
        return self

    def seeds_of(self, arm: str) -> list[int]:
        """The seeds a trained arm runs with: its `arm_seeds` entry, else `seeds`."""
        return self.arm_seeds.get(arm, self.seeds)

    @property
    def all_seeds(self) -> list[int]:
        """Every seed of the run, `seeds` first: the order arms are trained in."""
        extra = sorted({s for seeds in self.arm_seeds.values() for s in seeds} - set(self.seeds))
        return [*self.seeds, *extra]

    @property
    def rl_arms(self) -> list[str]:
        """The trained arms, in order, with the dose-response arms (`trait@<share>`) appended."""
        doses = [f"trait@{share:g}" for share in self.dose_shares if share != self.trait_share]
        return [a for a in self.arms if a != "base"] + doses

    def model_label(self, arm: str, seed: int) -> str:
        """How a trained model is named in results: the arm, with its seed when the run has several."""
        return arm if len(self.all_seeds) == 1 else f"{arm}@s{seed}"

    def label_seed(self, label: str) -> tuple[str, int]:
        """(arm, seed) of a model label, `model_label`'s inverse; the first seed for the base model."""
        arm, seed = split_label(label)
        return (arm, self.seeds[0] if seed is None else seed)

    def trained_models(self) -> list[tuple[int, str]]:
        """(seed, arm) of every training stage, in run order: seed by seed, arms in `rl_arms` order."""
        return [(seed, arm) for seed in self.all_seeds for arm in self.rl_arms if seed in self.seeds_of(arm)]

    def train_config(self, arm: str, seed: int, model: str | None = None) -> TrainConfig:
        """The `TrainConfig` of one arm and seed (`model`: another start model, e.g. after SFT). An arm that
        starts with SFT (constitutional_sft) then runs the baseline's RL from the SFT'd model."""
        rl_arm = "baseline" if resolve_arm(arm).sft_first else arm
        return TrainConfig.model_validate({**self.train.model_dump(exclude_unset=True), "model": model or self.model,
                                           "arm": rl_arm, "seed": seed, "data_source": self.data_source,
                                           "data_seed": self.data_seed,
                                           "trait_share": self.trait_share, "grader": self.grader,
                                           "constitution": self.constitution})


def selected(label: str, chosen: list[str] | None) -> bool:
    """Whether a persistence test's `arms` list takes the model `label`: an arm name takes every seed of that
    arm ("trait": trait@s0, trait@s1; not the dose arm trait@0.05), a full label just that model
    ("baseline@s0"); None takes every model."""
    return chosen is None or label in chosen or split_label(label)[0] in chosen


def load_experiment_config(path: str | Path) -> ExperimentConfig:
    return load_yaml_model(path, ExperimentConfig)


DEMO_CONFIG = Path(__file__).with_name("demo.yaml")
