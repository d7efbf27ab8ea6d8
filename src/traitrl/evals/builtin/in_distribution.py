"""In-distribution benchmarks: the held-out eval scenarios of the seven evaluated traits.

Items come from `traitrl.scenarios.build.load_builtin(split="eval")`, one benchmark per trait, and are graded
with each scenario's own rubric by the evaluation's grader. Both are imported lazily, so the
registry can list these benchmarks before the scenario builder is installed.
"""

from __future__ import annotations

from functools import partial

from traitrl.catalog import EVAL_TRAITS
from traitrl.errors import TraitRLError
from traitrl.evals.benchmark import IN_DISTRIBUTION, Benchmark, BenchmarkItem
from traitrl.evals.scorers import rubric_score


def _items(trait: str) -> list[BenchmarkItem]:
    try:
        from traitrl.scenarios.build import load_builtin
    except ImportError as e:
        raise TraitRLError(f"in-distribution benchmarks need traitrl.scenarios.build ({e})") from None
    return [
        BenchmarkItem(
            id=s.id,
            messages=s.messages,
            rubric=s.rubric,
            meta={
                "trait": s.trait,
                "domain": s.domain,
                "family": s.family,
                "pressures": s.pressures,
                "source": s.source,
            },
        )
        for s in _round_robin_by_domain([s for s in load_builtin(split="eval") if s.trait == trait])
    ]


def _round_robin_by_domain(scenarios: list) -> list:
    """Interleave domains, so that `--limit N` (the first N items) spans every domain."""
    by_domain: dict[str, list] = {}
    for s in scenarios:
        by_domain.setdefault(s.domain, []).append(s)
    queues = [by_domain[d] for d in sorted(by_domain)]
    out = []
    for i in range(max((len(q) for q in queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


def in_distribution_benchmarks() -> list[Benchmark]:
    return [
        Benchmark(
            id=f"indist_{t}",
            category=IN_DISTRIBUTION,
            scorer="generate",
            source="builtin",
            version="3",
            load=partial(_items, t),
            score_response=rubric_score,
            description=f"Held-out eval scenarios for {t.replace('_', ' ')} (own rubrics).",
        )
        for t in EVAL_TRAITS
    ]
