"""Content-addressed, resumable stages.

Each stage's output folder is named by a hash of everything that determines it (its settings and the keys
of the stages it reads). A stage writes into `<name>-<key>.partial/` and is published by writing
`DONE.json` there and renaming the folder, so a finished stage is never half-written; a killed one leaves a
`.partial` folder its function may resume from (training checkpoints, cached evaluation items). Rerunning
an experiment skips every finished stage.

The compute type: `DONE.json` records the type the stage's models ran in (`compute_dtype`). The machine's own
choice ("auto": bf16 where it is fast) is not part of a key, so a packed run restored on another machine keeps
its stages; `TRAITRL_DTYPE` is, so asking for another type never reuses a stage computed in the machine's.
`mixed_dtypes` names the types when the stages a run used were computed in more than one.

Crash-safety test hook: with `TRAITRL_TEST_KILL_AT=<point>` in the environment, `kill_point(<point>)`
SIGKILLs the process there (points: `data`, `stage-start:<name>`, `stage-publish:<name>`,
`<train stage>:step<N>`, `after-train:<model>`, `<eval stage>:mid`, `report`; see docs/reliability.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from traitrl.files import atomic_write_json

console = Console(stderr=True)
KILL_ENV = "TRAITRL_TEST_KILL_AT"
# folders still being written: a stage, its packed copy, its restored copy (`experiments/portable.py`)
WORK_SUFFIXES = (".partial", ".packing", ".restoring")


def published(folder: Path) -> bool:
    """Whether a stage folder's name is a published one (a label such as `trait@0.05@s0` has dots of its own)."""
    return folder.suffix not in WORK_SUFFIXES


def kill_point(name: str) -> None:
    """Test hook: die by SIGKILL (no cleanup, like a power cut) when TRAITRL_TEST_KILL_AT names this point."""
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def compute_dtype() -> str:
    """The type this process's models compute in ("bfloat16", "float32", ...), as `load_policy` picks it."""
    from traitrl.models.loading import default_dtype

    return str(default_dtype()).removeprefix("torch.")


def keyed_parts(parts: dict[str, Any]) -> dict[str, Any]:
    """A stage's parts as its key hashes them: with the requested type where `TRAITRL_DTYPE` decides it (on a
    CPU; on CUDA `load_policy` picks bf16 or fp16 whatever it says)."""
    from traitrl.models.loading import requested_dtype

    wanted = requested_dtype()
    return {**parts, "dtype_override": wanted} if wanted else parts


def mixed_dtypes(folders: list[Path]) -> dict[str, int]:
    """Compute type -> number of finished stages in it, when `folders` were computed in more than one type
    (empty otherwise; stages finished before types were recorded count as neither)."""
    counts: dict[str, int] = {}
    for d in dict.fromkeys(folders):  # each folder once
        if dtype := json.loads((d / "DONE.json").read_text()).get("compute_dtype"):
            counts[dtype] = counts.get(dtype, 0) + 1
    return counts if len(counts) > 1 else {}


def stage_key(parts: dict[str, Any]) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


class StageStore:
    def __init__(self, root: Path, on_done: Callable[[Path, bool], None] | None = None) -> None:
        """`on_done(folder, published)` is called for every finished stage: cached (False) or just published
        (True); e.g. to pack it."""
        self.root = Path(root) / "stages"
        self.root.mkdir(parents=True, exist_ok=True)
        self.on_done = on_done
        self.used: list[Path] = []  # the stage folders `run` returned (reused or computed), in order

    def stage_holding(self, path: Path) -> Path:
        """The stage folder a path lies in (a ValueError when it lies in none)."""
        rel = Path(path).resolve().relative_to(self.root.resolve())
        return self.root / rel.parts[0]

    def finished(self) -> list[Path]:
        """The published stage folders, by name."""
        return sorted(d for d in self.root.iterdir() if published(d) and (d / "DONE.json").exists())

    def path(self, name: str, parts: dict[str, Any]) -> Path:
        return self.root / f"{name}-{stage_key(keyed_parts(parts))}"

    def run(self, name: str, parts: dict[str, Any], fn: Callable[[Path], None], dtype: str | None = None) -> Path:
        """Run `fn(work_dir)` unless this stage is already done; return the published folder. `dtype`: the type
        the stage computes in when not the machine's (`compute_dtype`), for its `DONE.json`."""
        final = self.path(name, parts)
        self.used.append(final)
        if (final / "DONE.json").exists():
            console.print(f"[dim]✓ {name} (cached)[/dim]")
            if self.on_done:
                self.on_done(final, False)
            return final
        work = final.with_name(final.name + ".partial")
        work.mkdir(parents=True, exist_ok=True)
        console.print(f"[bold]▶ {name}[/bold]")
        kill_point(f"stage-start:{name}")
        if not (work / "DONE.json").exists():  # killed between finishing and publishing: just publish
            start = time.monotonic()
            fn(work)
            release_memory()
            seconds = time.monotonic() - start
            console.print(f"[dim]  {name} done in {seconds:.0f} s; peak RSS so far {peak_rss_gb():.2f} GB[/dim]")
            # wall seconds of the attempt that finished (a resumed stage: its last attempt), for timings.json
            done = {"stage": name, "parts": keyed_parts(parts), "seconds": round(seconds, 2),
                    "compute_dtype": dtype or compute_dtype()}
            atomic_write_json(work / "DONE.json", done)
        kill_point(f"stage-publish:{name}")
        if final.exists():
            shutil.rmtree(final)
        work.rename(final)
        if self.on_done:
            self.on_done(final, True)
        return final


def peak_rss_gb() -> float:
    """This process's peak resident set size so far, in GB (Linux reports kB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS between stages (glibc keeps them otherwise,
    and a long experiment's RSS then grows with every model it loaded and freed)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
