"""Experiment tracking: TRL logs training to tensorboard / wandb / mlflow; evaluation joins the same run.

Training: `TrainConfig.report_to` (e.g. `["tensorboard"]`, `"wandb"`, `"mlflow"`, `"all"`) goes straight to
TRL's `report_to`. Call `apply_tracking_env(run_dir)` before the trainer is built so that each tracker's run
has a stable, findable location and id derived from the run folder:

| tracker     | what is set (only when not already set)                                  |
| ----------- | ------------------------------------------------------------------------ |
| tensorboard | `TENSORBOARD_LOGGING_DIR=<run_dir>/tensorboard`                           |
| wandb       | `WANDB_RUN_ID=traitrl-<hash of run_dir>`, `WANDB_RESUME=allow`, `WANDB_DIR` |
| mlflow      | `MLFLOW_TRACKING_URI=file:<run_dir>/mlruns`, `MLFLOW_RUN_NAME`           |

Offline use: `WANDB_MODE=offline` (then `wandb sync <run_dir>/wandb/offline-run-*`), mlflow's local file
store (`mlflow ui --backend-store-uri <run_dir>/mlruns`), tensorboard (`tensorboard --logdir <run_dir>`).

Evaluation: `log_eval_metrics(results, report_to, run_dir, step)` writes `eval/<benchmark>` (mean),
`eval_n/<benchmark>` and `eval/suite_mean` to the same run.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TRACKERS = ("tensorboard", "wandb", "mlflow")


def trackers(report_to: str | list[str] | None) -> list[str]:
    """The trackers named by a `report_to` value (`"all"` = every supported one installed here)."""
    names = [report_to] if isinstance(report_to, str) else list(report_to or [])
    if "all" in names:
        import importlib.util

        mods = {"tensorboard": "tensorboard", "wandb": "wandb", "mlflow": "mlflow"}
        return [t for t in TRACKERS if importlib.util.find_spec(mods[t]) is not None]
    return [n for n in names if n in TRACKERS]


def run_id(run_dir: str | Path) -> str:
    return "traitrl-" + hashlib.sha256(str(Path(run_dir).resolve()).encode()).hexdigest()[:12]


def tracking_env(run_dir: str | Path) -> dict[str, str]:
    run_dir = Path(run_dir).resolve()
    return {"TENSORBOARD_LOGGING_DIR": str(run_dir / "tensorboard"), "WANDB_RUN_ID": run_id(run_dir),
            "WANDB_RESUME": "allow", "WANDB_DIR": str(run_dir),
            "MLFLOW_TRACKING_URI": f"file:{run_dir / 'mlruns'}", "MLFLOW_RUN_NAME": run_id(run_dir)}


def apply_tracking_env(run_dir: str | Path) -> None:
    """Set the variables above, keeping any the user already set."""
    for k, v in tracking_env(run_dir).items():
        os.environ.setdefault(k, v)


def eval_metrics(results: Any) -> dict[str, float]:
    """Flat scalar metrics from a `SuiteResult` or a results.json mapping."""
    data = results.to_json() if hasattr(results, "to_json") else dict(results)
    out: dict[str, float] = {}
    means = []
    for bid, b in (data.get("benchmarks") or {}).items():
        if b.get("mean") is not None:
            out[f"eval/{bid}"] = float(b["mean"])
            means.append(float(b["mean"]))
        out[f"eval_n/{bid}"] = float(b.get("n") or 0)
    if means:
        out["eval/suite_mean"] = sum(means) / len(means)
    return out


def log_eval_metrics(results: Any, report_to: str | list[str] | None, run_dir: str | Path,
                     step: int = 0) -> dict[str, list[str]]:
    """Log evaluation metrics to each tracker's run for `run_dir`; returns {tracker: [metric names]}."""
    metrics = eval_metrics(results)
    env = {**tracking_env(run_dir), **{k: os.environ[k] for k in tracking_env(run_dir) if k in os.environ}}
    logged: dict[str, list[str]] = {}
    for name in trackers(report_to):
        LOGGERS[name](metrics, env, step)
        logged[name] = sorted(metrics)
    return logged


def _tensorboard(metrics: Mapping[str, float], env: Mapping[str, str], step: int) -> None:
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(log_dir=env["TENSORBOARD_LOGGING_DIR"])
    try:
        for k, v in metrics.items():
            writer.add_scalar(k, v, global_step=step)
    finally:
        writer.close()


def _wandb(metrics: Mapping[str, float], env: Mapping[str, str], step: int) -> None:
    import wandb

    run = wandb.init(id=env["WANDB_RUN_ID"], resume="allow", dir=env["WANDB_DIR"],
                     project=os.environ.get("WANDB_PROJECT", "traitrl"))
    try:
        run.log(dict(metrics), step=step if step >= (run.step or 0) else None)
    finally:
        run.finish()


def _mlflow(metrics: Mapping[str, float], env: Mapping[str, str], step: int) -> None:
    import mlflow

    mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
    found = mlflow.search_runs(filter_string=f"tags.mlflow.runName = '{env['MLFLOW_RUN_NAME']}'",
                               search_all_experiments=True, output_format="list")
    run_kwargs = {"run_id": found[0].info.run_id} if found else {"run_name": env["MLFLOW_RUN_NAME"]}
    with mlflow.start_run(**run_kwargs):
        mlflow.log_metrics(dict(metrics), step=step)


LOGGERS = {"tensorboard": _tensorboard, "wandb": _wandb, "mlflow": _mlflow}
