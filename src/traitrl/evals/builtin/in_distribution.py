"""In-distribution benchmarks: the held-out eval scenarios of the seven evaluated traits.

Items are the written eval scenarios (`traitrl.scenarios.written`), one benchmark per trait, graded with each
scenario's own rubric by the evaluation's grader. No training source (written, template fills or mixed)
shares a family or a skeleton with them (`traitrl data stats --json`: eval-train overlap and cosine).
"""

from __future__ import annotations

from functools import partial

from traitrl.catalog import EVAL_TRAITS
from traitrl.evals.benchmark import IN_DISTRIBUTION, Benchmark, BenchmarkItem
from traitrl.evals.scorers import rubric_score


def _items(trait: str) -> list[BenchmarkItem]:
    from traitrl.scenarios.build import interleave
    from traitrl.scenarios.written import load_written

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
        for s in interleave([s for s in load_written("eval") if s.trait == trait], lambda s: s.domain)
    ]


def in_distribution_benchmarks() -> list[Benchmark]:
    return [
        Benchmark(
            id=f"indist_{t}",
            category=IN_DISTRIBUTION,
            scorer="generate",
            source="builtin",
            version="4",  # 4: the written eval scenarios (3: template fills)
            load=partial(_items, t),
            score_response=rubric_score,
            description=f"Held-out written eval scenarios for {t.replace('_', ' ')} (own rubrics).",
        )
        for t in EVAL_TRAITS
    ]
