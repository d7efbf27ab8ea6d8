"""`traitrl experiment run CONFIG --out DIR` and `traitrl experiment validate CONFIG`."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("run")
def run_cmd(config: Path = typer.Argument(..., help="Experiment YAML (see configs/)."),
            out: Path = typer.Option(..., "--out", help="Run directory; rerun the same command to resume.")
            ) -> None:
    """Run (or resume) an experiment and print the report path."""
    from traitrl.experiments.config import load_experiment_config
    from traitrl.experiments.run import run_experiment

    result = run_experiment(load_experiment_config(config), out)
    typer.echo(f"report: {result.report_path}")


@app.command("validate")
def validate_cmd(config: Path = typer.Argument(..., help="Experiment YAML.")) -> None:
    """Validate an experiment config and print it resolved."""
    import yaml

    from traitrl.experiments.config import load_experiment_config

    typer.echo(yaml.safe_dump(load_experiment_config(config).model_dump(mode="json"), sort_keys=False))
