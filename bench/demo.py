"""(e) `traitrl demo`: wall time, peak RSS and a stage-by-stage split (optional: `python -m bench.run --demo`).

Runs the console script in a child process, timestamps every output line (each stage prints as it starts),
and reads the child's peak resident set size from `getrusage(RUSAGE_CHILDREN)`.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.env import load


def run() -> dict:
    exe = Path(sys.executable).with_name("traitrl")
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        proc = subprocess.Popen([str(exe), "demo", "--out", f"{tmp}/demo"], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            if line.strip():
                lines.append((round(time.perf_counter() - start, 1), line.rstrip()[:160]))
        proc.wait()
        wall = time.perf_counter() - start
    rss_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    stages = [{"at_s": t, "line": text} for t, text in lines if not text.startswith(("  ", "{"))][:80]
    return {"returncode": proc.returncode, "wall_s": round(wall, 1), "peak_rss_gb": round(rss_gb, 2),
            "stages": stages, "load_end": load(), "goal": "<= 20 min, <= 8 GB",
            "met": proc.returncode == 0 and wall <= 1200 and rss_gb <= 8}
