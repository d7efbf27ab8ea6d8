"""`traitrl experiment run | validate | plan | pack | restore`."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("run")
def run_cmd(config: Path = typer.Argument(..., help="Experiment YAML (see configs/)."),
            out: Path = typer.Option(..., "--out", help="Run directory; rerun the same command to resume."),
            pack_to: Path = typer.Option(None, "--pack-to", help="Also pack each finished stage here, without "
                                         "checkpoints or weights (see `experiment pack`).")
            ) -> None:
    """Run (or resume) an experiment and print the report path."""
    from traitrl.experiments.config import load_experiment_config
    from traitrl.experiments.run import run_experiment

    result = run_experiment(load_experiment_config(config), out, pack_to=pack_to)
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


@app.command("pack")
def pack_cmd(run: Path = typer.Argument(..., help="Run directory (`experiment run --out`)."),
             dest: Path = typer.Argument(..., help="Folder to write the packed stages to (e.g. under docs/results).")
             ) -> None:
    """Copy a run's finished stages without checkpoints or weights (small enough to commit); `experiment
    restore` puts them back on another machine, where rerunning the experiment skips them."""
    from traitrl.experiments.portable import pack_run

    s = pack_run(run, dest)
    typer.echo(f"packed {s.stages} stages ({s.models} models without weights): {s.bytes_kept / 1e6:.1f} MB kept, "
               f"{s.bytes_dropped / 1e6:.1f} MB left out -> {dest}")


@app.command("restore")
def restore_cmd(packed: Path = typer.Argument(..., help="A folder written by `experiment pack`."),
                run: Path = typer.Argument(..., help="Run directory to restore into (its own stages are kept).")
                ) -> None:
    """Put a packed run's stages into a run directory; rerun `experiment run ... --out RUN` to continue."""
    from traitrl.experiments.portable import restore_run

    names = restore_run(packed, run)
    typer.echo(f"restored {len(names)} stages into {run}")
