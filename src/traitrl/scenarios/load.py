"""Reading scenario files: a directory holding train.jsonl / eval.jsonl, or a single JSONL file.

`check_files` validates every row and collects every problem (bad JSON, a missing or invalid field,
duplicate ids across the files) as `InputError`s naming file, line and field; `load_scenarios` raises the
first one. Both back `traitrl data validate`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from traitrl.errors import InputError
from traitrl.files import MAX_LINE_BYTES, loads_strict, validation_message
from traitrl.types import Scenario

SPLIT_FILES = ("train.jsonl", "eval.jsonl")


def resolve_paths(path: str | Path) -> list[Path]:
    """The JSONL files a PATH argument stands for: a file; a folder's train.jsonl and eval.jsonl; else every
    `*.jsonl` under the folder (e.g. the written scenarios' `train/<trait>.jsonl`, `eval/<trait>.jsonl`)."""
    path = Path(path)
    if path.is_dir():
        files = [path / name for name in SPLIT_FILES if (path / name).exists()] or sorted(path.rglob("*.jsonl"))
        if not files:
            raise InputError("directory holds no .jsonl file", file=str(path))
        return files
    if not path.exists():
        raise InputError("file not found", file=str(path))
    return [path]


def _check_line(path: Path, lineno: int, raw: bytes) -> Scenario | InputError | None:
    where = {"file": str(path), "line": lineno}
    if len(raw) > MAX_LINE_BYTES:
        return InputError(f"line longer than {MAX_LINE_BYTES} bytes", **where)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return InputError(f"not valid UTF-8 ({e.reason})", **where)
    if not text.strip():
        return None
    try:
        obj = loads_strict(text, one_line=True)
    except (ValueError, RecursionError) as e:
        return InputError(f"invalid JSON ({e})", **where)
    try:
        return Scenario.model_validate(obj)
    except ValidationError as e:
        field, msg = validation_message(e)
        return InputError(msg, field=field, **where)


def check_files(path: str | Path) -> tuple[list[Scenario], list[InputError]]:
    """Every valid scenario under `path`, and every error found (nothing raised for bad rows)."""
    scenarios: list[Scenario] = []
    errors: list[InputError] = []
    seen: dict[str, str] = {}
    for file in resolve_paths(path):
        with open(file, "rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                result = _check_line(file, lineno, raw)
                if isinstance(result, InputError):
                    errors.append(result)
                elif result is not None:
                    if result.id in seen:
                        errors.append(InputError(f"duplicate id {result.id!r} (first at {seen[result.id]})",
                                                 file=str(file), line=lineno, field="id"))
                        continue
                    seen[result.id] = f"{file}:{lineno}"
                    scenarios.append(result)
    if not scenarios and not errors:  # an empty file is a mistake to report, not zero scenarios to process
        errors.append(InputError("holds no scenarios", file=str(path)))
    return scenarios, errors


def load_scenarios(path: str | Path) -> list[Scenario]:
    """All scenarios under `path`; raises the first `InputError`."""
    scenarios, errors = check_files(path)
    if errors:
        raise errors[0]
    return scenarios
