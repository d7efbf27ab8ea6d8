"""Paths and references that cannot be used as given: one line naming the path, exit 2, nothing written.

A folder where a file goes (or a file where a folder goes), a grader or reward function that an export would
carry to a cluster where it fails, a broken judge folder, a HealthBench row of the wrong shape, a corrupt
packed stage. Found by probing every command that reads user files; they used to end in tracebacks or exit 0.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path

import pytest

from .test_bad_inputs import GOOD_SCENARIOS

WEIGHTS = Path(__file__).resolve().parents[2] / "src" / "traitrl" / "grading" / "learned" / "weights"


@pytest.fixture
def cli(tmp_path, capsys, monkeypatch):
    """Run `traitrl ARGS` in-process; returns (exit code, the stderr lines)."""
    from .cli_runner import _stub_missing

    _stub_missing()
    from traitrl.cli import main

    monkeypatch.setenv("TRAITRL_CACHE", str(tmp_path / "cache"))

    def run(*args: str) -> tuple[int, list[str]]:
        monkeypatch.setattr(sys, "argv", ["traitrl", *args])
        with pytest.raises(SystemExit) as e:
            main()
        return e.value.code, [x for x in capsys.readouterr().err.splitlines() if x.strip()]

    return run


def test_a_folder_where_a_file_is_read(cli, tmp_path):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    assert cli("data", "validate", str(folder)) == (2, [f"error: {folder}: directory holds no .jsonl file"])
    for args in (["data", "import", str(folder), "--out", str(tmp_path / "g.jsonl")],
                 ["experiment", "validate", str(folder)],
                 ["grade", "run", "--scenarios", str(GOOD_SCENARIOS), "--responses", str(folder),
                  "--grader", "checks", "--out", str(tmp_path / "g.jsonl")]):
        assert cli(*args) == (2, [f"error: {folder}: is a folder, expected a file"]), args
    assert not (tmp_path / "g.jsonl").exists()


def test_an_output_path_that_cannot_be_written(cli, tmp_path, tiny_model_path):
    folder, a_file = tmp_path / "a_folder", tmp_path / "a_file"
    folder.mkdir()
    a_file.write_text("x")
    export = ["data", "export", str(GOOD_SCENARIOS), "--format", "jsonl", "--split", "all", "--out"]
    assert cli(*export, str(folder)) == (2, [f"error: {folder}: is a folder, expected a file"])
    assert cli(*export, str(a_file / "x.jsonl")) == (2, [f"error: {a_file}: is a file, expected a folder"])
    assert list(folder.iterdir()) == [] and a_file.read_text() == "x"
    # eval checks its --out before any work (it used to evaluate everything, then fail to write)
    code, err = cli("eval", "--model", str(tiny_model_path), "--suite", "truthfulqa_mc1", "--limit", "1",
                    "--out", str(a_file / "run"))
    assert (code, err) == (2, [f"error: {a_file}: --out: is a file, expected a folder"])


def test_export_refuses_what_would_fail_on_the_cluster(cli, tmp_path):
    broken = tmp_path / "broken_judge"
    broken.mkdir()
    (broken / "reader.json").write_text("{\n")
    reward = tmp_path / "reward.py"
    reward.write_text("def score(prompts, outputs):\n    return [0.0] * len(outputs)\n")
    (tmp_path / "bad.py").write_text("def score(:\n")
    cases = [
        (["verl", "--grader", "bogus"], "error: --grader: unknown grader 'bogus'"),
        (["openrlhf", "--grader", f"offline@{tmp_path / 'nope'}"], "error: --grader: grader 'offline@"),
        (["verl", "--grader", f"offline@{broken}"], f"error: {broken / 'reader.json'}: not valid JSON"),
        (["openrlhf", "--grader", "checks", "--fallback-reward", f"{reward}:nosuch"],
         f"error: {reward}: --fallback-reward: defines no top-level function 'nosuch'"),
        (["openrlhf", "--grader", "checks", "--fallback-reward", f"{tmp_path / 'bad.py'}:score"],
         f"error: {tmp_path / 'bad.py'}:1: --fallback-reward: not valid Python"),
    ]
    for args, start in cases:
        out = tmp_path / "out"
        code, err = cli("export", *args, "--scenarios", str(GOOD_SCENARIOS), "--split", "all", "--out", str(out))
        assert code == 2 and len(err) == 1 and err[0].startswith(start), (args, err)
        assert not out.exists(), args
    code, _ = cli("export", "openrlhf", "--grader", "checks", "--fallback-reward", f"{reward}:score",
                  "--scenarios", str(GOOD_SCENARIOS), "--split", "all", "--out", str(tmp_path / "out"))
    assert code in (0, None) and (tmp_path / "out" / "reward_func.py").exists()


def test_an_ensemble_with_a_broken_member_writes_nothing(cli, tmp_path):
    good, broken = tmp_path / "good", tmp_path / "broken"
    shutil.copytree(WEIGHTS, good)  # the shipped judge: one fitted reader
    broken.mkdir()
    (broken / "reader.json").write_text("[1, 2]")
    out = tmp_path / "ensemble"
    code, err = cli("grade", "ensemble-judge", str(good), str(broken), "--out", str(out))
    assert (code, err) == (2, [f"error: {broken / 'reader.json'}: expected a JSON object"])
    assert not out.exists()


def test_a_healthbench_row_of_the_wrong_shape_names_its_field(tmp_path):
    from traitrl.errors import InputError
    from traitrl.scenarios.healthbench import read_healthbench

    good = {"prompt_id": "p1", "prompt": [{"role": "user", "content": "My chest hurts."}],
            "rubrics": [{"criterion": "Advises urgent care", "points": 5, "tags": []}]}
    for change, field in (({"rubrics": 5}, "rubrics"), ({"rubrics": ["Advises urgent care"]}, "rubrics.0"),
                          ({"rubrics": [{"points": 5}]}, "rubrics.0.criterion"),
                          ({"example_tags": 3}, "example_tags"), ({"traitrl": "x"}, "traitrl"),
                          ({"ideal_completions_data": "x"}, "ideal_completions_data")):
        path = tmp_path / "hb.jsonl"
        path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "prompt_id": "p2", **change}) + "\n")
        with pytest.raises(InputError) as e:
            read_healthbench(path)
        assert (e.value.file, e.value.line, e.value.field) == (str(path), 2, field), e.value
    path.write_text(json.dumps(good) + "\n")
    assert [s.id for s in read_healthbench(path)] == ["p1"]


def test_a_corrupt_packed_stage_is_not_restored_half_way(cli, tmp_path):
    from traitrl.experiments.portable import PACKED

    packed = tmp_path / "packed" / "stages"
    for name, rows in (("a-good", gzip.compress(b'{"x": 1}\n')), ("b-corrupt", b"not gzip")):
        (packed / name).mkdir(parents=True)
        (packed / name / PACKED).write_text("{}")
        (packed / name / "DONE.json").write_text("{}")
        (packed / name / "items.jsonl.gz").write_bytes(rows)
    run = tmp_path / "run"
    code, err = cli("experiment", "restore", str(tmp_path / "packed"), str(run))
    assert code == 2 and err == [f"error: {packed / 'b-corrupt' / 'items.jsonl.gz'}: cannot unpack "
                                 "(Not a gzipped file (b'no'))"]
    assert sorted(p.name for p in (run / "stages").iterdir()) == ["a-good"]
    assert (run / "stages" / "a-good" / "items.jsonl").read_text() == '{"x": 1}\n'
    empty = tmp_path / "empty_pack"
    (empty / "stages").mkdir(parents=True)  # a wrong folder or an interrupted pack: said, not "0 restored"
    assert cli("experiment", "restore", str(empty), str(tmp_path / "run2")) == (
        2, [f"error: {empty / 'stages'}: holds no packed stages"])
    assert not (tmp_path / "run2").exists()


def test_a_nested_key_is_found_on_its_own_line_not_on_a_namesake(tmp_path):
    """The line of `persistence.steering.limit` is that key's, not the first `limit:` in the file."""
    from pydantic import BaseModel, ConfigDict, Field

    from traitrl.errors import InputError
    from traitrl.files import load_yaml_model

    class Steering(BaseModel):
        model_config = ConfigDict(extra="forbid")
        limit: int = Field(1, ge=1)

    class Persistence(BaseModel):
        model_config = ConfigDict(extra="forbid")
        limit: int = 1
        steering: Steering = Steering()
        doses: list[int] = []

    class Config(BaseModel):
        model_config = ConfigDict(extra="forbid")
        limit: int = 1
        persistence: Persistence = Persistence()

    path = tmp_path / "c.yaml"
    for text, line, field in (("limit: 4\npersistence:\n  limit: 4\n  steering:\n    limit: 0\n", 5,
                               "persistence.steering.limit"),
                              ("limit: 4\npersistence:\n  doses:\n    - 1\n    - x\n", 5, "persistence.doses.1"),
                              ("limit: 4\npersistence:\n  steering:\n    limt: 2\n", 4, "persistence.steering.limt")):
        path.write_text(text)
        with pytest.raises(InputError) as e:
            load_yaml_model(path, Config)
        assert (e.value.line, e.value.field) == (line, field), e.value


def test_an_empty_scenario_file_is_an_error_not_zero_scenarios(cli, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    for args in (["data", "stats", str(empty)], ["data", "export", str(empty), "--format", "hf",
                                                  "--out", str(tmp_path / "hf")]):
        assert cli(*args) == (2, [f"error: {empty}: holds no scenarios"]), args
    assert not (tmp_path / "hf").exists()


def test_grade_run_refuses_duplicate_scenario_ids_and_generate_its_bad_arguments(cli, tmp_path):
    rows = GOOD_SCENARIOS.read_text().splitlines()
    dup = tmp_path / "dup.jsonl"
    dup.write_text("\n".join([rows[0], rows[0]]) + "\n")
    responses = tmp_path / "r.jsonl"
    responses.write_text(json.dumps({"scenario_id": json.loads(rows[0])["id"], "response": "ok"}) + "\n")
    code, err = cli("grade", "run", "--scenarios", str(dup), "--responses", str(responses), "--grader", "checks",
                    "--out", str(tmp_path / "g.jsonl"))
    assert code == 2 and len(err) == 1 and err[0].startswith(f"error: {dup}:2: id: duplicate id")
    generate = ["data", "generate", "--model", "m", "--trait", "corrigibility", "--domain", "health",
                "--out", str(tmp_path / "g.jsonl")]
    assert cli(*generate, "--base-url", "notaurl") == (2, ["error: --base-url: expected an http(s):// URL, got "
                                                          "'notaurl'"])
    code, err = cli(*generate, "--base-url", "http://127.0.0.1:9/v1", "-n", "0")
    assert code == 2 and len(err) == 1 and "'-n' / '--n'" in err[0]
    assert not (tmp_path / "g.jsonl").exists()


def test_a_gold_folder_with_a_bad_row_names_its_file_line_and_field(tmp_path):
    from traitrl.errors import InputError
    from traitrl.grading.gold import load_gold

    scenario = json.loads(GOOD_SCENARIOS.read_text().splitlines()[0])
    scenario["meta"] = {**scenario.get("meta", {}), "gold_split": "dev"}
    n = len(scenario["rubric"])
    reply = {"id": "r1", "scenario_id": scenario["id"], "kind": "excellent", "text": "A reply."}
    read = {"reply_id": "r1", "rater": "a", "met": [False] * n}

    def folder(scenarios, replies, reads):
        d = tmp_path / f"gold{len(list(tmp_path.iterdir()))}"
        d.mkdir()
        for name, rows in (("scenarios.jsonl", scenarios), ("replies-1.jsonl", replies), ("verdicts-1.jsonl", reads)):
            (d / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
        return d

    assert len(load_gold(folder([scenario], [reply], [read])).verdicts) == n
    cases = [
        (([{**scenario, "meta": {"gold_split": "holdout"}}], [reply], [read]), "scenarios.jsonl", 1, "meta.gold_split"),
        (([scenario], [reply, {**reply, "id": "r2", "scenario_id": "nope"}], [read]), "replies-1.jsonl", 2,
         "scenario_id"),
        (([scenario], [reply], [read, {**read, "reply_id": "r9"}]), "verdicts-1.jsonl", 2, "reply_id"),
        (([scenario], [reply], [{**read, "met": [False] * (n + 1)}]), "verdicts-1.jsonl", 1, "met"),
        (([scenario], [reply], [{**read, "met": ["no"] * n}]), "verdicts-1.jsonl", 1, "met.0"),
    ]
    for rows, name, line, field in cases:
        d = folder(*rows)
        with pytest.raises(InputError) as e:
            load_gold(d)
        assert (e.value.file, e.value.line, e.value.field) == (str(d / name), line, field), e.value


def test_a_yaml_key_given_twice_is_an_error_not_the_last_one_silently(cli, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("name: x\nseeds: [0]\ntrain:\n  steps: 3\n  steps: 4\n")
    assert cli("experiment", "validate", str(config)) == (
        2, [f"error: {config}:5: invalid YAML (key 'steps' given twice (lines 4 and 5))"])
    config.write_text("name: x\ntrain:\n  steps: 3\neval:\n  steps: 3\n")  # the same key in two mappings is fine
    from traitrl.files import read_yaml

    assert read_yaml(config) == {"name": "x", "train": {"steps": 3}, "eval": {"steps": 3}}


def test_the_accelerate_launcher_checks_its_inputs_before_handing_over(cli, tmp_path, monkeypatch):
    import traitrl.training.launch as launch

    monkeypatch.setattr(launch, "exec_accelerate", lambda *a, **k: pytest.fail("handed over with bad input"))
    good_accelerate = Path(__file__).resolve().parents[2] / "configs" / "accelerate" / "ddp.yaml"
    typo = tmp_path / "t.yaml"
    typo.write_text("steps: 3\nstepz: 4\n")
    bad_accelerate = tmp_path / "acc.yaml"
    bad_accelerate.write_text("num_processes: [1\n")
    launch_args = ["train", "--launcher", "accelerate", "--num-processes", "1", "--out", str(tmp_path / "run")]
    assert cli(*launch_args, "--accelerate-config", str(good_accelerate), "--config", str(typo)) == (
        2, [f"error: {typo}:2: stepz: Extra inputs are not permitted"])
    typo.write_text("steps: 3\n")
    code, err = cli(*launch_args, "--accelerate-config", str(bad_accelerate), "--config", str(typo))
    assert code == 2 and len(err) == 1 and err[0].startswith(f"error: {bad_accelerate}:") and "invalid YAML" in err[0]


def test_empty_configs_and_responses_are_errors_not_defaults_or_nothing(cli, tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("\n")
    assert cli("experiment", "validate", str(empty)) == (2, [f"error: {empty}: the file is empty"])
    responses = tmp_path / "r.jsonl"
    responses.write_text("")
    out = tmp_path / "g.jsonl"
    assert cli("grade", "run", "--scenarios", str(GOOD_SCENARIOS), "--responses", str(responses), "--grader",
               "checks", "--out", str(out)) == (2, [f"error: {responses}: holds no responses"])
    assert not out.exists()
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "scenarios.jsonl").write_text("")
    assert cli("grade", "calibrate", "--grader", "checks", "--gold", str(gold), "--split", "all") == (
        2, [f"error: {gold / 'scenarios.jsonl'}: holds no scenarios"])


def test_report_refuses_nan_in_results_like_every_other_reader(cli, tmp_path):
    (tmp_path / "results.json").write_text('{"name": "x", "arms": {"trait": {"mean": NaN}}}')
    code, err = cli("report", str(tmp_path), "--out", str(tmp_path / "report"))
    assert code == 2 and len(err) == 1 and "non-finite number nan at arms.trait.mean" in err[0]
    assert not (tmp_path / "report").exists()


def test_compare_refuses_an_item_scored_twice_in_one_run(cli, tmp_path):
    results = {"model": "m", "benchmarks": {"b": {"category": "misalignment_spec", "mean": 0.5, "n": 2}}}
    rows = [{"benchmark": "b", "item_id": "b:1", "score": 1.0}, {"benchmark": "b", "item_id": "b:2", "score": 0.0}]
    for name, items in (("a", rows), ("b", [*rows, {**rows[0], "score": 0.0}])):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_text(json.dumps(results))
        (tmp_path / name / "items.jsonl").write_text("".join(json.dumps(r) + "\n" for r in items))
    assert cli("compare", str(tmp_path / "a"), str(tmp_path / "a"), "--json")[0] in (0, None)
    assert cli("compare", str(tmp_path / "a"), str(tmp_path / "b")) == (
        2, [f"error: {tmp_path / 'b' / 'items.jsonl'}:3: item_id: item 'b:1' of 'b' again (first on line 1)"])


def test_config_numbers_given_as_booleans_or_strings_are_refused(cli, tmp_path):
    config = tmp_path / "c.yaml"
    for text, line, field in (("name: x\nseeds: [0, true]\n", 2, "seeds.1"),
                              ("name: x\narm_seeds:\n  trait: ['1']\n", 3, "arm_seeds.trait.0")):
        config.write_text(text)
        assert cli("experiment", "validate", str(config)) == (
            2, [f"error: {config}:{line}: {field}: Input should be a valid integer"]), text
