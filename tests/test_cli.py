"""The command line as a whole: every option documented, fixed value sets offered as choices."""

from __future__ import annotations

import typer

from tests.reliability.helpers import cli_env, run_cli
from traitrl import cli


def _commands(cmd, path: tuple[str, ...] = ()):
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_every_option_of_every_command_has_help():
    cli._mount()
    root = typer.main.get_command(cli.app)
    seen, bare = 0, []
    for path, cmd in _commands(root):
        for p in cmd.params:
            if p.param_type_name in ("option", "argument"):
                seen += 1
                if not (getattr(p, "help", None) or "").strip():
                    bare.append(f"traitrl {' '.join(path)} {p.opts[-1]}".replace("  ", " "))
    assert seen > 100  # the walk reached the mounted sub-apps
    assert bare == []


def test_format_is_a_choice_listed_in_help_and_checked_before_any_work(tmp_path):
    env = cli_env(COLUMNS="200")
    for args, values in ((["data", "export"], "jsonl|hf|verl|healthbench"), (["data", "import"], "healthbench")):
        res = run_cli([*args, "--help"], env=env)
        assert res.returncode == 0 and values in res.stdout, res.stdout
        # checked at parse time: the bad --format is named although PATH does not exist either
        res = run_cli([*args, str(tmp_path / "missing.jsonl"), "--format", "csv", "--out", str(tmp_path / "o")],
                      env=env)
        assert res.returncode == 2, res.stderr
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and "--format" in lines[0] and "'csv'" in lines[0]
        assert not (tmp_path / "o").exists()
