"""Reading the shared public data for the external adapters.

Every adapter reads through `dataset_path`, so a missing folder fails with one line naming the file and the
`TRAITRL_DATA` setting; nothing is copied into the repository. CSV and JSON are parsed with the standard
library; JSONL goes through `traitrl.files` so a bad row names its line.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from traitrl.errors import InputError
from traitrl.files import iter_jsonl_rows
from traitrl.settings import data_dir
from traitrl.types import Message


def dataset_path(folder: str, *parts: str) -> Path:
    """Path of a file inside one shared dataset folder; fails at once if absent."""
    root = data_dir(required=True)
    assert root is not None
    path = root.joinpath(folder, *parts)
    if not path.exists():
        raise InputError(f"benchmark data missing (see {folder}/README.md; set TRAITRL_DATA)", file=str(path))
    return path


def read_csv_rows(folder: str, *parts: str) -> list[dict[str, str]]:
    path = dataset_path(folder, *parts)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_json(folder: str, *parts: str) -> Any:
    path = dataset_path(folder, *parts)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise InputError(f"invalid JSON ({e})", file=str(path)) from None


def read_jsonl_objects(folder: str, *parts: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for every row of a JSONL file."""
    path = dataset_path(folder, *parts)
    rows = []
    for lineno, obj in iter_jsonl_rows(path):
        if not isinstance(obj, dict):
            raise InputError("row is not a JSON object", file=str(path), line=lineno)
        rows.append((lineno, obj))
    return rows


def user_turn(text: str, system: str | None = None) -> list[Message]:
    """A one-turn conversation, optionally with a system prompt."""
    msgs = [Message(role="system", content=system)] if system else []
    return [*msgs, Message(role="user", content=text)]
