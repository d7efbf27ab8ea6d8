"""`traitrl report RUN_DIR`: (re)render report.html and summary.md from a run's results.json."""

from __future__ import annotations

from pathlib import Path

import typer

from traitrl.errors import InputError


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report_cmd(run_dir: Path = typer.Argument(..., help="Run directory holding results.json."),
                   out: Path = typer.Option(None, "--out", help="Where to write (default: RUN_DIR).")) -> None:
        """Render report.html and summary.md from RUN_DIR/results.json."""
        from pydantic import ValidationError

        from traitrl.files import loads_strict, validation_message
        from traitrl.report.html import build_report
        from traitrl.results import Results

        src = run_dir / "results.json"
        if not src.exists():
            raise InputError("results.json not found", file=str(src))
        try:
            results = Results.model_validate(loads_strict(src.read_text(encoding="utf-8")))  # no NaN, as elsewhere
        except ValidationError as e:  # a ValueError too: caught first
            field, msg = validation_message(e)
            raise InputError(msg, file=str(src), field=field) from None
        except (ValueError, UnicodeDecodeError) as e:
            raise InputError(f"invalid JSON ({e})", file=str(src)) from None
        typer.echo(str(build_report(results, out or run_dir)))
