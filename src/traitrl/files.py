"""Reading validated JSONL/YAML and writing files atomically.

Every file the project reads passes through here, so every error names the file, the line and the field,
and every file it writes appears whole or not at all (temp file in the same folder, then `os.replace`).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from traitrl.errors import InputError

M = TypeVar("M", bound=BaseModel)

MAX_LINE_BYTES = 10_000_000
MAX_JSON_DEPTH = 64


def _depth(obj: Any, limit: int = MAX_JSON_DEPTH) -> int:
    stack = [(obj, 1)]
    deepest = 0
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((v, d + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, d + 1) for v in node)
    return deepest


def _first_non_finite(obj: Any) -> tuple[str, float] | None:
    """Dotted path and value of the first NaN/Infinity (including overflowing literals like 1e999)."""
    stack: list[tuple[Any, tuple]] = [(obj, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            return ".".join(map(str, path)) or "<row>", node
        if isinstance(node, dict):
            stack.extend((v, (*path, k)) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in reversed(list(enumerate(node))))
    return None


def loads_strict(text: str, one_line: bool = False) -> Any:
    """`json.loads` that rejects NaN/Infinity (naming where they are) and absurd nesting. `one_line`: `text` is
    one JSONL line, whose file line the caller names, so a syntax error gives only its column (json's own
    "line 2" would count the line break at its end)."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        if not one_line:
            raise
        where = f"at column {e.colno}" if e.lineno == 1 else "at the end of the line"
        raise ValueError(f"{e.msg} {where}") from None
    if _depth(obj) > MAX_JSON_DEPTH:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    bad = _first_non_finite(obj)
    if bad is not None:
        raise ValueError(f"non-finite number {bad[1]} at {bad[0]} is not allowed")
    return obj


def validation_message(err: ValidationError) -> tuple[str, str]:
    """First pydantic error as (dotted field path, message)."""
    first = err.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or "<row>"
    return field, first.get("msg", "invalid value").removeprefix("Value error, ")


def require_file(path: Path) -> None:
    """A path the user gave to read: it must exist and be a file."""
    if not path.exists():
        raise InputError("file not found", file=str(path))
    if path.is_dir():
        raise InputError("is a folder, expected a file", file=str(path))


def iter_jsonl_rows(path: str | Path) -> Iterator[tuple[int, Any]]:
    """Yield (line number, parsed JSON) for every non-blank line; errors name file and line."""
    path = Path(path)
    require_file(path)
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if len(raw) > MAX_LINE_BYTES:
                raise InputError(f"line longer than {MAX_LINE_BYTES} bytes", file=str(path), line=lineno)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise InputError(f"not valid UTF-8 ({e.reason})", file=str(path), line=lineno) from None
            if not text.strip():
                continue
            try:
                yield lineno, loads_strict(text, one_line=True)
            except (ValueError, RecursionError) as e:
                raise InputError(f"invalid JSON ({e})", file=str(path), line=lineno) from None


def check_output_folder(path: str | Path, option: str = "--out") -> None:
    """Fail before any work when `path` cannot become a folder: it, or a folder above it, is a file."""
    for p in (Path(path), *Path(path).parents):
        if p.exists():
            if not p.is_dir():
                raise InputError("is a file, expected a folder", file=str(p), field=option)
            return


def read_jsonl_numbered(path: str | Path, model: type[M]) -> list[tuple[int, M]]:
    """Read a JSONL file, validating every row against `model`: (line number, row) pairs, for checks across
    rows that must name the line."""
    rows: list[tuple[int, M]] = []
    for lineno, obj in iter_jsonl_rows(path):
        try:
            rows.append((lineno, model.model_validate(obj)))
        except ValidationError as e:
            field, msg = validation_message(e)
            raise InputError(msg, file=str(path), line=lineno, field=field) from None
    return rows


def read_jsonl(path: str | Path, model: type[M]) -> list[M]:
    """Read a JSONL file, validating every row against `model`."""
    return [row for _, row in read_jsonl_numbered(path, model)]


class _UniqueKeyLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that refuses a key given twice in one mapping (YAML keeps the last, silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice (lines {seen[key]} and {line})", key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file; syntax errors and a key given twice name the line."""
    path = Path(path)
    require_file(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"not valid UTF-8 ({e.reason})", file=str(path)) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise InputError(f"invalid YAML ({problem})", file=str(path), line=line) from None


def load_yaml_model(path: str | Path, model: type[M]) -> M:
    """Read a YAML file into a pydantic model, errors naming the offending key."""
    data = read_yaml(path)
    if data is None:  # an empty file is a mistake (a wrong path, a truncated copy), not "all defaults"
        raise InputError("the file is empty", file=str(path))
    try:
        return model.model_validate(data)
    except ValidationError as e:
        field, msg = validation_message(e)
        line = _yaml_key_line(path, field)
        raise InputError(msg, file=str(path), line=line, field=field) from None


def _yaml_key_line(path: str | Path, field: str) -> int | None:
    """Line of a dotted field path (`train.seed`, `arms.2`) in the YAML file: the path is followed through the
    parsed document, so a nested key is not confused with a key of the same name elsewhere; where the path
    stops existing (a missing field), the line of the deepest part that exists; None if none does."""
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return None
    line = None
    for part in field.split("."):
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            break
    return line


def current_umask() -> int:
    """The process umask, read without changing it (Linux /proc), else by setting and restoring it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes, exclusive: bool = False) -> None:
    """Write `data` to `path` whole or not at all, with the mode a plain `open()` would give (0o666 & ~umask;
    `mkstemp` alone creates 0o600, unreadable by Ray workers under another user or by a shared group).
    `exclusive`: never replace an existing file (FileExistsError instead), so of processes writing at once the
    first one's file stays."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | Path, text: str, exclusive: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), exclusive)


def json_safe(obj: Any) -> Any:
    """Replace non-finite floats (NaN = missing) with None, recursively, so the JSON stays standard."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    return obj


def atomic_write_json(path: str | Path, obj: Any, exclusive: bool = False) -> None:
    text = json.dumps(json_safe(obj), indent=2, sort_keys=True, allow_nan=False, default=_jsonable)
    atomic_write_text(path, text + "\n", exclusive)


def atomic_write_jsonl(path: str | Path, rows: Iterable[Any]) -> None:
    lines = []
    for row in rows:
        if isinstance(row, BaseModel):
            row = row.model_dump(mode="json", exclude_none=True)
        lines.append(json.dumps(row, ensure_ascii=False, allow_nan=False, default=_jsonable))
    atomic_write_text(path, "\n".join(lines) + ("\n" if lines else ""))


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item"):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
