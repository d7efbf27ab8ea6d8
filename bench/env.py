"""What every result records: machine, ISA, libraries, load; and the matmul peaks the roofline divides by."""

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

    from traitrl.models.cpu import cpu_name, isa_flags
    from traitrl.models.loading import default_dtype

    libs = {}
    for name in ["torch", "transformers", "trl", "peft", "lm-eval", "traitrl"]:
        try:
            libs[name] = version(name)
        except PackageNotFoundError:
            libs[name] = None
    return {"cpu": cpu_name(), "cores": os.cpu_count(), "torch_threads_default": torch.get_num_threads(),
            "isa": isa_flags(), "dtype_in_use": str(default_dtype()).replace("torch.", ""),
            "dtype_probe": _dtype_probe(),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
            "python": platform.python_version(), "libraries": libs, "load_at_start": load()}


def _dtype_probe() -> dict | None:
    """What chose the dtype in use: the override, or this CPU's timings (models/cpu_dtype.py); None on CUDA."""
    import torch

    from traitrl.models.cpu_dtype import probe
    from traitrl.models.loading import requested_dtype

    if torch.cuda.is_available():
        return None
    override = requested_dtype()
    return {"override": override} if override else probe()


def matmul_peak_gflops(dtype_name: str = "bfloat16", n: int = 2048, repeats: int = 5) -> float:
    """Best-of-`repeats` GFLOP/s of an n^3 matmul in this process (all default threads). bf16 on a CPU that
    emulates it (~1 GFLOP/s: a 2048^3 product would take 15 s) is measured at n = 256."""
    import torch

    from traitrl.models.cpu_dtype import probe

    dtype = getattr(torch, dtype_name)
    if dtype == torch.bfloat16 and probe()["dtype"] != "bfloat16":  # measured: bf16 is emulated here
        n = min(n, 256)
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n**3 / best / 1e9


def memory_read_gbs(mebibytes: int = 256, repeats: int = 5) -> float:
    """Best-of-`repeats` GB/s of a sum over an fp32 tensor of `mebibytes` MiB (all default threads): how fast this
    process streams data it does not hold in cache, the memory roof of a few-row decode step, which reads every
    weight once per step (17.8-21.9 GB/s on the Xeon VM on 2026-12-06, moving with the neighbours)."""
    import torch

    x = torch.ones(mebibytes * 2**20 // 4)
    x.sum()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        x.sum()
        best = min(best, time.perf_counter() - t)
    return x.numel() * 4 / best / 1e9


class Timer:
    """`with Timer() as t: ...` then t.seconds and t.load (1-min load average when the block ended)."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.load = load()[0]
