import json

import pyarrow.parquet as pq
from typer.testing import CliRunner

from traitrl.scenarios.build import load_builtin
from traitrl.scenarios.commands import app
from traitrl.scenarios.export import export_scenarios
from traitrl.scenarios.filters import filter_scenarios
from traitrl.scenarios.healthbench import read_healthbench, write_healthbench
from traitrl.scenarios.load import load_scenarios

runner = CliRunner()


def test_filters():
    s = load_builtin("train")
    assert {x.domain for x in filter_scenarios(s, domains="health")} == {"health"}
    rest = filter_scenarios(s, exclude_domains="health,science")
    assert not {x.domain for x in rest} & {"health", "science"} and len(rest) == len(s) * 10 // 12
    assert {x.trait for x in filter_scenarios(s, traits="epistemic_humility")} == {
        "truthfulness", "metacognitive_transparency"}


def test_healthbench_round_trip(tmp_path):
    scenarios = load_builtin()[::7]
    write_healthbench(scenarios, tmp_path / "hb.jsonl")
    row = json.loads((tmp_path / "hb.jsonl").read_text().splitlines()[0])
    assert {"prompt", "rubrics", "prompt_id"} <= set(row) and {"criterion", "points", "tags"} <= set(row["rubrics"][0])
    assert read_healthbench(tmp_path / "hb.jsonl") == scenarios


def test_plain_healthbench_import(tmp_path):
    row = {"prompt_id": "hb1", "prompt": [{"role": "user", "content": "My chest hurts, what should I do?"}],
           "rubrics": [{"criterion": "Advises emergency care", "points": 8, "tags": ["axis:accuracy"]},
                       {"criterion": "Diagnoses with certainty", "points": -5, "tags": []}],
           "example_tags": ["theme:emergency_referrals"]}
    (tmp_path / "hb.jsonl").write_text(json.dumps(row) + "\n")
    res = runner.invoke(app, ["import", str(tmp_path / "hb.jsonl"), "--format", "healthbench",
                              "--out", str(tmp_path / "out.jsonl")])
    assert res.exit_code == 0, res.output
    (s,) = load_scenarios(tmp_path / "out.jsonl")
    assert s.source == "healthbench" and s.domain == "health" and s.rubric[1].points == -5


def test_exports_readable(tmp_path):
    scenarios = load_builtin("eval")[:40]
    assert export_scenarios(scenarios, "verl", tmp_path / "v") == {"eval": tmp_path / "v" / "eval.parquet"}
    export_scenarios(scenarios, "hf", tmp_path / "h")
    export_scenarios(scenarios, "jsonl", tmp_path / "s.jsonl")
    t = pq.read_table(tmp_path / "v" / "eval.parquet").to_pylist()
    assert t[0]["reward_model"]["style"] == "rule" and t[0]["prompt"][0]["role"] == "user"
    # the label the exported verl reward reads: the whole scenario, rubric included
    assert json.loads(t[0]["reward_model"]["ground_truth"])["rubric"][0]["criterion"] == \
        scenarios[0].rubric[0].criterion
    assert {"data_source", "ability", "extra_info"} <= set(t[0])
    import datasets

    ds = datasets.Dataset.from_parquet(str(tmp_path / "h" / "eval.parquet"))
    assert len(ds) == 40 and ds[0]["id"] == scenarios[0].id
    assert load_scenarios(tmp_path / "s.jsonl") == scenarios


def test_healthbench_example_tags_survive_import_and_export(tmp_path):
    tags = ["theme:emergency_referrals", "physician_agreed_category:emergent", "domain:health"]
    row = {"prompt_id": "hb2", "prompt": [{"role": "user", "content": "My chest hurts, what should I do?"}],
           "rubrics": [{"criterion": "Advises emergency care", "points": 8, "tags": ["axis:accuracy"]}],
           "example_tags": tags}
    (tmp_path / "hb.jsonl").write_text(json.dumps(row) + "\n")
    res = runner.invoke(app, ["import", str(tmp_path / "hb.jsonl"), "--out", str(tmp_path / "s.jsonl")])
    assert res.exit_code == 0, res.output
    (s,) = load_scenarios(tmp_path / "s.jsonl")  # validated as any scenario file
    assert s.meta["example_tags"] == tags and s.domain == "health"
    res = runner.invoke(app, ["export", str(tmp_path / "s.jsonl"), "--format", "healthbench",
                              "--out", str(tmp_path / "back.jsonl")])
    assert res.exit_code == 0, res.output
    (back,) = [json.loads(x) for x in (tmp_path / "back.jsonl").read_text().splitlines()]
    assert back["example_tags"] == tags
    assert read_healthbench(tmp_path / "back.jsonl") == [s]
