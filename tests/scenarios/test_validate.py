import json

import pytest
from typer.testing import CliRunner

from traitrl.errors import InputError
from traitrl.scenarios.build import load_builtin
from traitrl.scenarios.commands import app
from traitrl.scenarios.load import check_files, load_scenarios

runner = CliRunner()


def _row(**changes):
    row = load_builtin("eval")[0].model_dump(mode="json", exclude_none=True)
    row.update(changes)
    return json.dumps(row)


def _errors(tmp_path, lines):
    p = tmp_path / "bad.jsonl"
    p.write_text("\n".join(lines) + "\n")
    return check_files(p)[1]


def test_good_file_validates(tmp_path):
    assert not _errors(tmp_path, [_row(), _row(id="x2")])


@pytest.mark.parametrize("line, field", [
    ("{not json", None),
    (json.dumps({"id": "a"}), "trait"),
    (_row(messages=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]), "messages"),
    (_row(rubric=[{"criterion": "bad", "points": -2}]), "rubric"),
    (_row(id="a/b"), "id"),
    (_row(id="a..b"), "id"),
])
def test_malformed_rows(tmp_path, line, field):
    errs = _errors(tmp_path, [_row(id="ok1"), line])
    assert len(errs) == 1 and errs[0].line == 2 and errs[0].field == field
    assert errs[0].render().startswith(f"{tmp_path / 'bad.jsonl'}:2: ")


def test_nan_points_and_duplicates(tmp_path):
    nan_row = _row().replace('"points": 5.0', '"points": NaN', 1)
    errs = _errors(tmp_path, [_row(), _row(), nan_row])
    assert [e.line for e in errs] == [2, 3]
    assert "duplicate id" in errs[0].message
    with pytest.raises(InputError):
        load_scenarios(tmp_path / "bad.jsonl")


def test_cli_build_validate_stats(tmp_path):
    out = tmp_path / "ds"
    assert runner.invoke(app, ["build", "--out", str(out), "--domains", "health"]).exit_code == 0
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
    res = runner.invoke(app, ["stats", str(out), "--json", "--no-similarity"])
    st = json.loads(res.stdout)
    assert (st["n_train"], st["n_eval"]) == (15 * 10, 7 * 10) and st["sources"] == {"written": {"train": 150,
                                                                                              "eval": 70}}
    assert set(st["cells"]) == {f"{t}|health" for t in {k.split("|")[0] for k in st["cells"]}}
    res = runner.invoke(app, ["overlap", str(out)])
    assert json.loads(res.stdout)["max_eval_train_overlap"] <= 0.2
    templates = tmp_path / "tp"
    assert runner.invoke(app, ["build", "--out", str(templates), "--source", "templates", "--domains",
                               "health"]).exit_code == 0
    st = json.loads(runner.invoke(app, ["stats", str(templates), "--json", "--no-similarity"]).stdout)
    assert st["n_train"] == 15 * 23 and st["sources"] == {"builtin": {"train": 15 * 23, "eval": 7 * 9}}
    bad = runner.invoke(app, ["build", "--out", str(tmp_path / "x"), "--source", "nope"])
    assert bad.exit_code != 0 and "--source" in str(bad.exception) and not (tmp_path / "x").exists()
    (out / "train.jsonl").write_text((out / "train.jsonl").read_text() + "{oops\n")
    res = runner.invoke(app, ["validate", str(out)])
    assert res.exit_code == 2 and "train.jsonl:151: invalid JSON" in res.stderr


@pytest.mark.parametrize("points", ["4", True])
def test_points_must_be_a_json_number_not_a_string_or_a_boolean(tmp_path, points):
    rubric = json.loads(_row())["rubric"]
    rubric[0]["points"] = points
    [err] = _errors(tmp_path, [_row(rubric=rubric)])
    assert (err.line, err.field) == (1, "rubric.0.points") and "valid number" in err.message


def test_a_json_syntax_error_names_the_file_line_and_its_column_only(tmp_path):
    [err] = _errors(tmp_path, [_row(), '{"id": "x", b}'])
    expecting = "invalid JSON (Expecting property name enclosed in double quotes"
    assert err.line == 2 and err.message == f"{expecting} at column 13)"
    [err] = _errors(tmp_path, [_row(), '{"id": "x",'])  # json itself would say "line 2": the break at the line's end
    assert err.line == 2 and err.message == f"{expecting} at the end of the line)"
