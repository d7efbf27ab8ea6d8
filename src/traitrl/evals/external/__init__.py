"""Adapters from the shared public data (see shared/data/INDEX.md) to `Benchmark` entries."""

from __future__ import annotations

from traitrl.evals.benchmark import Benchmark
from traitrl.evals.external.anthropic_risk import anthropic_risk_benchmarks
from traitrl.evals.external.bbq import bbq_benchmarks
from traitrl.evals.external.capability import capability_external_benchmarks
from traitrl.evals.external.emergent import emergent_benchmarks
from traitrl.evals.external.refusal_sets import refusal_benchmarks
from traitrl.evals.external.selfaware import selfaware_benchmarks
from traitrl.evals.external.truthfulqa import truthfulqa_benchmarks


def external_benchmarks() -> list[Benchmark]:
    """Alignment benchmarks built from the shared data (loaded lazily)."""
    return [
        *truthfulqa_benchmarks(),
        *selfaware_benchmarks(),
        *bbq_benchmarks(),
        *anthropic_risk_benchmarks(),
        *refusal_benchmarks(),
        *emergent_benchmarks(),
    ]


__all__ = ["capability_external_benchmarks", "external_benchmarks"]
