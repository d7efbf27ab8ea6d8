"""Bad input corpus: every malformed file is refused with exit code 2 and one line naming file, line, field.

Each file in `bad_inputs/` carries exactly one defect (see `make_bad_inputs.py`). The CLI's `main()` runs
in-process for the whole corpus (fast); one file per command, and the 50 MB line, also go through a real
subprocess to check the exit status and that no traceback reaches the user. No output file may appear.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .helpers import run_cli

BAD = Path(__file__).parent / "bad_inputs"
GOOD_SCENARIOS = BAD / "good_scenarios.jsonl.txt"

# file -> (line or None where the defect has none, field named in the message or None, words in the message)
EXPECTED: dict[str, tuple[int | None, str | None, str]] = {
    "scenario_invalid_json.jsonl": (2, None, "invalid JSON"),
    "scenario_truncated_last_line.jsonl": (2, None, "invalid JSON"),
    "scenario_points_wrong_type.jsonl": (1, "rubric.0.points", "valid number"),
    "scenario_missing_messages.jsonl": (1, "messages", "Field required"),
    "scenario_nan_points.jsonl": (1, "rubric.0.points", "non-finite"),
    "scenario_infinity_points.jsonl": (1, "rubric.1.points", "non-finite"),
    "scenario_overflow_points.jsonl": (1, "rubric.0.points", "non-finite"),
    "scenario_zero_points.jsonl": (1, "rubric.1.points", "non-zero"),
    "scenario_empty_rubric.jsonl": (1, "rubric", "rubric is empty"),
    "scenario_no_positive_item.jsonl": (1, "rubric", "no positive"),
    "scenario_duplicate_ids.jsonl": (2, "id", "duplicate id"),
    "scenario_unknown_role.jsonl": (1, "messages.0.role", "'user'"),
    "scenario_ends_on_assistant.jsonl": (1, "messages", "end with a user turn"),
    "scenario_empty_conversation.jsonl": (1, "messages", "empty"),
    "scenario_non_utf8.jsonl": (2, None, "UTF-8"),
    "scenario_deeply_nested.jsonl": (1, None, "nested deeper"),
    "scenario_id_with_slash.jsonl": (1, "id", "without '..'"),
    "scenario_id_with_dotdot.jsonl": (1, "id", "without '..'"),
    "scenario_id_parent_dir.jsonl": (1, "id", "without '..'"),
    "scenario_unknown_key.jsonl": (1, "rubrik", "Extra inputs"),
    "scenario_row_not_object.jsonl": (1, "<row>", "dictionary"),
    "bench_invalid_json.jsonl": (2, None, "invalid JSON"),
    "bench_truncated_last_line.jsonl": (2, None, "invalid JSON"),
    "bench_one_choice.jsonl": (1, "choices", "at least 2"),
    "bench_aligned_wrong_type.jsonl": (1, "aligned.int", "integer"),
    "bench_nan.jsonl": (1, "aligned", "non-finite"),
    "bench_rubric_empty.jsonl": (1, "rubric", "rubric is empty"),
    "bench_rubric_no_positive.jsonl": (1, "rubric", "no positive"),
    "bench_ends_on_assistant.jsonl": (1, "messages", "end with a user turn"),
    "bench_unknown_role.jsonl": (1, "messages.0.role", "'user'"),
    "bench_refusal_wrong_type.jsonl": (1, "should_refuse", "boolean"),
    "bench_id_dotdot.jsonl": (1, "id", "without '..'"),
    "bench_duplicate_ids.jsonl": (2, "id", "duplicate id"),
    "bench_non_utf8.jsonl": (1, None, "UTF-8"),
    "bench_deeply_nested.jsonl": (1, None, "nested deeper"),
    "config_invalid_yaml.yaml": (3, None, "invalid YAML"),
    "config_unknown_key.yaml": (4, "train.stepz", "Extra inputs"),
    "config_wrong_type.yaml": (3, "train.steps", "integer"),
    "config_share_out_of_range.yaml": (2, "trait_share", "less than or equal to 1"),
    "config_nan_share.yaml": (2, "trait_share", "finite"),
    "config_infinite_learning_rate.yaml": (3, "train.learning_rate", "finite"),
    "config_rl_arm_without_baseline.yaml": (2, "arms", "baseline"),
    "config_unknown_arm.yaml": (2, "arms.2", "'baseline'"),
    "config_not_a_mapping.yaml": (None, "<row>", "dictionary"),
    "config_non_utf8.yaml": (None, None, "UTF-8"),
    "config_tab_indent.yaml": (3, None, "invalid YAML"),
    "responses_invalid_json.jsonl": (2, None, "invalid JSON"),
    "responses_truncated_last_line.jsonl": (2, None, "invalid JSON"),
    "responses_missing_response.jsonl": (1, "response", "Field required"),
    "responses_wrong_type.jsonl": (1, "response", "valid string"),
    "responses_unknown_scenario_after_blank_line.jsonl": (3, "scenario_id", "unknown scenario_id"),
    "responses_empty_scenario_id.jsonl": (1, "scenario_id", "at least 1 character"),
    "responses_nan.jsonl": (1, "score", "non-finite"),
    "responses_non_utf8.jsonl": (1, None, "UTF-8"),
    "responses_deeply_nested.jsonl": (1, None, "nested deeper"),
}


def cli_args(path: Path, out: Path, model: Path) -> list[str]:
    kind = path.name.split("_", 1)[0]
    if kind == "scenario":
        return ["data", "validate", str(path)]
    if kind == "bench":
        return ["eval", "--model", str(model), "--suite", "none", "--benchmark-file", str(path), "--out", str(out)]
    if kind == "config":
        return ["experiment", "validate", str(path)]
    assert kind == "responses", path
    return ["grade", "run", "--scenarios", str(GOOD_SCENARIOS), "--responses", str(path), "--out", str(out)]


def check_refusal(path: Path, rc: int, stderr: str, out: Path, expected: tuple[int | None, str | None, str]):
    line, field, words = expected
    lines = [x for x in stderr.splitlines() if x.strip()]
    assert rc == 2, (rc, stderr)
    assert len(lines) == 1, stderr
    msg = lines[0]
    assert "Traceback" not in stderr
    where = f"{path}:{line}:" if line is not None else f"{path}:"
    assert where in msg, msg
    if field is not None:
        assert f": {field}:" in msg or f" at {field} " in msg, msg
    assert words in msg, msg
    assert not out.exists(), f"{out} was written"


@pytest.fixture(scope="module")
def main():
    from .cli_runner import _stub_missing

    _stub_missing()
    from traitrl.cli import main

    return main


def test_corpus_is_complete():
    files = {p.name for p in BAD.iterdir() if p.name != GOOD_SCENARIOS.name}
    assert files == set(EXPECTED), files ^ set(EXPECTED)
    assert len(files) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_refused(name, main, tmp_path, capsys, monkeypatch, tiny_model_path):
    path, out = BAD / name, tmp_path / "out"
    monkeypatch.setenv("TRAITRL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "argv", ["traitrl", *cli_args(path, out, tiny_model_path)])
    with pytest.raises(SystemExit) as e:
        main()
    check_refusal(path, e.value.code, capsys.readouterr().err, out, EXPECTED[name])


@pytest.mark.parametrize("name", ["scenario_nan_points.jsonl", "bench_id_dotdot.jsonl",
                                  "config_unknown_key.yaml", "responses_truncated_last_line.jsonl"])
def test_bad_file_in_a_real_process(name, tmp_path, tiny_model_path):
    path, out = BAD / name, tmp_path / "out"
    proc = run_cli(cli_args(path, out, tiny_model_path))
    check_refusal(path, proc.returncode, proc.stderr, out, EXPECTED[name])


@pytest.mark.parametrize("kind", ["scenario", "bench", "responses"])
def test_50_mb_line_is_refused_without_reading_it_as_json(kind, tmp_path, tiny_model_path):
    path, out = tmp_path / f"{kind}_huge_line.jsonl", tmp_path / "out"
    with open(path, "wb") as fh:
        fh.write(b'{"id": "x", "prompt": "' + b"a" * (50 * 1024 * 1024) + b'"}\n')
    proc = run_cli(cli_args(path, out, tiny_model_path))
    check_refusal(path, proc.returncode, proc.stderr, out, (1, None, "line longer than"))
