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


@app.command("plan")
def plan_cmd(config: Path = typer.Argument(..., help="Experiment YAML."),
             budget: float = typer.Option(None, "--budget", min=0.1,
                                          help="Minutes to size the run to (default: the config's budget_minutes)."),
             fresh: bool = typer.Option(False, "--fresh", help="Measure this machine's speeds again."),
             out: Path = typer.Option(None, "--json", help="Also write the plan as JSON here.")) -> None:
    """Print every stage with its estimated time on this machine (a ~1-minute calibration, cached), and what
    a time budget would scale down."""
    from traitrl.experiments.config import load_experiment_config
    from traitrl.experiments.plan import make_plan, plan_table
    from traitrl.experiments.speeds import measure_speeds
    from traitrl.files import atomic_write_json

    cfg = load_experiment_config(config)
    plan = make_plan(cfg, measure_speeds(cfg.model, fresh=fresh), budget or cfg.budget_minutes)
    typer.echo(plan_table(plan))
    if out is not None:
        atomic_write_json(out, plan.model_dump(mode="json"))
