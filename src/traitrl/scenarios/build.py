"""The built-in dataset: the written scenarios by default; template fills (deterministic from a seed) on request.

`load_builtin(split, seed, source)`: `source="written"` (default) is the written set (`scenarios/written.py`);
`"templates"` the template families below; `"mixed"` every written scenario plus, per trait x domain cell, at
most as many template fills as written ones (at least half of every cell, so of the pool a trait share draws
from, is written).

Template fills. Training: every trait × domain cell gets `TRAIN_PER_CELL` scenarios from the trait's training families.
Eval: every evaluated trait × domain cell gets `EVAL_PER_CELL` scenarios from eval-only families. A fifth of
the draws are prior-mistake families (an earlier assistant turn with an error); the rest are split between
single-turn and multi-turn pressure families. Each scenario has its own `random.Random` seeded by
(seed, split, trait, domain, index), so the build is reproducible and any cell can be rebuilt alone.

    traitrl data build --out data/scenarios --seed 0
"""

from __future__ import annotations

import random
from collections import Counter
from functools import lru_cache
from typing import Literal, get_args

from traitrl.catalog import DOMAINS, EVAL_TRAITS, TRAITS
from traitrl.scenarios.families import Family, families_for, render
from traitrl.scenarios.written import load_written
from traitrl.types import Scenario

Source = Literal["written", "templates", "mixed"]
SOURCES: tuple[str, ...] = get_args(Source)

TRAIN_PER_CELL = 23
EVAL_PER_CELL = 9
MISTAKE_SHARE = 0.2


def _pick(rng: random.Random, families: list[Family]) -> Family:
    mistakes = [f for f in families if f.is_mistake]
    others = [f for f in families if not f.is_mistake]
    return rng.choice(mistakes if rng.random() < MISTAKE_SHARE else others)


def build_split(split: str, seed: int = 0) -> list[Scenario]:
    traits = TRAITS if split == "train" else EVAL_TRAITS
    per_cell = TRAIN_PER_CELL if split == "train" else EVAL_PER_CELL
    out: list[Scenario] = []
    for trait in traits:
        families = families_for(trait, split)
        for domain in DOMAINS:
            for k in range(per_cell):
                rng = random.Random(f"{seed}:{split}:{trait}:{domain}:{k}")
                out.append(render(_pick(rng, families), domain, rng, f"{split}:{trait}:{domain}:{k:03d}"))
    return out


@lru_cache(maxsize=4)
def _build(seed: int) -> tuple[tuple[Scenario, ...], tuple[Scenario, ...]]:
    return tuple(build_split("train", seed)), tuple(build_split("eval", seed))


def load_templates(split: str | None = None, seed: int = 0) -> list[Scenario]:
    """The template fills (`split` = "train", "eval" or None for both); built once per seed."""
    train, eval_ = _build(seed)
    if split is None:
        return list(train) + list(eval_)
    if split not in ("train", "eval"):
        raise ValueError(f"unknown split {split!r}; expected 'train' or 'eval'")
    return list(train if split == "train" else eval_)


def _mixed(split: str | None, seed: int) -> list[Scenario]:
    written = load_written(split)
    per_cell = Counter((s.split, s.trait, s.domain) for s in written)
    taken: Counter = Counter()
    extra = []
    for s in load_templates(split, seed):
        cell = (s.split, s.trait, s.domain)
        if taken[cell] < per_cell[cell]:
            taken[cell] += 1
            extra.append(s)
    return written + extra


def interleave(scenarios: list[Scenario], key) -> list[Scenario]:
    """One scenario of each `key` value in turn (values sorted), so the first N span every value."""
    groups: dict[str, list[Scenario]] = {}
    for s in scenarios:
        groups.setdefault(key(s), []).append(s)
    queues = [groups[k] for k in sorted(groups)]
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


def load_builtin(split: str | None = None, seed: int = 0, source: Source = "written") -> list[Scenario]:
    """The built-in scenarios of `split` ("train", "eval" or None for both) from `source`."""
    if source == "written":
        return load_written(split)
    if source == "templates":
        return load_templates(split, seed)
    if source == "mixed":
        return _mixed(split, seed)
    raise ValueError(f"unknown scenario source {source!r}; expected one of {', '.join(SOURCES)}")
