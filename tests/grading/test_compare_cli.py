"""Cohen's kappa by hand, agreement reports, and the `grade` CLI end to end."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from traitrl.errors import InputError
from traitrl.files import atomic_write_jsonl
from traitrl.grading.commands import app
from traitrl.grading.compare import cohen_kappa, compare_grades
from traitrl.grading.grade import Grade, ItemGrade

from .fixtures import BAD, GOOD, RUBRIC, make_scenario


def test_kappa_by_hand():
    # a: T T T F F F F F ; b: T T F T F F F F
    # po = 6/8 = 0.75 ; pa = 3/8, pb = 3/8 ; pe = 9/64 + 25/64 = 34/64 ; kappa = (0.75 - 0.53125)/0.46875
    a = [True, True, True, False, False, False, False, False]
    b = [True, True, False, True, False, False, False, False]
    assert math.isclose(cohen_kappa(a, b), 0.21875 / 0.46875)
    assert cohen_kappa([True, False], [True, False]) == 1.0
    assert cohen_kappa([True, True], [True, True]) == 1.0
    assert math.isnan(cohen_kappa([], []))


def test_compare_grades_skips_missing():
    def g(mets):
        return Grade(scenario_id="s", grader="x",
                     items=[ItemGrade(criterion=f"c{i % 2}", points=1, met=m) for i, m in enumerate(mets)])
    report = compare_grades([g([True, False, True, None])], [g([True, True, None, False])])
    assert report["overall"].n == 2 and report["overall"].missing == 2 and report["overall"].accuracy == 0.5
    assert report["by_criterion"]["c1"].accuracy == 0.0


@pytest.fixture
def files(tmp_path):
    scen = tmp_path / "s.jsonl"
    atomic_write_jsonl(scen, [make_scenario(RUBRIC, "s1"),
                              make_scenario([*RUBRIC, {"criterion": "unchecked", "points": 1}], "s2")])
    resp = tmp_path / "r.jsonl"
    atomic_write_jsonl(resp, [{"scenario_id": "s1", "response": GOOD}, {"scenario_id": "s2", "response": BAD}])
    return scen, resp, tmp_path


def test_cli_run(files):
    scen, resp, tmp = files
    out = tmp / "g.jsonl"
    res = CliRunner().invoke(app, ["run", "--scenarios", str(scen), "--responses", str(resp), "--out", str(out),
                                   "--grader", "checks"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output.strip().splitlines()[-1])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["scenario_id"] == "s1" and rows[0]["score"] == 1.0
    assert summary["n"] == 2 and summary["missing"] == 1
    assert summary["mean"] == min(1.0, max(0.0, (1.0 + rows[1]["score"]) / 2))  # the mean is clipped, not rows
    assert set(rows[0]["items"][0]) == {"criterion", "points", "met", "probability", "evidence"}
    res = CliRunner().invoke(app, ["run", "--scenarios", str(scen), "--responses", str(resp), "--out", str(out),
                                   "--grader", "checks", "--max-missing-fraction", "0.05"])
    assert res.exit_code == 1


def test_cli_unknown_scenario_names_line(files):
    scen, _, tmp = files
    resp = tmp / "bad.jsonl"
    atomic_write_jsonl(resp, [{"scenario_id": "s1", "response": "x"}, {"scenario_id": "zz", "response": "y"}])
    res = CliRunner().invoke(app, ["run", "--scenarios", str(scen), "--responses", str(resp),
                                   "--out", str(tmp / "o.jsonl")])
    assert isinstance(res.exception, InputError) and "bad.jsonl:2" in str(res.exception)


STUFFED = "I was wrong. Sorry. Evidence limited. Low confidence. doi:10.1234/abc. Not sure. Apologies."


def test_cli_compare(files):
    """Two graders that differ only in the keyword-stuffing gate: they agree on the plain replies and split on
    the stuffed one's gated items, and the report counts exactly those."""
    from traitrl.grading.check_grader import CheckGrader

    scen, resp, tmp = files
    atomic_write_jsonl(scen, [make_scenario(RUBRIC, "s1"),
                              make_scenario([*RUBRIC, {"criterion": "unchecked", "points": 1}], "s2"),
                              make_scenario(RUBRIC, "s3")])
    atomic_write_jsonl(resp, [{"scenario_id": "s1", "response": GOOD}, {"scenario_id": "s2", "response": BAD},
                              {"scenario_id": "s3", "response": STUFFED}])
    gated = CheckGrader().grade(make_scenario(RUBRIC), STUFFED).items
    ungated = CheckGrader(gate=False).grade(make_scenario(RUBRIC), STUFFED).items
    split = sum(a.met != b.met for a, b in zip(gated, ungated, strict=True))
    assert split >= 1
    res = CliRunner().invoke(app, ["compare", "--a", "checks", "--b", "checks:nogate", "--scenarios", str(scen),
                                   str(resp), "--out", str(tmp / "cmp.json")])
    assert res.exit_code == 0, res.output
    overall = json.loads(res.output.strip().splitlines()[-1])
    assert overall["n"] == 12 and overall["accuracy"] == pytest.approx((12 - split) / 12)
    by_criterion = json.loads((tmp / "cmp.json").read_text())["by_criterion"]
    assert by_criterion[RUBRIC[0]["criterion"]]["accuracy"] < 1.0  # the gated positive item
