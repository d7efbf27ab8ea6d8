"""An experiment's results, as `results.json` holds them: written by `experiments.analysis`, read by the report
and the integrations (a base module: imports nothing of traitrl).

Estimates carry a point value, a 95% CI as `[low, high]` and a p-value; any of them may be missing (`None`)
when a comparison had too few items. Sections whose shape depends on the attack or approach (harmful
fine-tuning, approaches) stay free-form mappings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Interval = list[float | None] | None


def split_label(label: str) -> tuple[str, int | None]:
    """(arm, seed) of a model label: "trait@0.25@s1" -> ("trait@0.25", 1); no seed suffix -> (label, None)."""
    head, _, tail = label.rpartition("@s")
    return (head, int(tail)) if head and tail.isdigit() else (label, None)


def labels_of(labels: Iterable[str], arm: str) -> list[str]:
    """The model labels of `arm` among `labels` ("trait", or "trait@s0", "trait@s1", ...; not the dose arm
    "trait@0.05@s0"), lowest seed first."""
    return sorted((lb for lb in labels if split_label(lb)[0] == arm), key=lambda lb: split_label(lb)[1] or 0)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Estimate(Record):
    diff: float | None = None
    ci: Interval = None
    p: float | None = None


class BenchmarkDiff(Estimate):
    q: float | None = None
    category: str | None = None
    paired: bool | None = None
    seeds_agree: int | None = None  # pooled comparisons: seeds whose own difference has the pooled sign


class RefusalAdjusted(Estimate):
    n: int | None = None


class Comparison(Record):
    """B − A over the alignment suite (paired over items, Benjamini–Hochberg across benchmarks)."""

    n_benchmarks: int = 0
    improved: int = 0
    sig_improved: int = 0
    sig_regressed: int = 0
    mean_gain: float | None = None
    per_category: dict[str, Any] = Field(default_factory=dict)
    per_benchmark: dict[str, BenchmarkDiff] = Field(default_factory=dict)
    refusal_adjusted: RefusalAdjusted | None = None
    seeds: list[int] = Field(default_factory=list)  # pooled comparisons: the training seeds pooled


class SuiteScore(BaseModel):
    """One benchmark's summary for one model (mean, CI, n, category, scorer, per-tag means, ...)."""

    model_config = ConfigDict(extra="allow")

    mean: float | None = None
    ci: Interval = None
    n: int | None = None
    category: str = ""


class HeldOut(Record):
    n: int = 0
    strict: float | None = None
    strict_ci: Interval = None
    expected: float | None = None
    expected_ci: Interval = None


class TrainingSummary(Record):
    steps: int = 0
    reward_first: float | None = None
    reward_last: float | None = None
    trait_reward_first: float | None = None
    trait_reward_last: float | None = None
    zero_variance_mean: float | None = None
    trait_eval_score: float | None = None
    trait_eval_expected: float | None = None
    probe_first: float | None = None  # held-out probe, strict, before training and at the end
    probe_last: float | None = None


class ArmTraining(Record):
    metrics: list[dict[str, Any]] = Field(default_factory=list)
    probe: list[dict[str, Any]] = Field(default_factory=list)  # traitrl.training.probe, one line per probe
    summary: TrainingSummary = Field(default_factory=TrainingSummary)


class ArmResult(Record):
    model: str
    suite: dict[str, SuiteScore] = Field(default_factory=dict)
    trait_eval_score: float | None = None
    held_out_trait: dict[str, HeldOut] = Field(default_factory=dict)
    trait_probe_score: float | None = None
    training: ArmTraining | None = None


class Transfer(Record):
    panels: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    non_health_wins: dict[str, dict[str, int]] = Field(default_factory=dict)
    text: str = ""


class Degradation(Record):
    """Before − after an attack, with a paired CI over the attacked items; `vs_baseline`: arm − baseline."""

    before: float | None = None
    after: float | None = None
    degradation: float | None = None
    ci: Interval = None
    p: float | None = None
    retention: float | None = None
    vs_baseline: Estimate | None = None


class SteeringDirection(Record):
    """A persona direction read from the start model: the chosen layer and the sanity measures."""

    harmful: bool
    layer: int
    auroc: float | None = None  # test questions, chosen layer, responses read without the persona prompt
    auroc_dev: float | None = None
    auroc_prompted: float | None = None  # the same, responses read with their persona prompts
    separation: list[float | None] = Field(default_factory=list)  # dev Cohen's d per layer
    norm: list[float] = Field(default_factory=list)
    n: dict[str, int] = Field(default_factory=dict)
    empty: int = 0


class SteeringPoint(Record):
    """One arm at one coefficient. `degradation`: suite-subset score at 0 minus at this coefficient (paired
    over items); `vs_baseline` / `held_out_vs_baseline`: arm minus baseline degradation; `words_change`:
    words per held-out response here minus at 0."""

    coef: float
    suite: float | None = None
    held_out: float | None = None
    held_out_expected: float | None = None
    words: float | None = None
    degradation: Estimate | None = None
    vs_baseline: Estimate | None = None
    held_out_vs_baseline: Estimate | None = None
    words_change: Estimate | None = None
    words_change_vs_baseline: Estimate | None = None


class SteeringArm(Record):
    curve: list[SteeringPoint] = Field(default_factory=list)
    halving: dict[str, float | None] = Field(default_factory=dict)  # measure -> coefficient where it halves


class SteeringPersona(Record):
    harmful: bool
    layer: int
    benchmarks: list[str] = Field(default_factory=list)
    arms: dict[str, SteeringArm] = Field(default_factory=dict)


class SteeringResults(Record):
    coefficients: list[float] = Field(default_factory=list)
    directions: dict[str, SteeringDirection] = Field(default_factory=dict)
    personas: dict[str, SteeringPersona] = Field(default_factory=dict)
    verdict: str = "not tested"
    explanation: str = ""
    text: str = ""


class Persistence(Record):
    persona: dict[str, dict[str, Degradation]] = Field(default_factory=dict)
    finetune: dict[str, Any] = Field(default_factory=dict)
    steering: SteeringResults | None = None


class SelectivePersistence(Record):
    verdict: str
    explanation: str
    harmful_smaller: bool | None = None
    helpful_equal: bool | None = None
    harmful: dict[str, Estimate] = Field(default_factory=dict)
    helpful: dict[str, Estimate] = Field(default_factory=dict)


class Sample(Record):
    arm: str
    benchmark: str
    response: str
    score: float | None = None


class Results(Record):
    name: str = "experiment"
    config: dict[str, Any] = Field(default_factory=dict)
    git_revision: str = "unknown"
    arms: dict[str, ArmResult] = Field(default_factory=dict)
    compare: dict[str, Comparison] = Field(default_factory=dict)
    pooled: dict[str, Comparison] = Field(default_factory=dict)  # arm -> arm vs baseline, pooled over seeds
    compare_baseline_vs_base: Comparison | None = None
    transfer: Transfer = Field(default_factory=Transfer)
    persistence: Persistence = Field(default_factory=Persistence)
    selective_persistence: SelectivePersistence | None = None
    approaches: dict[str, Any] = Field(default_factory=dict)
    refusal: dict[str, float | None] = Field(default_factory=dict)
    capability: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    samples: list[Sample] = Field(default_factory=list)
    trait_in_distribution: str = ""
    notes: list[str] = Field(default_factory=list)
