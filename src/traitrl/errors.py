"""One base class for every error a user can fix.

The CLI prints a `TraitRLError` as a single line (no traceback unless `--debug`) and exits with its
`exit_code`. `InputError` names the file, line and field so a bad row can be found at once.
"""

from __future__ import annotations

import os


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


# A path the user gave that cannot be read or written as asked: a folder where a file goes, a file where a folder
# goes, a missing parent. The CLI reports these as bad input (`path_error`), not as a crash.
PATH_ERRORS: dict[type[OSError], str] = {
    IsADirectoryError: "is a folder, expected a file", NotADirectoryError: "a part of this path is a file",
    FileNotFoundError: "not found (or its folder is missing)", FileExistsError: "already exists",
    PermissionError: "permission denied"}


def path_error(e: OSError) -> InputError | None:
    """The `InputError` for an OSError about a named path (see `PATH_ERRORS`); None for any other OSError. A
    failed rename (an atomic write's last step) names its target, the path the user gave, not the temporary."""
    path = e.filename2 if e.filename2 is not None else e.filename
    if path is None:
        return None
    what = next((text for kind, text in PATH_ERRORS.items() if isinstance(e, kind)), None)
    if isinstance(e, FileExistsError) and os.path.isfile(path):  # mkdir of a folder that is a file
        what = "is a file, expected a folder"
    return None if what is None else InputError(what, file=str(path))


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
