"""The `traitrl` command line: one root app, sub-apps mounted from the modules that own them.

User-fixable errors (`TraitRLError`) print one line and exit with their code (2 for bad input); a
traceback appears only with `--debug`. The Hugging Face Hub is offline (`HF_HUB_OFFLINE=1`) unless `--online`
or an `HF_HUB_OFFLINE` already set: runs are reproducible and never wait on the network, and cached Hub ids and
local folders load as usual; `traitrl --online eval --model org/name ...` downloads an uncached id.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import typer
from typer.core import TyperGroup

from traitrl.errors import InputError, TraitRLError, path_error


class _RootGroup(TyperGroup):
    """The root command: a bad option value anywhere below it (not one of `--format`'s choices, not a number,
    missing) is a one-line `InputError` naming the option, exit 2, instead of click's usage box."""

    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        except typer.BadParameter as e:
            raise InputError(e.format_message()) from None


app = typer.Typer(cls=_RootGroup, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Beneficial-trait RL: scenarios, rubric grading, GRPO, alignment evaluation, persistence.")
_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        from traitrl import __version__

        typer.echo(f"traitrl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
          online: bool = typer.Option(False, "--online", help="Let models and tokenizers download from the "
                                      "Hugging Face Hub (default: offline, cache and local folders only)."),
          version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    _state["debug"] = debug
    if online:
        os.environ["HF_HUB_OFFLINE"] = "0"
    else:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not debug:
        _quiet_libraries()


def _quiet_libraries() -> None:
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.getLogger("transformers").setLevel(logging.ERROR)


@app.command()
def demo(out: Path = typer.Option(Path("runs/demo"), "--out", help="Run directory."),
         config: Path = typer.Option(None, "--config", help="Experiment YAML (default: the built-in demo).")
         ) -> None:
    """Run the whole protocol at small scale on the embedded model and print the report path."""
    from traitrl.experiments.config import DEMO_CONFIG, load_experiment_config
    from traitrl.experiments.run import run_experiment

    cfg = load_experiment_config(config or DEMO_CONFIG)
    result = run_experiment(cfg, out)
    typer.echo(f"report: {result.report_path}")


def _mount() -> None:
    if _state.get("mounted"):  # main() may run more than once in a process (tests, notebooks)
        return
    _state["mounted"] = True
    from traitrl.experiments.commands import app as experiment_app
    from traitrl.report.commands import register as register_report

    app.add_typer(experiment_app, name="experiment", help="Run experiment configs (arms × seeds × tests).")
    register_report(app)
    for module, name, helptext in [
        ("traitrl.scenarios.commands", "data", "Build, validate, inspect, import and export scenarios."),
        ("traitrl.grading.commands", "grade", "Grade responses against rubrics; compare graders."),
    ]:
        mod = __import__(module, fromlist=["app"])
        app.add_typer(mod.app, name=name, help=helptext)
    for module in ["traitrl.evals.commands", "traitrl.training.commands", "traitrl.export.commands"]:
        __import__(module, fromlist=["register"]).register(app)


def main() -> None:
    _mount()
    try:
        app()
    except TraitRLError as e:
        if _state["debug"]:
            raise
        typer.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)
    except OSError as e:  # a path given on the command line that cannot be read or written as asked
        bad = path_error(e)
        if bad is None or _state["debug"]:
            raise
        typer.echo(f"error: {bad}", err=True)
        sys.exit(bad.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted; rerun the same command to resume", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
