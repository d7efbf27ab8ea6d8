"""traitrl: beneficial-trait reinforcement learning and its measurement.

An open implementation of the method of *Reinforcement Learning Towards Broadly and Persistently Beneficial
Models* (Jagadeesh et al., 2026): trait scenarios with per-scenario rubrics, rubric rewards for GRPO, a broad
alignment suite with honest statistics, and persistence tests.
"""

import os
import sys

__version__ = "0.1.0"

# torch's OpenMP (libgomp) reads its wait policy once, when torch is first imported. Its default spins idle
# threads for a while at every barrier: with any other process on a 2-core machine a spinning thread holds a
# core the busy one needs, and a decode loop ran 4.2x slower than on an idle machine (44.2 s vs 10.4 s; AMD
# EPYC, AVX2). PASSIVE threads sleep instead: 14.1 s beside a CPU burner, 10.6 s idle (docs/performance.md).
# Only a default: an explicit OMP_WAIT_POLICY / GOMP_SPINCOUNT wins, and it cannot apply once torch is loaded.
if "torch" not in sys.modules and "GOMP_SPINCOUNT" not in os.environ:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
