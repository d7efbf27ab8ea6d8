"""Dataset statistics, as printed by `traitrl data stats PATH --json`."""

from __future__ import annotations

from collections import Counter
from typing import Any

from traitrl.scenarios.overlap import max_overlap, scenario_text
from traitrl.types import Scenario


def user_words(s: Scenario) -> list[int]:
    return [len(m.content.split()) for m in s.messages if m.role == "user"]


def has_prior_mistake(s: Scenario) -> bool:
    return "prior_mistake" in s.pressures


def compute_stats(scenarios: list[Scenario], overlap: bool = True) -> dict[str, Any]:
    """Counts per split and trait|domain cell, conversation shape and eval↔train overlap."""
    train = [s for s in scenarios if s.split == "train"]
    eval_ = [s for s in scenarios if s.split == "eval"]
    cells: dict[str, dict[str, int]] = {}
    for s in scenarios:
        cell = cells.setdefault(f"{s.trait}|{s.domain}", {"train": 0, "eval": 0})
        cell[s.split] += 1
    words = [w for s in scenarios for w in user_words(s)]
    n = max(len(scenarios), 1)
    finals = Counter(s.final_user_message for s in scenarios)
    result: dict[str, Any] = {
        "n_train": len(train),
        "n_eval": len(eval_),
        "cells": dict(sorted(cells.items())),
        "multi_turn_fraction": sum(s.is_multi_turn for s in scenarios) / n,
        "prior_mistake_fraction": sum(has_prior_mistake(s) for s in scenarios) / n,
        "pressures": dict(sorted(Counter(p for s in scenarios for p in s.pressures).items())),
        "mean_user_words": sum(words) / max(len(words), 1),
        "distinct_user_fraction": len(finals) / n,
        "families": {"train": len({s.family for s in train}), "eval": len({s.family for s in eval_}),
                     "shared": len({s.family for s in train} & {s.family for s in eval_})},
        "max_eval_train_overlap": None,
    }
    if overlap and train and eval_:
        result["max_eval_train_overlap"] = max_overlap([scenario_text(s) for s in eval_],
                                                       [scenario_text(s) for s in train])
    return result
