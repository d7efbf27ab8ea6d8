"""Run the `traitrl` CLI exactly as the console script does, in a subprocess (`python -m ...cli_runner`).

`traitrl.cli.main` mounts every sub-app; while a sub-app module is still being written by someone else
(absent from the tree) the whole CLI would fail to import, so a missing *sub-app module* is replaced by an
empty one here. Nothing else differs from the installed `traitrl` entry point.
"""

from __future__ import annotations

import importlib
import sys
import types

SUBAPPS = ["traitrl.training.commands", "traitrl.evals.commands", "traitrl.scenarios.commands",
           "traitrl.grading.commands"]


def _stub_missing() -> None:
    import typer

    for name in SUBAPPS:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            mod = types.ModuleType(name)
            mod.app = typer.Typer()
            mod.register = lambda app: None
            sys.modules[name] = mod


if __name__ == "__main__":
    _stub_missing()
    from traitrl.cli import main

    sys.argv[0] = "traitrl"
    main()
