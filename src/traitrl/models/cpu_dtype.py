"""Which float type this CPU's matrix products run faster in, by measurement, not by the CPU's flags.

bf16 is 3-8x faster than fp32 where the CPU computes it natively (AMX, AVX-512 BF16) and ~100x slower where it is
emulated (AVX2 only: about 1 GFLOP/s); a CPU outside those three kinds (an ARM server, a future x86) need not
follow its flags. `cpu_compute_dtype()` times the products the embedded policy makes most, one decode step's
(32 rows) and one prefill block's (512 rows), each 576 -> 1536, in both types, alternating, once per machine,
and keeps the timings and the answer in `TRAITRL_CACHE/machine/`. bf16 is chosen when it is at least
`BF16_MIN_SPEEDUP` times faster at both shapes (it rounds more; a small gain is not worth that).
`TRAITRL_DTYPE=bfloat16|float32` overrides it. On the Xeon with AMX bf16 measured 2.6-4.6x faster; the
two EPYC kinds are expected to follow their flags by wide margins (docs/performance.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from traitrl.errors import ConfigError

BF16_MIN_SPEEDUP = 1.25
SHAPES = {"decode": (32, 576, 1536), "prefill": (512, 576, 1536)}  # rows, in, out of the products timed
CHOICES = ("bfloat16", "float32")
SCHEMA = 1


def choose(seconds: dict[str, dict[str, float]]) -> str:
    """bf16 when it is `BF16_MIN_SPEEDUP`x faster than fp32 at every shape timed, else fp32.
    `seconds[shape][dtype]` is one product's time."""
    fast = all(s["float32"] >= BF16_MIN_SPEEDUP * s["bfloat16"] for s in seconds.values())
    return "bfloat16" if seconds and fast else "float32"


def _time_product(rows: int, inner: int, out: int, dtype: Any, budget_s: float = 0.08) -> float:
    """Median seconds of one `F.linear` of this shape in `dtype`, over about `budget_s` of repeats."""
    import torch
    import torch.nn.functional as F

    gen = torch.Generator().manual_seed(0)  # the caller's random stream is left alone
    x = torch.randn(rows, inner, generator=gen).to(dtype)
    w = torch.randn(out, inner, generator=gen).to(dtype)
    F.linear(x, w)  # warm-up: kernel selection
    times: list[float] = []
    spent = 0.0
    while len(times) < 3 or (spent < budget_s and len(times) < 50):
        start = time.perf_counter()
        F.linear(x, w)
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return sorted(times)[len(times) // 2]


def measure() -> dict[str, dict[str, float]]:
    """`{shape: {dtype: seconds}}`; the prefill shape is skipped when bf16 already lost at the decode shape
    (emulated bf16 would take about a second a product there). Autocast is off: inside a bf16 autocast both
    sides would run in bf16."""
    import torch

    out: dict[str, dict[str, float]] = {}
    with torch.autocast("cpu", enabled=False), torch.no_grad():
        for name, (rows, inner, width) in SHAPES.items():
            out[name] = {}
            for dtype in ("float32", "bfloat16", "float32", "bfloat16"):  # alternating: drift falls on both
                t = _time_product(rows, inner, width, getattr(torch, dtype))
                out[name][dtype] = min(out[name].get(dtype, t), t)
            if choose({name: out[name]}) == "float32":
                break
    return out


@functools.lru_cache(maxsize=1)
def _machine_key() -> str:
    """The CPU (name, its full flag line, architecture), torch's version and the rule: what the answer depends on."""
    import torch

    from traitrl.models.cpu import cpu_flag_line, cpu_name

    parts = [str(SCHEMA), cpu_name(), platform.machine(), cpu_flag_line(), torch.__version__, str(BF16_MIN_SPEEDUP),
             json.dumps(SHAPES, sort_keys=True)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def probe() -> dict:
    """This machine's record: `dtype` (the answer), `seconds` (the timings it came from), `cpu`; measured on
    first use and read back from `TRAITRL_CACHE/machine/` after."""
    from traitrl.settings import cache_dir

    return _probe_at(cache_dir() / "machine" / f"dtype-{_machine_key()}.json")


def _read(path: Path) -> dict | None:
    try:
        seen = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return seen if isinstance(seen, dict) and seen.get("dtype") in CHOICES else None


@functools.lru_cache(maxsize=8)
def _probe_at(path: Path) -> dict:
    """The record at `path`, measured and written there when absent or unreadable. Processes that measure at
    once agree on the first record written (it is never replaced), so one machine computes in one type; a cache
    that cannot be written costs a measurement per process, not an error."""
    from traitrl.files import atomic_write_json
    from traitrl.models.cpu import cpu_name

    if (seen := _read(path)) is not None:
        return seen
    seconds = measure()
    if (theirs := _read(path)) is not None:  # another process measured meanwhile: its answer holds
        return theirs
    record = {"dtype": choose(seconds), "seconds": seconds, "cpu": cpu_name(),
              "rule": f"bf16 when >= {BF16_MIN_SPEEDUP}x faster at every shape", "shapes": SHAPES}
    try:
        atomic_write_json(path, record, exclusive=not path.exists())  # an unreadable record is replaced
    except FileExistsError:
        pass
    except OSError:
        return record
    return _read(path) or record


def cpu_compute_dtype() -> Any:
    """torch.bfloat16 or torch.float32: `TRAITRL_DTYPE` when set, else this machine's measured answer."""
    import torch

    wanted = dtype_override()
    return getattr(torch, wanted or probe()["dtype"])


def dtype_override() -> str | None:
    """`TRAITRL_DTYPE` when set (bfloat16 or float32), else None."""
    wanted = os.environ.get("TRAITRL_DTYPE", "").strip()
    if wanted and wanted not in CHOICES:
        raise ConfigError(f"expected one of {', '.join(CHOICES)}, got {wanted!r}", field="TRAITRL_DTYPE")
    return wanted or None
