"""Importing traitrl before torch makes torch's OpenMP threads sleep at barriers (docs/performance.md,
"Contention"); an explicit setting wins, and nothing changes once torch is loaded."""

from __future__ import annotations

import os
import subprocess
import sys

CODE = "import os, {first}, {second}; print(os.environ.get('OMP_WAIT_POLICY'))"


def _policy(first: str, second: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    proc = subprocess.run([sys.executable, "-c", CODE.format(first=first, second=second)], env={**clean, **env},
                          capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def test_traitrl_sets_passive_wait_before_torch_loads():
    assert _policy("traitrl", "torch") == "PASSIVE"
    assert _policy("traitrl", "torch", OMP_WAIT_POLICY="ACTIVE") == "ACTIVE"
    assert _policy("traitrl", "torch", GOMP_SPINCOUNT="10000") == "None"  # a spin count is a user's choice
    assert _policy("torch", "traitrl") == "None"  # too late to matter: left alone
