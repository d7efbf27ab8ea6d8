"""Shared helpers for the reliability tests: running the CLI in a subprocess, checking written files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def cli_env(cache: Path | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TRAITRL_TEST_KILL_AT", None)
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error", "TOKENIZERS_PARALLELISM": "false",
                "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
                "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NO_COLOR": "1"})
    if cache is not None:
        env["TRAITRL_CACHE"] = str(cache)
    env.update(extra)
    return env


def run_cli(args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """`traitrl ARGS` in a fresh interpreter; returns the completed process (text mode)."""
    return subprocess.run([sys.executable, "-m", "tests.reliability.cli_runner", *args], cwd=cwd or REPO,
                          env=env or cli_env(), capture_output=True, text=True, timeout=timeout)


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def assert_files_whole(root: Path) -> None:
    """Every JSON / JSONL file under `root` parses; no temp files or `.partial` folders are left behind."""
    for p in all_files(root):
        assert not p.name.endswith(".tmp"), f"temp file left behind: {p}"
        if p.suffix == ".json":
            json.loads(p.read_text(encoding="utf-8"))
        elif p.suffix == ".jsonl":
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
                assert line.strip(), f"{p}:{i}: blank line"
                json.loads(line)


def assert_no_duplicate_rows(root: Path) -> None:
    for p in Path(root).rglob("items.jsonl"):
        keys = [(r["benchmark"], r["item_id"]) for r in map(json.loads, p.read_text().splitlines())]
        assert len(keys) == len(set(keys)), f"duplicate item rows in {p}"
    for p in Path(root).rglob("metrics.jsonl"):
        steps = [r["step"] for r in map(json.loads, p.read_text().splitlines())]
        assert steps == sorted(set(steps)), f"duplicate or unordered steps in {p}: {steps}"


def json_diff(a, b, path: str = "") -> list[str]:
    """Paths where two JSON values differ (for readable assertion messages)."""
    if type(a) is not type(b):
        return [f"{path}: {a!r:.120} != {b!r:.120}"]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in one")
            else:
                out += json_diff(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list):
        out = [f"{path}: length {len(a)} != {len(b)}"] if len(a) != len(b) else []
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            out += json_diff(x, y, f"{path}[{i}]")
        return out
    return [] if a == b else [f"{path}: {a!r:.120} != {b!r:.120}"]
