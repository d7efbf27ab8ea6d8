"""Exports: traitrl JSONL, Hugging Face `datasets` parquet, verl parquet, HealthBench JSONL.

`--split train|eval|all` picks the scenarios; train and held-out eval never share a file. `jsonl` and
`healthbench` write one file; `hf` and `verl` write a folder with `train.parquet` and/or `eval.parquet`, and
`hf` adds a dataset card (`README.md`) whose `configs` name both, so `datasets.load_dataset(FOLDER)` is a
`DatasetDict` with `train` and `eval` splits (and the folder can be pushed to the Hub as it is).

verl rows follow its RL dataset convention: `data_source` (`traitrl/<trait>`: the exported `compute_score`
routes on this prefix), `prompt` (chat messages), `ability`,
`reward_model = {style: "rule", ground_truth: <the scenario as JSON, rubric included>}` and `extra_info`;
the `compute_score` that `traitrl export verl` writes (`training/export_rewards.py`) grades from
`ground_truth` alone. Nested, variably shaped values (rubric, meta) are stored as JSON
strings in parquet so every row has the same Arrow schema. `scenario_from_hf_row` reads an `hf` row back.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from traitrl.errors import InputError
from traitrl.files import atomic_write_bytes, atomic_write_jsonl, atomic_write_text
from traitrl.scenarios.healthbench import write_healthbench
from traitrl.types import Scenario

FORMATS = ("jsonl", "hf", "verl", "healthbench")
SPLITS = ("train", "eval", "all")
ExportSplit = Literal["train", "eval", "all"]
TRAIT_SOURCE_PREFIX = "traitrl/"

HF_CARD = """---
configs:
- config_name: default
  data_files:
{files}
---
# traitrl trait scenarios

Written by `traitrl data export --format hf`. Splits: {splits}. `rubric` and `meta` are JSON strings; the
trait reward for TRL reads these columns (`from traitrl.training.reward import trait_reward`).
"""


def rubric_json(s: Scenario) -> str:
    return json.dumps([r.model_dump(mode="json", exclude_none=True) for r in s.rubric], sort_keys=True)


def hf_row(s: Scenario) -> dict[str, Any]:
    return {"id": s.id, "trait": s.trait, "domain": s.domain, "pressures": s.pressures, "family": s.family,
            "split": s.split, "source": s.source, "prompt": [m.model_dump() for m in s.messages],
            "rubric": rubric_json(s), "reference": s.reference or "",
            "meta": json.dumps(s.meta, sort_keys=True)}


def scenario_from_hf_row(row: Mapping[str, Any], messages: Sequence[Any] | None = None) -> Scenario:
    """The scenario an `hf_row` was written from (`messages`: the conversation, when it is not in `row`)."""
    meta = row.get("meta")
    return Scenario.model_validate({
        "id": row["id"], "trait": row["trait"], "domain": row["domain"], "pressures": row.get("pressures") or [],
        "family": row["family"], "split": row.get("split") or "train", "source": row.get("source") or "builtin",
        "messages": list(messages if messages is not None else row["prompt"]),
        "rubric": json.loads(row["rubric"]) if isinstance(row["rubric"], str) else row["rubric"],
        "reference": row.get("reference") or None,
        "meta": json.loads(meta) if isinstance(meta, str) and meta else (meta or {})})


def verl_row(s: Scenario, index: int = 0) -> dict[str, Any]:
    return {"data_source": f"{TRAIT_SOURCE_PREFIX}{s.trait}", "prompt": [m.model_dump() for m in s.messages],
            "ability": f"trait/{s.trait}",
            "reward_model": {"style": "rule", "ground_truth": s.model_dump_json()},
            "extra_info": {"id": s.id, "index": index, "split": s.split, "trait": s.trait, "domain": s.domain,
                           "family": s.family}}


def parquet_bytes(rows: list[dict[str, Any]]) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    return buf.getvalue()


def write_parquet(rows: list[dict[str, Any]], path: str | Path) -> None:
    atomic_write_bytes(path, parquet_bytes(rows))


def select_split(scenarios: list[Scenario], split: str) -> dict[str, list[Scenario]]:
    """The scenarios of each split asked for (`all`: train and eval, kept apart; an empty one left out)."""
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}", field="--split")
    if split != "all":
        return {split: [s for s in scenarios if s.split == split]}
    parts = {name: [s for s in scenarios if s.split == name] for name in ("train", "eval")}
    return {name: part for name, part in parts.items() if part} or parts


def export_scenarios(scenarios: list[Scenario], fmt: str, out: str | Path, split: str = "all") -> dict[str, Path]:
    """Write `scenarios` of `split` to `out` in `fmt` (one of `FORMATS`); returns the files by split name."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", field="--format")
    parts = select_split(scenarios, split)
    out = Path(out)
    if fmt in ("jsonl", "healthbench"):
        rows = [s for part in parts.values() for s in part]
        if fmt == "jsonl":
            atomic_write_jsonl(out, rows)
        else:
            write_healthbench(rows, out)
        return {split: out}
    if out.exists() and not out.is_dir():
        raise InputError(f"--format {fmt} writes a folder (train.parquet, eval.parquet), but this is a file",
                         file=str(out), field="--out")
    blobs = {name: parquet_bytes([hf_row(s) if fmt == "hf" else verl_row(s, i) for i, s in enumerate(part)])
             for name, part in parts.items()}  # every file built before the first is written
    paths = {name: out / f"{name}.parquet" for name in parts}
    for name, blob in blobs.items():
        atomic_write_bytes(paths[name], blob)
    if fmt == "hf":
        files = "\n".join(f"  - split: {name}\n    path: {name}.parquet" for name in parts)
        atomic_write_text(out / "README.md", HF_CARD.format(files=files, splits=", ".join(parts)))
    return paths
