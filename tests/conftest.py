"""Shared fixtures: an isolated cache per session (models are built once and reused), quiet libraries."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
if "TRAITRL_DATA" not in os.environ and SHARED_DATA.exists():
    os.environ["TRAITRL_DATA"] = str(SHARED_DATA)


@pytest.fixture(scope="session")
def tiny_model_path() -> Path:
    from traitrl.models.tiny import tiny_llama_path

    return tiny_llama_path()


@pytest.fixture(scope="session")
def embedded_model_path() -> Path:
    from traitrl.models.embedded import policy_path

    return policy_path()


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """A fresh TRAITRL_CACHE that still reuses the built models (copied by hard link where possible)."""
    from traitrl.settings import cache_dir

    real = cache_dir()
    fresh = tmp_path / "cache"
    (fresh / "models").mkdir(parents=True)
    for m in (real / "models").glob("*"):
        if m.is_dir() and not m.name.endswith(".partial"):
            shutil.copytree(m, fresh / "models" / m.name, copy_function=os.link)
    monkeypatch.setenv("TRAITRL_CACHE", str(fresh))
    return fresh
