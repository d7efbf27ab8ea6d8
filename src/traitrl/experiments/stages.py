"""Content-addressed, resumable stages.

Each stage's output folder is named by a hash of everything that determines it (its settings and the keys
of the stages it reads). A stage writes into `<name>-<key>.partial/` and is published by writing
`DONE.json` there and renaming the folder, so a finished stage is never half-written; a killed one leaves a
`.partial` folder its function may resume from (training checkpoints, cached evaluation items). Rerunning
an experiment skips every finished stage.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from traitrl.files import atomic_write_json

console = Console(stderr=True)


def stage_key(parts: dict[str, Any]) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


class StageStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root) / "stages"
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, name: str, parts: dict[str, Any]) -> Path:
        return self.root / f"{name}-{stage_key(parts)}"

    def run(self, name: str, parts: dict[str, Any], fn: Callable[[Path], None]) -> Path:
        """Run `fn(work_dir)` unless this stage is already done; return the published folder."""
        final = self.path(name, parts)
        if (final / "DONE.json").exists():
            console.print(f"[dim]✓ {name} (cached)[/dim]")
            return final
        work = final.with_name(final.name + ".partial")
        work.mkdir(parents=True, exist_ok=True)
        console.print(f"[bold]▶ {name}[/bold]")
        fn(work)
        atomic_write_json(work / "DONE.json", {"stage": name, "parts": parts})
        if final.exists():
            shutil.rmtree(final)
        work.rename(final)
        return final
