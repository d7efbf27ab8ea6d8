"""Exports: traitrl JSONL, Hugging Face `datasets` parquet, verl parquet, HealthBench JSONL.

verl rows follow its RL dataset convention: `data_source`, `prompt` (chat messages), `ability`,
`reward_model = {style: "rule", ground_truth: <the scenario as JSON, rubric included>}` and `extra_info`;
the `compute_score` that `traitrl export verl` writes (`training/export_rewards.py`) grades from
`ground_truth` alone. Nested, variably shaped values (rubric, meta) are stored as JSON
strings in parquet so every row has the same Arrow schema.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from traitrl.errors import InputError
from traitrl.files import atomic_write_bytes, atomic_write_jsonl
from traitrl.scenarios.healthbench import write_healthbench
from traitrl.types import Scenario

FORMATS = ("jsonl", "hf", "verl", "healthbench")


def rubric_json(s: Scenario) -> str:
    return json.dumps([r.model_dump(mode="json", exclude_none=True) for r in s.rubric], sort_keys=True)


def hf_row(s: Scenario) -> dict[str, Any]:
    return {"id": s.id, "trait": s.trait, "domain": s.domain, "pressures": s.pressures, "family": s.family,
            "split": s.split, "source": s.source, "prompt": [m.model_dump() for m in s.messages],
            "rubric": rubric_json(s), "reference": s.reference or "",
            "meta": json.dumps(s.meta, sort_keys=True)}


def verl_row(s: Scenario, index: int) -> dict[str, Any]:
    return {"data_source": f"traitrl/{s.trait}", "prompt": [m.model_dump() for m in s.messages],
            "ability": f"trait/{s.trait}",
            "reward_model": {"style": "rule", "ground_truth": s.model_dump_json()},
            "extra_info": {"id": s.id, "index": index, "split": s.split, "trait": s.trait, "domain": s.domain,
                           "family": s.family}}


def write_parquet(rows: list[dict[str, Any]], path: str | Path) -> None:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    atomic_write_bytes(path, buf.getvalue())


def export_scenarios(scenarios: list[Scenario], fmt: str, out: str | Path) -> None:
    """Write `scenarios` to `out` in `fmt` (one of `FORMATS`)."""
    if fmt == "jsonl":
        atomic_write_jsonl(out, scenarios)
    elif fmt == "hf":
        write_parquet([hf_row(s) for s in scenarios], out)
    elif fmt == "verl":
        write_parquet([verl_row(s, i) for i, s in enumerate(scenarios)], out)
    elif fmt == "healthbench":
        write_healthbench(scenarios, out)
    else:
        raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", field="--format")
