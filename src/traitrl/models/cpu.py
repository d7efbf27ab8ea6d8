"""What this CPU is (its name and the vector extensions that decide the fast dtype: one reader of
/proc/cpuinfo), and how many of its cores torch should use now (`cpu_threads`).

AMX or AVX-512 BF16 make bf16 matmuls 4-8x faster than fp32; with AVX2 alone bf16 is emulated (~1 GFLOP/s)."""

from __future__ import annotations

import functools
import os
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ISA = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")


@functools.lru_cache(maxsize=1)
def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def cpu_name() -> str:
    for line in _cpuinfo().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def cpu_flag_line() -> str:
    """The CPU's feature line of /proc/cpuinfo (`flags` on x86, `Features` on ARM); empty where there is none."""
    return next((line for line in _cpuinfo().splitlines() if line.startswith(("flags", "Features"))), "")


def isa_flags() -> dict[str, bool]:
    flags = set(_cpuinfo().split())
    return {f: f in flags for f in ISA}


def cpu_ticks() -> tuple[int, int] | None:
    """(ticks stolen by the hypervisor, all ticks) of every CPU since boot, from /proc/stat; None elsewhere."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
    except (OSError, ValueError):
        return None
    return (fields[7], sum(fields)) if len(fields) == 8 else None


def steal_share(since: tuple[int, int] | None) -> float | None:
    """The share of CPU time the hypervisor took since `cpu_ticks()` returned `since` (None where unknown)."""
    now = cpu_ticks()
    if since is None or now is None or now[1] <= since[1]:
        return None
    return round((now[0] - since[0]) / (now[1] - since[1]), 4)


def runnable_others(samples: int = 5, interval_s: float = 0.01) -> int | None:
    """Other tasks runnable now: the median of a few reads of the instantaneous runnable count in /proc/loadavg,
    less the caller (None where it cannot be read)."""
    busy = []
    for _ in range(samples):
        try:
            with open("/proc/loadavg") as fh:
                busy.append(int(fh.read().split()[3].split("/")[0]) - 1)
        except (OSError, ValueError, IndexError):
            return None
        time.sleep(interval_s)
    return sorted(busy)[len(busy) // 2]


def cpu_threads(most: int | None = None) -> int:
    """Torch threads worth using now: the cores not busy with other runnable tasks, at least 1 and at most
    `most` (default: torch's current count). `TRAITRL_TORCH_THREADS` wins when set."""
    import torch

    if os.environ.get("TRAITRL_TORCH_THREADS"):
        return max(1, int(os.environ["TRAITRL_TORCH_THREADS"]))
    most = most or torch.get_num_threads()
    others = runnable_others()
    if others is None:
        return most
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(most, cores - others))


@contextmanager
def cpu_thread_policy(device: Any) -> Iterator[int]:
    """Run the block with `cpu_threads()` torch threads on a CPU device; restore the old count after."""
    import torch

    before = torch.get_num_threads()
    n = cpu_threads() if str(device).startswith("cpu") else before
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(before)
