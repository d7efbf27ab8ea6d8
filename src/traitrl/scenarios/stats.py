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


def shape(scenarios: list[Scenario]) -> dict[str, Any]:
    """Conversation shape and rubric form of a set of scenarios (fractions of the set)."""
    n = max(len(scenarios), 1)
    rubric_sizes = [len(s.rubric) for s in scenarios]
    return {
        "n": len(scenarios),
        "multi_turn_fraction": sum(s.is_multi_turn for s in scenarios) / n,
        "prior_mistake_fraction": sum(has_prior_mistake(s) for s in scenarios) / n,
        "system_prompt_fraction": sum(s.messages[0].role == "system" for s in scenarios) / n,
        "agentic_fraction": sum(bool(s.meta.get("agentic")) for s in scenarios) / n,
        "pressure_kinds": len({p for s in scenarios for p in s.pressures}),
        "turns_min_max": [min((len(s.messages) for s in scenarios), default=0),
                          max((len(s.messages) for s in scenarios), default=0)],
        "criteria_min_max": [min(rubric_sizes, default=0), max(rubric_sizes, default=0)],
        "with_negative_item_fraction": sum(any(i.points < 0 for i in s.rubric) for s in scenarios) / n,
    }


def max_eval_train_cosine(eval_: list[Scenario], train: list[Scenario]) -> float:
    """Largest cosine similarity (MiniLM sentence embeddings) between any eval and any train scenario."""
    from traitrl.models.embedded import load_embedder

    model = load_embedder()
    encode = lambda xs: model.encode([scenario_text(s) for s in xs], batch_size=32, normalize_embeddings=True,  # noqa: E731
                                     convert_to_tensor=True, show_progress_bar=False)
    return float((encode(eval_) @ encode(train).T).max())


def compute_stats(scenarios: list[Scenario], overlap: bool = True, similarity: bool = False) -> dict[str, Any]:
    """Counts per split, source and trait|domain cell, conversation shape, rubric form, eval↔train overlap
    (8-gram Jaccard) and, with `similarity`, the largest eval↔train MiniLM cosine."""
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
        "sources": {src: dict(Counter(s.split for s in scenarios if s.source == src))
                    for src in sorted({s.source for s in scenarios})},
        "written": {split: shape([s for s in scenarios if s.source == "written" and s.split == split])
                    for split in ("train", "eval")},
        "max_eval_train_cosine": None,
    }
    if overlap and train and eval_:
        result["max_eval_train_overlap"] = max_overlap([scenario_text(s) for s in eval_],
                                                       [scenario_text(s) for s in train])
    if similarity and train and eval_:
        result["max_eval_train_cosine"] = max_eval_train_cosine(eval_, train)
    return result
