"""The built-in dataset: deterministic from a seed, cached in memory.

Training: every trait × domain cell gets `TRAIN_PER_CELL` scenarios from the trait's training families.
Eval: every evaluated trait × domain cell gets `EVAL_PER_CELL` scenarios from eval-only families. A fifth of
the draws are prior-mistake families (an earlier assistant turn with an error); the rest are split between
single-turn and multi-turn pressure families. Each scenario has its own `random.Random` seeded by
(seed, split, trait, domain, index), so the build is reproducible and any cell can be rebuilt alone.

    traitrl data build --out data/scenarios --seed 0
"""

from __future__ import annotations

import random
from functools import lru_cache

from traitrl.catalog import DOMAINS, EVAL_TRAITS, TRAITS
from traitrl.scenarios.families import Family, families_for, render
from traitrl.types import Scenario

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


def load_builtin(split: str | None = None, seed: int = 0) -> list[Scenario]:
    """The built-in scenarios (`split` = "train", "eval" or None for both); built once per seed."""
    train, eval_ = _build(seed)
    if split is None:
        return list(train) + list(eval_)
    if split not in ("train", "eval"):
        raise ValueError(f"unknown split {split!r}; expected 'train' or 'eval'")
    return list(train if split == "train" else eval_)
