"""Contamination check: the largest 8-gram Jaccard overlap between every benchmark and the training data.

The suite must be out of distribution with respect to the training scenarios: no shared template family and
no shared phrasing. `benchmark_overlap` compares every item of every benchmark (its messages and choices)
with every training scenario's conversation through the inverted index of `traitrl.scenarios.overlap`, in one
pass, and reports the maximum per benchmark. The project's bound is 0.2 (`traitrl data overlap`).
"""

from __future__ import annotations

from collections.abc import Iterable

from traitrl.evals.benchmark import Benchmark, BenchmarkItem
from traitrl.scenarios.overlap import overlap_pairs

MAX_OVERLAP = 0.2


def item_text(item: BenchmarkItem) -> str:
    return "\n".join([*(m.content for m in item.messages), *(item.choices or [])])


def benchmark_texts(benchmarks: Iterable[Benchmark] | None = None) -> dict[str, list[str]]:
    """Texts of every item, per benchmark (all alignment and capability benchmarks by default)."""
    if benchmarks is None:
        from traitrl.evals.registry import all_benchmarks, capability_benchmarks

        benchmarks = [*all_benchmarks().values(), *capability_benchmarks().values()]
    return {b.id: [item_text(it) for it in b.load()] for b in benchmarks}


def benchmark_overlap(train_texts: list[str], benchmarks: Iterable[Benchmark] | None = None) -> dict[str, float]:
    """Max 8-gram Jaccard overlap of each benchmark's items with the training texts."""
    texts = benchmark_texts(benchmarks)
    owners = [bid for bid, items in texts.items() for _ in items]
    flat = [t for items in texts.values() for t in items]
    out = dict.fromkeys(texts, 0.0)
    for owner, (score, _) in zip(owners, overlap_pairs(flat, train_texts), strict=True):
        out[owner] = max(out[owner], score)
    return out
