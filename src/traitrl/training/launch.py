"""`traitrl train --launcher accelerate`: re-run the same training command under `accelerate launch`.

    traitrl train --launcher accelerate --accelerate-config configs/accelerate/ddp.yaml \
        --config configs/train_demo.yaml --out runs/trait

becomes, by `exec` (this process is replaced, so Ctrl-C and exit codes pass straight through):

    accelerate launch --config_file configs/accelerate/ddp.yaml [--num_processes N] \
        -m traitrl.cli train --config configs/train_demo.yaml --out runs/trait

Every process then runs the ordinary `traitrl train`; `GRPOTrainer` reads the distributed setup from the
environment accelerate provides. Configs: `configs/accelerate/ddp.yaml` (DDP), `zero2.yaml` and `zero3.yaml`
(DeepSpeed, extra `traitrl[deepspeed]`). Batch sizes are per process: N GPUs train on N times the prompts
per step, so divide `prompts_per_step` by N to stay compute-matched with a one-GPU run.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from traitrl.errors import ConfigError

LAUNCHERS = ("none", "accelerate")
LAUNCHER_FLAGS = ("--launcher", "--accelerate-config", "--num-processes")  # stripped from the child command


def train_args_without_launcher(argv: Sequence[str]) -> list[str]:
    """`argv` (after `train`) minus the launcher options, in both `--opt value` and `--opt=value` forms."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in LAUNCHER_FLAGS:
            skip = "=" not in arg
            continue
        out.append(arg)
    return out


def accelerate_command(accelerate_config: str | Path, train_args: Sequence[str],
                       num_processes: int | None = None) -> list[str]:
    """The `accelerate launch ... -m traitrl.cli train ...` command line (a list, never a shell string)."""
    cfg = Path(accelerate_config)
    if not cfg.is_file():
        raise ConfigError("accelerate config not found (see configs/accelerate/)", file=str(cfg))
    exe = shutil.which("accelerate") or str(Path(sys.executable).with_name("accelerate"))
    cmd = [exe, "launch", "--config_file", str(cfg)]
    if num_processes is not None:
        cmd += ["--num_processes", str(num_processes)]
    return [*cmd, "-m", "traitrl.cli", "train", *train_args_without_launcher(train_args)]


def exec_accelerate(accelerate_config: str | Path, train_args: Sequence[str],
                    num_processes: int | None = None) -> None:
    """Replace this process with `accelerate launch`; does not return."""
    cmd = accelerate_command(accelerate_config, train_args, num_processes)
    if not Path(cmd[0]).exists():
        raise ConfigError("`accelerate` is not installed in this environment", field="--launcher")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(cmd[0], cmd)
