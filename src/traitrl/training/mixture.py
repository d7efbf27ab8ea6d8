"""The mixing rule: trait scenarios REPLACE a share of the standard rows (replacement, not addition).

    rows = build_mixture(standard_rows, scenarios, n_rows=256, trait_share=0.05, seed=0)

1. The baseline sequence is the first `n_rows` of the standard rows after a seeded shuffle; it does not
   depend on `trait_share`, so every arm starts from the same sequence.
2. Exactly `round(n_rows * trait_share)` positions, the first ones of a seeded permutation of positions, are
   replaced by trait rows. Positions are nested: a larger share replaces a superset of a smaller share's.
3. Every other position keeps its baseline row, in place. With `shuffle_dataset=False` in the trainer, step
   k of the trait arm sees the baseline's step-k prompts except the replaced ones: compute-matched and
   data-matched. `trait_share=0` *is* the baseline arm.

Trait rows carry the scenario conversation as `prompt` (ending with the user turn), `task="trait"`,
`spec=None` and `scenario_id`; scenarios are drawn in a seeded order, cycling when more rows than scenarios
are needed; `make_row` gives them another layout (the verl and OpenRLHF exports pass their own). Domain/trait
variants (health-only, no health or science) pass a pre-filtered scenario list,
e.g. `filter_scenarios(scenarios, domains=["health"])`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence

from traitrl.types import Scenario

TRAIT_TASK = "trait"


def trait_row(scenario: Scenario) -> dict:
    return {"prompt": [{"role": m.role, "content": m.content} for m in scenario.messages], "task": TRAIT_TASK,
            "spec": None, "scenario_id": scenario.id, "row_id": f"trait-{scenario.id}"}


def n_trait_rows(n_rows: int, trait_share: float) -> int:
    if not 0.0 <= trait_share <= 1.0:
        raise ValueError(f"trait_share must lie in [0, 1], got {trait_share}")
    return int(round(n_rows * trait_share))


def baseline_rows(standard_rows: Sequence[dict], n_rows: int, seed: int) -> list[dict]:
    """The 100%-standard sequence every arm starts from."""
    if n_rows > len(standard_rows):
        raise ValueError(f"asked for {n_rows} rows but only {len(standard_rows)} standard rows were given")
    order = list(range(len(standard_rows)))
    random.Random(f"traitrl-mixture-standard-{seed}").shuffle(order)
    return [dict(standard_rows[i]) for i in order[:n_rows]]


def replaced_positions(n_rows: int, n_trait: int, seed: int) -> list[int]:
    """The positions a trait share replaces (nested across shares for the same seed)."""
    order = list(range(n_rows))
    random.Random(f"traitrl-mixture-positions-{seed}").shuffle(order)
    return sorted(order[:n_trait])


def build_mixture(standard_rows: Sequence[dict], trait_scenarios: Sequence[Scenario], n_rows: int,
                  trait_share: float, seed: int = 0,
                  make_row: Callable[[Scenario], dict] = trait_row) -> list[dict]:
    """`n_rows` rows: exactly `round(n_rows*trait_share)` trait rows, the baseline's rows elsewhere."""
    rows = baseline_rows(standard_rows, n_rows, seed)
    n_trait = n_trait_rows(n_rows, trait_share)
    if n_trait == 0:
        return rows
    if not trait_scenarios:
        raise ValueError("trait_share > 0 but no trait scenarios were given (check the domain/trait filters)")
    pool = sorted(trait_scenarios, key=lambda s: s.id)
    random.Random(f"traitrl-mixture-scenarios-{seed}").shuffle(pool)
    for k, pos in enumerate(replaced_positions(n_rows, n_trait, seed)):
        rows[pos] = make_row(pool[k % len(pool)])
    return rows


def filter_scenarios(scenarios: Iterable[Scenario], *, domains: Sequence[str] | None = None,
                     exclude_domains: Sequence[str] = (),
                     traits: Sequence[str] | None = None) -> list[Scenario]:
    """Keep scenarios in `domains` (all if None), not in `exclude_domains`, with a trait in `traits`."""
    return [s for s in scenarios
            if (domains is None or s.domain in domains) and s.domain not in exclude_domains
            and (traits is None or s.trait in traits)]


def mixture_summary(rows: Sequence[dict]) -> dict[str, int]:
    """Row counts by task, for logs and the run folder."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["task"]] = counts.get(r["task"], 0) + 1
    return counts
