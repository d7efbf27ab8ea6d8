"""Built-in procedural benchmarks for the categories the public data does not cover."""

from __future__ import annotations

from traitrl.evals.benchmark import Benchmark
from traitrl.evals.builtin.arithmetic import arithmetic_benchmark
from traitrl.evals.builtin.health import health_benchmarks
from traitrl.evals.builtin.honesty import honesty_benchmarks
from traitrl.evals.builtin.in_distribution import in_distribution_benchmarks
from traitrl.evals.builtin.mental_health import mental_health_benchmarks
from traitrl.evals.builtin.probes import probe_benchmarks
from traitrl.evals.builtin.reward_hacking import reward_hacking_benchmarks
from traitrl.evals.builtin.safety import safety_benchmarks
from traitrl.evals.builtin.sycophancy import sycophancy_benchmarks


def builtin_benchmarks() -> list[Benchmark]:
    """Built-in alignment benchmarks, in-distribution ones included."""
    return [
        *honesty_benchmarks(),
        *sycophancy_benchmarks(),
        *reward_hacking_benchmarks(),
        *safety_benchmarks(),
        *health_benchmarks(),
        *mental_health_benchmarks(),
        *in_distribution_benchmarks(),
        *probe_benchmarks(),
    ]


__all__ = ["arithmetic_benchmark", "builtin_benchmarks"]
