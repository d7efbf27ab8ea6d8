"""Where a result came from: the git revision of the traitrl checkout that produced it."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_revision(short: bool = False) -> str | None:
    """HEAD of the checkout traitrl runs from (None outside a git checkout)."""
    args = ["git", "rev-parse", "--short", "HEAD"] if short else ["git", "rev-parse", "HEAD"]
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=5, cwd=Path(__file__).parent)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None
