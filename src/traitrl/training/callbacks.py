"""Per-step metrics for learning curves: one JSON line per optimizer step in `out_dir/metrics.jsonl`.

Each line: `step`, `reward` (mean over scored completions), `reward_std`, `rewards` (per reward function
mean; None where the function scored nothing that step), `trait_reward` (the rubric reward mean, None on
steps without trait rows), `zero_variance_fraction` (share of GRPO groups whose rewards were all equal —
DESIGN.md's pilot failure mode, watched from step 1), `loss`, `seconds` (wall time since the previous line)
and `completion_length`.

Lines are appended with one `write` of a whole line followed by `fsync`, so a crash leaves complete lines.
On resume, lines past the checkpoint's step are dropped first (rewritten atomically), so the curve never has
duplicate steps.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from traitrl.files import atomic_write_text

TRAIT_REWARD_NAMES = ("trait_rubric", "trait_reward")  # `traitrl.training.reward` names it trait_rubric


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def metrics_row(step: int, logs: dict[str, Any], seconds: float) -> dict[str, Any]:
    """Turn a TRL GRPO `logs` dict into one metrics line."""
    per_func = {k.split("/")[1]: _clean(v) for k, v in logs.items()
                if k.startswith("rewards/") and k.endswith("/mean")}
    trait = next((per_func[n] for n in TRAIT_REWARD_NAMES if n in per_func), None)
    return {"step": step, "reward": _clean(logs.get("reward")), "reward_std": _clean(logs.get("reward_std")),
            "rewards": per_func, "trait_reward": trait,
            "zero_variance_fraction": _clean(logs.get("frac_reward_zero_std")),
            "loss": _clean(logs.get("loss")),
            "completion_length": _clean(logs.get("completions/mean_length")),
            "seconds": round(seconds, 3)}


def append_jsonl_line(path: Path, row: dict[str, Any]) -> None:
    line = json.dumps(row, allow_nan=False, sort_keys=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def truncate_metrics(path: Path, last_step: int) -> None:
    """Drop lines with `step > last_step` (used on resume)."""
    rows = read_metrics(path)
    kept = [r for r in rows if r["step"] <= last_step]
    if len(kept) != len(rows):
        atomic_write_text(path, "".join(json.dumps(r, sort_keys=True) + "\n" for r in kept))


class MetricsCallback(TrainerCallback):
    """Writes one metrics line per logged training step; optionally echoes a short progress line."""

    def __init__(self, path: str | Path, echo=None) -> None:
        self.path = Path(path)
        self.echo = echo
        self._last = time.monotonic()

    def on_train_begin(self, args, state, control, **kwargs):
        if not state.is_world_process_zero:  # multi-GPU: one writer
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        truncate_metrics(self.path, state.global_step)
        self._last = time.monotonic()

    def on_log(self, args, state, control, logs=None, **kwargs):
        # With generation_steps > 1 only the steps that sample rollouts log rewards; the others log the loss.
        if not logs or ("reward" not in logs and "loss" not in logs) or not state.is_world_process_zero:
            return
        import torch

        now = time.monotonic()
        # the torch threads the step ran with (`ThreadsCallback` may lower them while other tasks are runnable)
        row = {**metrics_row(state.global_step, logs, now - self._last), "threads": torch.get_num_threads()}
        self._last = now
        append_jsonl_line(self.path, row)
        if self.echo is not None:
            self.echo(format_progress(row, state.max_steps))


def format_progress(row: dict[str, Any], max_steps: int) -> str:
    def f(v):
        return "-" if v is None else f"{v:.3f}"

    return (f"step {row['step']}/{max_steps}  reward {f(row['reward'])}  trait {f(row['trait_reward'])}  "
            f"zero-var {f(row['zero_variance_fraction'])}  loss {f(row['loss'])}  {row['seconds']:.1f}s")


class ThreadsCallback(TrainerCallback):
    """On a CPU, give each optimizer step as many torch threads as there are idle cores now, up to the count
    training started with (`models.cpu.cpu_threads`); the starting count is restored at the end. Two OpenMP
    threads on two cores, one of them busy with another process, wait for each other at every op (a GRPO step
    ran 2.5x slower than idle that way; docs/performance.md)."""

    def __init__(self) -> None:
        self.most: int | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        import torch

        self.most = torch.get_num_threads()

    def on_step_begin(self, args, state, control, **kwargs):
        import torch

        from traitrl.models.cpu import cpu_threads

        torch.set_num_threads(cpu_threads(self.most))

    def on_train_end(self, args, state, control, **kwargs):
        import torch

        if self.most:
            torch.set_num_threads(self.most)
