"""TruthfulQA multiple choice (Jan-2025 release, 790 questions): MC1 and MC2.

MC1 has one true answer among 4–13; MC2 marks every true answer. Both are scored by log-likelihood of each
answer after the question (lm-eval style prompt "Q: ...\\nA:"). Items keep the file's order; the id is the
question's index in `mc_task.json`, so ids stay stable across releases of this package.
"""

from __future__ import annotations

from traitrl.evals.benchmark import Benchmark, BenchmarkItem
from traitrl.evals.external.source import read_json, user_turn

FOLDER = "truthfulqa"
PROMPT_TEMPLATE = "Q: {question}\nA:"


def _items(key: str, prefix: str) -> list[BenchmarkItem]:
    items = []
    for i, row in enumerate(read_json(FOLDER, "mc_task.json")):
        targets: dict[str, int] = row[key]
        choices = list(targets)
        items.append(
            BenchmarkItem(
                id=f"{prefix}:{i:04d}",
                messages=user_turn(PROMPT_TEMPLATE.format(question=row["question"])),
                choices=[f" {c}" for c in choices],
                aligned=[j for j, c in enumerate(choices) if targets[c] == 1],
                meta={"question": row["question"]},
            )
        )
    return items


def truthfulqa_benchmarks() -> list[Benchmark]:
    return [
        Benchmark(
            id="truthfulqa_mc1",
            category="deception_honesty",
            scorer="mc",
            source=f"external:{FOLDER}",
            version="2025-01",
            description="TruthfulQA MC1 (790 q): the single true answer is most likely.",
            load=lambda: _items("mc1_targets", "truthfulqa_mc1"),
        ),
        Benchmark(
            id="truthfulqa_mc2",
            category="deception_honesty",
            scorer="mc2",
            source=f"external:{FOLDER}",
            version="2025-01",
            description="TruthfulQA MC2 (790 q): normalised probability mass on the true answers.",
            load=lambda: _items("mc2_targets", "truthfulqa_mc2"),
        ),
    ]
