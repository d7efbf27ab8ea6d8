"""Where traitrl keeps its cache and finds public benchmark data.

`TRAITRL_CACHE` (default `~/.cache/traitrl`) holds the dequantized embedded model, generation and grade
caches. `TRAITRL_DATA` points at the public benchmark data (default: `../shared/data` next to the checkout,
if present).
"""

from __future__ import annotations

import os
from pathlib import Path

from traitrl.errors import ConfigError


def cache_dir() -> Path:
    root = Path(os.environ.get("TRAITRL_CACHE", Path.home() / ".cache" / "traitrl")).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    return root


def data_dir(required: bool = True) -> Path | None:
    """The public benchmark data folder (see shared/data/INDEX.md)."""
    env = os.environ.get("TRAITRL_DATA")
    candidates = [Path(env).expanduser()] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "shared" / "data" for p in here.parents[:5]]
    candidates += [Path.cwd().parent / "shared" / "data"]
    for c in candidates:
        if (c / "INDEX.md").exists() or (env and c.is_dir()):
            return c
    if required:
        raise ConfigError("benchmark data not found: set TRAITRL_DATA to the folder holding the public data")
    return None
