"""The written scenarios: conversations written one by one (not filled from templates), shipped as data.

`scenarios/written/{train,eval}/<trait>.jsonl` hold HealthBench-style rows (messages, rubric of 3-6
natural-language criteria with signed points, at least one negative) plus trait, domain, pressures, split and
`meta` (`agentic`, `prior_mistake`, `system_prompt`, `writer`). Eval rows cover the 7 evaluated traits and
train rows all 15, 10 per trait x domain cell; eval and train were written by different writers, and
`traitrl data stats --json` reports their largest similarity. How they were written: `written/README.md`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from traitrl.errors import InputError
from traitrl.scenarios.load import load_scenarios
from traitrl.types import Scenario

WRITTEN_DIR = Path(__file__).with_name("written")


@lru_cache(maxsize=2)
def _load(split: str) -> tuple[Scenario, ...]:
    rows = load_scenarios(WRITTEN_DIR / split)
    wrong = next((s for s in rows if s.split != split), None)
    if wrong is not None:
        raise InputError(f"scenario {wrong.id!r} has split {wrong.split!r} in the {split} folder",
                         file=str(WRITTEN_DIR / split), field="split")
    return tuple(rows)


def load_written(split: str | None = None) -> list[Scenario]:
    """The written scenarios of `split` ("train", "eval", or None for both), in file order."""
    if split is None:
        return list(_load("train")) + list(_load("eval"))
    if split not in ("train", "eval"):
        raise ValueError(f"unknown split {split!r}; expected 'train' or 'eval'")
    return list(_load(split))
