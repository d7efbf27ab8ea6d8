"""(g) Contention: an evaluation batch and a GRPO-sized forward + backward with a CPU-bound process beside
them, against the same work on an idle machine, each with the thread count traitrl picks (the idle cores,
read before every GRPO step and evaluation batch), under traitrl's OpenMP default (PASSIVE) and under
libgomp's own default (threads spin at barriers). Each measurement is a fresh subprocess, because the wait
policy is read once when torch loads. Goal: <= 2x the idle time under contention."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.env import load

WORK = r"""
import json, time, torch, traitrl
from traitrl.evals.generation import generate_batches
from traitrl.models.cpu import cpu_threads
from traitrl.models.loading import load_policy
from traitrl.types import Message
lp = load_policy("embedded")
torch.set_num_threads(2)
convs = [[Message(role="user", content=f"Give me {i + 2} tips for a calm morning.")] for i in range(16)]
def evaluate():
    for _ in generate_batches(lp, convs, max_new_tokens=24, batch_size=16):
        pass
ids = torch.randint(100, 5000, (8, 96))
def train():
    torch.set_num_threads(cpu_threads(2))  # what ThreadsCallback does before every GRPO step
    out = lp.model(input_ids=ids, labels=ids)
    out.loss.backward()
    lp.model.zero_grad(set_to_none=True)
res = {}
for name, fn in [("eval_batch", evaluate), ("train_step", train)]:
    fn()
    times = []
    for _ in range(3):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    res[name] = sorted(times)[1]
print(json.dumps(res))
"""


def _measure(policy: str | None, burner: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if burner else None
    try:
        out = subprocess.run([sys.executable, "-c", WORK], env=env, capture_output=True, text=True, check=True)
    finally:
        if hog is not None:
            hog.kill()
            hog.wait()
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "load1": load()[0]}


def run() -> dict:
    runs = {}
    for label, policy in [("traitrl_default", None), ("spinning", "ACTIVE")]:
        for burner in (False, True):
            runs[f"{label}{'_contended' if burner else '_idle'}"] = _measure(policy, burner)
    ratios = {label: {k: round(runs[f"{label}_contended"][k] / runs[f"{label}_idle"][k], 2)
                      for k in ("eval_batch", "train_step")} for label in ("traitrl_default", "spinning")}
    worst = max(ratios["traitrl_default"].values())
    return {"runs": runs, "slowdown": ratios, "goal": "<= 2x idle under one CPU-bound process", "met": worst <= 2}
