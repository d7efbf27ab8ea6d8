"""`traitrl train`: build one arm's mixture and run GRPO with LoRA on it.

    traitrl train --config configs/train_demo.yaml --out runs/trait --arm trait
    traitrl train --config configs/train_demo.yaml --out runs/base --arm baseline   # compute-matched

Rerunning the same command resumes from the last checkpoint in `--out/checkpoints`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from traitrl.errors import ConfigError


def train(config: Path = typer.Option(..., "--config", help="Training YAML (see configs/train_demo.yaml)."),
          out: Path = typer.Option(..., "--out", help="Run folder: metrics, checkpoints, adapter."),
          model: str = typer.Option(None, "--model", help="Override the policy (default: from the config)."),
          steps: int = typer.Option(None, "--steps", help="Override the number of GRPO steps."),
          trait_share: float = typer.Option(None, "--trait-share", help="Override the trait share (0-1)."),
          arm: str = typer.Option(None, "--arm", help="trait, baseline, health_only, trait@0.1, ..."),
          seed: int = typer.Option(None, "--seed", help="Override the seed."),
          launcher: str = typer.Option("none", "--launcher", help="none | accelerate (multi-GPU; docs/scaling.md)."),
          accelerate_config: Path = typer.Option(None, "--accelerate-config", help="configs/accelerate/*.yaml"),
          num_processes: int = typer.Option(None, "--num-processes", min=1,
                                            help="accelerate processes (default: from the config).")) -> None:
    """Train one arm (trait, compute-matched baseline, reward control, ...) and print the adapter path."""
    if launcher not in ("none", "accelerate"):
        raise ConfigError(f"unknown launcher {launcher!r}; expected none or accelerate", field="--launcher")
    from traitrl.training.config import load_train_config

    # checked here, before any launcher: a bad config must not surface inside every accelerate process
    cfg = load_train_config(str(config), model=model, steps=steps, trait_share=trait_share, arm=arm, seed=seed)
    if launcher == "accelerate":
        import sys

        from traitrl.files import read_yaml
        from traitrl.training.launch import exec_accelerate

        if accelerate_config is None:
            raise ConfigError("--launcher accelerate needs --accelerate-config FILE", field="--accelerate-config")
        if not isinstance(read_yaml(accelerate_config), dict):
            raise ConfigError("expected a mapping of accelerate settings", file=str(accelerate_config))
        exec_accelerate(accelerate_config, sys.argv[sys.argv.index("train") + 1:], num_processes)
    from traitrl.training.arms import prepare_arm
    from traitrl.training.grpo import train_arm
    from traitrl.training.mixture import mixture_summary

    rows, rewards = prepare_arm(cfg)
    typer.echo(f"arm {cfg.arm}: {len(rows)} rows {mixture_summary(rows)}; rewards "
               f"{[getattr(f, '__name__', type(f).__name__) for f in rewards]}")
    result = train_arm(cfg, rows, rewards, out, echo=typer.echo)
    first, last = result.curve()
    if first is not None:
        typer.echo(f"reward first-5 {first:.3f} -> last-5 {last:.3f} over {result.steps} steps")
    typer.echo(f"adapter: {result.adapter_dir}")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
