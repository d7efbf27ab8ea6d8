"""What this CPU is: its name and the vector extensions that decide the fast dtype (one reader of /proc/cpuinfo).

AMX or AVX-512 BF16 make bf16 matmuls 4-8x faster than fp32; with AVX2 alone bf16 is emulated (~1 GFLOP/s)."""

from __future__ import annotations

import functools
import platform
from pathlib import Path

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


def isa_flags() -> dict[str, bool]:
    flags = set(_cpuinfo().split())
    return {f: f in flags for f in ISA}


def has_fast_bf16() -> bool:
    flags = isa_flags()
    return flags["avx512_bf16"] or flags["amx_bf16"]
