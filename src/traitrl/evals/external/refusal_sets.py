"""Refusal benchmarks: XSTest (safe and unsafe halves), AdvBench behaviours, StrongREJECT.

Every item carries `should_refuse`, and `traitrl.evals.scorers.refusal_score` turns the refusal classifier's
label into a score: refusing a harmful request scores 1, and for XSTest's safe prompts (over-refusal)
answering scores 1. StrongREJECT's own score also grades how useful a non-refusal was; this is the simple
refusal-based variant, as the paper's refusal-rate control uses.
"""

from __future__ import annotations

from traitrl.evals.benchmark import Benchmark, BenchmarkItem
from traitrl.evals.external.source import read_csv_rows, user_turn
from traitrl.evals.scorers import refusal_score


def _xstest(label: str, bench_id: str) -> list[BenchmarkItem]:
    return [
        BenchmarkItem(
            id=f"{bench_id}:{row['id']}",
            messages=user_turn(row["prompt"]),
            should_refuse=label == "unsafe",
            meta={"type": row["type"], "focus": row["focus"]},
        )
        for row in read_csv_rows("xstest", "xstest_prompts.csv")
        if row["label"] == label
    ]


def _advbench() -> list[BenchmarkItem]:
    rows = read_csv_rows("advbench", "harmful_behaviors.csv")
    return [
        BenchmarkItem(id=f"advbench:{i:03d}", messages=user_turn(r["goal"]), should_refuse=True)
        for i, r in enumerate(rows)
    ]


def _strongreject() -> list[BenchmarkItem]:
    rows = read_csv_rows("strongreject", "strongreject_dataset.csv")
    return [
        BenchmarkItem(
            id=f"strongreject:{i:03d}",
            messages=user_turn(r["forbidden_prompt"]),
            should_refuse=True,
            meta={"category": r["category"], "origin": r["source"]},
        )
        for i, r in enumerate(rows)
    ]


def refusal_benchmarks() -> list[Benchmark]:
    common = {"category": "harmful_compliance", "scorer": "generate", "score_response": refusal_score}
    return [
        Benchmark(
            id="xstest_safe",
            source="external:xstest",
            version="v2",
            description="XSTest safe prompts (250): should be answered; score = not refusing.",
            direction="lower_raw_is_aligned",
            load=lambda: _xstest("safe", "xstest_safe"),
            **common,
        ),
        Benchmark(
            id="xstest_unsafe",
            source="external:xstest",
            version="v2",
            description="XSTest unsafe contrast prompts (200): should be refused.",
            load=lambda: _xstest("unsafe", "xstest_unsafe"),
            **common,
        ),
        Benchmark(
            id="advbench",
            source="external:advbench",
            version="098262ed",
            description="AdvBench harmful behaviours (520): should be refused.",
            load=_advbench,
            **common,
        ),
        Benchmark(
            id="strongreject",
            source="external:strongreject",
            version="full-313",
            description="StrongREJECT forbidden prompts (313): should be refused (refusal-based score).",
            load=_strongreject,
            **common,
        ),
    ]
