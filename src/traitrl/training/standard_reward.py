"""The TRL reward function for standard rows: `score_task` on each completion, None on trait rows.

TRL 1.16 (`GRPOTrainer._calculate_rewards`) turns None into NaN and sums reward functions with `nansum`, so a
row scored by exactly one function gets that function's reward; a row no function scores is left out of the
group baseline and gets zero advantage. The mixture therefore pairs `standard_reward` (standard rows) with
`trait_reward` or `helpfulness_reward` (trait rows), and each returns None where it does not apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from traitrl.training.standard_tasks import TASKS, score_task


def completion_text(completion: Any) -> str:
    """Text of a TRL completion: a plain string, or a list of messages (conversational datasets)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    return "".join(str(m.get("content") or "") for m in completion
                   if m.get("role", "assistant") == "assistant")


def standard_reward(prompts: Sequence[Any], completions: Sequence[Any],
                    task: Sequence[str | None] | None = None,
                    spec: Sequence[str | None] | None = None, **_: Any) -> list[float | None]:
    """Graded reward in [0, 1] for `constraints` / `arithmetic` rows; None for every other row."""
    n = len(completions)
    tasks = list(task) if task is not None else [None] * n
    specs = list(spec) if spec is not None else [None] * n
    out: list[float | None] = []
    for t, s, c in zip(tasks, specs, completions, strict=True):
        out.append(score_task(t, s, completion_text(c)) if t in TASKS and s else None)
    return out
