"""What every result records: machine, libraries, load; and the bf16 matmul peak the roofline divides by."""

from __future__ import annotations

import os
import platform
import time
from importlib.metadata import PackageNotFoundError, version


def load() -> list[float]:
    """1, 5 and 15-minute load averages, rounded."""
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    import torch

    cpu = platform.processor()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    libs = {}
    for name in ["torch", "transformers", "trl", "peft", "lm-eval", "traitrl"]:
        try:
            libs[name] = version(name)
        except PackageNotFoundError:
            libs[name] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads_default": torch.get_num_threads(),
            "python": platform.python_version(), "libraries": libs, "load_at_start": load()}


def matmul_peak_gflops(dtype_name: str = "bfloat16", n: int = 2048, repeats: int = 5) -> float:
    """Best-of-`repeats` GFLOP/s of an n^3 matmul in this process (all default threads)."""
    import torch

    dtype = getattr(torch, dtype_name)
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n**3 / best / 1e9


class Timer:
    """`with Timer() as t: ...` then t.seconds and t.load (1-min load average when the block ended)."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.load = load()[0]
