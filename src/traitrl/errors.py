"""One base class for every error a user can fix.

The CLI prints a `TraitRLError` as a single line (no traceback unless `--debug`) and exits with its
`exit_code`. `InputError` names the file, line and field so a bad row can be found at once.
"""

from __future__ import annotations


class TraitRLError(Exception):
    """An error the user can fix; printed as one line."""

    exit_code: int = 1


class InputError(TraitRLError):
    """Bad input data: reported as `file:line: field: message`, exit code 2."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.file, self.line, self.field, self.message = file, line, field, message
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class ConfigError(InputError):
    """A configuration file or option is invalid."""


class ModelLoadError(TraitRLError):
    """A model could not be found or loaded."""


class ModelNotFoundError(ModelLoadError):
    """`--model` names no local model folder and no model the Hub (or its cache, offline) has: bad input."""

    exit_code = 2


class WeightsDroppedError(ModelNotFoundError):
    """A model folder from a packed run (`traitrl experiment pack`): its configs are there, its weights are not."""

    def __init__(self, folder: str) -> None:
        super().__init__(f"{folder}: its weights were dropped when the run was packed (weights-dropped.json); "
                         "rerun the experiment to compute them again")
        self.folder = folder
