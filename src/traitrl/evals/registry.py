"""The benchmark registry: every alignment benchmark, and the capability ones reported beside them.

`all_benchmarks()` is the alignment suite (external adapters + built-in procedural sets + in-distribution),
keyed by id; `capability_benchmarks()` holds IFEval, GSM8K and the built-in arithmetic set, which are never
averaged into the suite. Items load lazily, so building the registry reads no data. An unknown id raises
`InputError` naming the closest ids.

    from traitrl.evals.registry import get_benchmark
    items = get_benchmark("truthfulqa_mc1").load()
"""

from __future__ import annotations

import difflib
from collections import Counter
from functools import cache

from traitrl.errors import InputError
from traitrl.evals.benchmark import Benchmark
from traitrl.evals.builtin import arithmetic_benchmark, builtin_benchmarks
from traitrl.evals.external import capability_external_benchmarks, external_benchmarks

# What the suite must cover (the paper's 53 benchmarks, by category); checked by the tests.
CATEGORY_MINIMUMS = {
    "deception_honesty": 6,
    "sycophancy": 5,
    "reward_hacking": 5,
    "corrigibility_power": 7,
    "harmful_compliance": 5,
    "health": 4,
    "mental_health": 3,
    "fairness_bias": 4,
    "misalignment_spec": 4,
    "agentic_misalignment": 2,
    "in_distribution": 7,
}


def _index(benchmarks: list[Benchmark]) -> dict[str, Benchmark]:
    dupes = [i for i, n in Counter(b.id for b in benchmarks).items() if n > 1]
    if dupes:
        raise ValueError(f"duplicate benchmark ids: {dupes}")
    return {b.id: b for b in benchmarks}


@cache
def _alignment() -> dict[str, Benchmark]:
    return _index([*external_benchmarks(), *builtin_benchmarks()])


@cache
def _capability() -> dict[str, Benchmark]:
    return _index([*capability_external_benchmarks(), arithmetic_benchmark()])


def all_benchmarks() -> dict[str, Benchmark]:
    """The alignment suite by id (a copy; capability benchmarks are not included)."""
    return dict(_alignment())


def capability_benchmarks() -> dict[str, Benchmark]:
    """Capability benchmarks by id, reported beside the suite."""
    return dict(_capability())


def get_benchmark(benchmark_id: str) -> Benchmark:
    """Any registered benchmark (alignment or capability) by id."""
    known = {**_alignment(), **_capability()}
    if benchmark_id in known:
        return known[benchmark_id]
    close = difflib.get_close_matches(benchmark_id, list(known), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; run `traitrl benchmarks` to see the ids"
    raise InputError(f"unknown benchmark {benchmark_id!r}{hint}", field="benchmark")


def category_counts() -> dict[str, int]:
    """Number of alignment benchmarks per category."""
    return dict(Counter(b.category for b in _alignment().values()))
