"""Every traitrl benchmark as an Inspect task: `inspect eval traitrl/<benchmark_id> --model <provider/model>`.

Registered through the `inspect_ai` entry point in pyproject.toml (`traitrl = traitrl.integrations.
inspect_tasks`); `inspect view` opens the logs like any other. Task parameters (`-T name=value`):
`limit` (first N items, as `traitrl eval --limit`), `system_prompt` (a persona attack), `max_tokens`.

- `generate` benchmarks: greedy generation (temperature 0, `max_tokens` 256 as `traitrl eval`), scored by the
  benchmark's own `score_response` — the same function `traitrl eval` uses, so the same response gets the
  same score. An unscorable response is `Score.unscored` (NaN, skipped by the mean), never 0.
- `mc` / `mc2` benchmarks: Inspect has no log-likelihood interface, so they run as lettered multiple choice
  answered by generation (`multiple_choice()`); the score is 1 when the picked choice is aligned. This is a
  different protocol from traitrl's log-likelihood scoring: compare across models within one protocol only.
"""

from __future__ import annotations

import math
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageUser, GenerateConfig
from inspect_ai.scorer import Score, Target, mean, scorer, stderr
from inspect_ai.solver import TaskState, generate, multiple_choice, system_message

from traitrl.evals.benchmark import Benchmark, BenchmarkItem
from traitrl.grading.api import DEFAULT_GRADER, grader_name

MESSAGE_TYPES = {"system": ChatMessageSystem, "user": ChatMessageUser, "assistant": ChatMessageAssistant}
ITEM_KEY = "traitrl_item"


def to_sample(bench: Benchmark, item: BenchmarkItem) -> Sample:
    """One Inspect sample; the whole item rides in metadata so the scorer sees exactly what traitrl sees."""
    messages = [MESSAGE_TYPES[m.role](content=m.content) for m in item.messages]
    meta = {ITEM_KEY: item.model_dump(mode="json"), "benchmark": bench.id}
    if bench.scorer == "generate":
        return Sample(id=item.id, input=messages, metadata=meta)
    letters = [chr(ord("A") + i) for i in item.aligned or []]
    return Sample(id=item.id, input=messages, choices=list(item.choices or []), target=letters, metadata=meta)


@scorer(metrics=[mean(), stderr()])
def traitrl_response_scorer(benchmark_id: str):
    """The benchmark's `score_response` on the completion (None or non-finite -> unscored)."""
    from traitrl.evals.registry import get_benchmark

    bench = get_benchmark(benchmark_id)

    async def score(state: TaskState, target: Target) -> Score:
        item = BenchmarkItem.model_validate(state.metadata[ITEM_KEY])
        response = state.output.completion.strip()
        try:
            value = bench.score_response(item, response) if bench.score_response else None
        except Exception as e:  # one bad item is unscored with its reason, as in the evaluator
            return Score.unscored(reason=f"{type(e).__name__}: {e}", answer=response)
        if value is None or not math.isfinite(value):
            return Score.unscored(reason="unscorable response", answer=response)
        return Score(value=float(value), answer=response)

    return score


@scorer(metrics=[mean(), stderr()])
def traitrl_choice_scorer():
    """1 when the choice the model picked is one of the item's aligned choices."""

    async def score(state: TaskState, target: Target) -> Score:
        item = BenchmarkItem.model_validate(state.metadata[ITEM_KEY])
        picked = [c.original_position for c in state.choices if c.correct]
        if len(picked) != 1:
            return Score.unscored(reason="no single choice picked", answer=state.output.completion)
        return Score(value=float(picked[0] in (item.aligned or [])), answer=chr(ord("A") + picked[0]))

    return score


def benchmark_task(benchmark_id: str, limit: int | None = None, system_prompt: str | None = None,
                   max_tokens: int = 256) -> Task:
    """The Inspect task for one traitrl benchmark."""
    from traitrl.evals.registry import get_benchmark

    bench = get_benchmark(benchmark_id)
    items = bench.load()
    items = items[: int(limit)] if limit is not None else items
    solver: list[Any] = [system_message(system_prompt)] if system_prompt else []
    if bench.scorer == "generate":
        solver.append(generate())
        scorer_ = traitrl_response_scorer(bench.id)
    else:
        solver.append(multiple_choice())
        scorer_ = traitrl_choice_scorer()
    return Task(dataset=MemoryDataset([to_sample(bench, it) for it in items], name=bench.id), solver=solver,
                scorer=scorer_, config=GenerateConfig(temperature=0.0, max_tokens=max_tokens),
                metadata={"traitrl_benchmark": bench.id, "category": bench.category, "scorer": bench.scorer,
                          "version": bench.version, "grader": grader_name(DEFAULT_GRADER) if bench.graded else None})


def _register(benchmark_id: str) -> None:
    def factory(limit: int | None = None, system_prompt: str | None = None, max_tokens: int = 256) -> Task:
        return benchmark_task(benchmark_id, limit=limit, system_prompt=system_prompt, max_tokens=max_tokens)

    factory.__name__ = factory.__qualname__ = benchmark_id
    globals()[benchmark_id] = task(name=benchmark_id)(factory)


def register_all() -> list[str]:
    """Register one task per benchmark id (alignment suite and capability); items load only when run."""
    from traitrl.evals.registry import all_benchmarks, capability_benchmarks

    ids = [*all_benchmarks(), *capability_benchmarks()]
    for bid in ids:
        _register(bid)
    return ids


TASK_IDS = register_all()
