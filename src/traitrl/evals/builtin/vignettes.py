"""Machinery for the built-in procedural benchmarks: cases × frames → deterministic items.

A built-in benchmark is a list of hand-written cases (a situation, an aligned continuation, a misaligned
one) crossed with a bank of frames (names, organisations, numbers) so that each case appears in several
surface forms. The choice order is fixed per item by a hash of its id, so the aligned answer is not always
first and items never change between runs. Bump a benchmark's `version` whenever its cases change.

These are written as short second-person dilemmas and third-person vignettes, deliberately unlike the
conversational training scenarios (no shared template families or phrasing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import NamedTuple

from traitrl.evals.benchmark import Benchmark, BenchmarkItem, Category
from traitrl.types import Message, RubricItem

MIN_ITEMS = 40


class Case(NamedTuple):
    """One situation; strings may use the frame slots {name}, {other}, {org}, {n}, {m}."""

    prompt: str
    aligned: str
    misaligned: str


FRAMES: list[dict[str, str]] = [
    {"name": "Priya", "other": "Tomás", "org": "a regional logistics firm", "n": "3", "m": "12"},
    {"name": "Kwame", "other": "Ingrid", "org": "a city hospital network", "n": "5", "m": "40"},
    {"name": "Mei", "other": "Dmitri", "org": "a small accounting practice", "n": "2", "m": "7"},
    {"name": "Alejandro", "other": "Fatima", "org": "an online retailer", "n": "4", "m": "25"},
    {"name": "Siobhan", "other": "Rahul", "org": "a university research lab", "n": "6", "m": "90"},
    {"name": "Yusuf", "other": "Hannah", "org": "a municipal water utility", "n": "8", "m": "15"},
    {"name": "Lucía", "other": "Kenji", "org": "a mid-sized insurance company", "n": "10", "m": "60"},
    {"name": "Olamide", "other": "Greta", "org": "a video game studio", "n": "7", "m": "30"},
]


def stable_flip(item_id: str) -> bool:
    """Deterministic coin flip from an item id (puts the aligned choice first or second)."""
    return hashlib.sha256(item_id.encode()).digest()[0] % 2 == 1


def mc_item(
    item_id: str, messages: list[Message], aligned: str, misaligned: str, meta: dict | None = None
) -> BenchmarkItem:
    """A two-choice item whose continuations are prefixed with a space (log-likelihood scoring)."""
    pair = [f" {aligned.strip()}", f" {misaligned.strip()}"]
    flip = stable_flip(item_id)
    choices = pair[::-1] if flip else pair
    return BenchmarkItem(
        id=item_id, messages=messages, choices=choices, aligned=[1 if flip else 0], meta=meta or {}
    )


def conversation(*turns: str, system: str | None = None) -> list[Message]:
    """Alternating user/assistant turns starting with the user; must end with a user turn."""
    msgs = [Message(role="system", content=system)] if system else []
    roles = ["user", "assistant"]
    msgs += [Message(role=roles[i % 2], content=t) for i, t in enumerate(turns)]  # type: ignore[arg-type]
    return msgs


def case_items(
    bench_id: str, cases: Sequence[Case], frames: Sequence[dict[str, str]] = FRAMES, system: str | None = None
) -> list[BenchmarkItem]:
    """Every case under every frame, as two-choice items."""
    items = []
    for i, case in enumerate(cases):
        for j, frame in enumerate(frames):
            items.append(
                mc_item(
                    f"{bench_id}:{i:02d}-{j}",
                    conversation(case.prompt.format(**frame), system=system),
                    case.aligned.format(**frame),
                    case.misaligned.format(**frame),
                    meta={"case": i, "frame": j},
                )
            )
    return items


def rubric_items(
    bench_id: str,
    prompts: Sequence[str],
    rubric: list[RubricItem],
    frames: Sequence[dict[str, str]] = FRAMES,
    meta: dict | None = None,
) -> list[BenchmarkItem]:
    """Every prompt under every frame, as generate items graded by one shared rubric."""
    return [
        BenchmarkItem(
            id=f"{bench_id}:{i:02d}-{j}",
            messages=conversation(p.format(**f)),
            rubric=rubric,
            meta={"case": i, "frame": j, **(meta or {})},
        )
        for i, p in enumerate(prompts)
        for j, f in enumerate(frames)
    ]


def mc_benchmark(
    bench_id: str,
    category: Category,
    description: str,
    cases: Sequence[Case],
    version: str = "1",
    frames: Sequence[dict[str, str]] = FRAMES,
) -> Benchmark:
    """A built-in two-choice benchmark from cases × frames."""
    return Benchmark(
        id=bench_id,
        category=category,
        scorer="mc",
        source="builtin",
        version=version,
        description=description,
        load=lambda: case_items(bench_id, cases, frames),
    )


def generated_benchmark(
    bench_id: str,
    category: Category,
    description: str,
    load: Callable[[], list[BenchmarkItem]],
    version: str = "1",
    scorer: str = "mc",
    score_response: Callable[[BenchmarkItem, str], float | None] | None = None,
    grader: str | None = None,
) -> Benchmark:
    """A built-in benchmark whose items come from a procedural generator (`grader`: see `Benchmark.grader`)."""
    return Benchmark(
        id=bench_id,
        category=category,
        scorer=scorer,
        source="builtin",  # type: ignore[arg-type]
        version=version,
        description=description,
        load=load,
        score_response=score_response,
        grader=grader,
    )
