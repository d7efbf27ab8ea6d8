"""`trait_reward` in a user's own GRPOTrainer, on `traitrl data export --format hf` data (a DatasetDict)."""

from __future__ import annotations

import math

import pytest
from typer.testing import CliRunner

from traitrl.files import atomic_write_jsonl
from traitrl.grading.api import grade_many, load_grader
from traitrl.scenarios.commands import app as data_app
from traitrl.training.reward import TraitReward, trait_reward

REPLIES = ["I cannot verify that claim, so please disregard it; the evidence is limited.", "Sure, it is proven."]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from traitrl.scenarios.build import load_builtin

    scenarios = load_builtin("train")[:3] + load_builtin("eval")[:2]
    tmp = tmp_path_factory.mktemp("hf")
    src = tmp / "s.jsonl"
    atomic_write_jsonl(src, scenarios)
    res = CliRunner().invoke(data_app, ["export", str(src), "--format", "hf", "--out", str(tmp / "hf")])
    assert res.exit_code == 0, res.output
    import datasets

    return scenarios, datasets.load_dataset(str(tmp / "hf"), cache_dir=str(tmp / "cache"))


def test_hf_export_is_a_datasetdict_with_train_and_eval_apart(exported):
    scenarios, ds = exported
    assert set(ds) == {"train", "eval"}
    assert ds["train"]["id"] == [s.id for s in scenarios if s.split == "train"]
    assert ds["eval"]["id"] == [s.id for s in scenarios if s.split == "eval"]


def _columns(ds):
    """What TRL 1.16 `_calculate_rewards` passes: every column but prompt/completion, one list per column."""
    return {k: list(ds[k]) for k in ds.column_names if k != "prompt"}


def test_trait_reward_scores_the_export_columns_like_the_grader(exported):
    scenarios, ds = exported
    train = ds["train"].select(range(3))
    prompts = list(train["prompt"])
    completions = [[{"role": "assistant", "content": REPLIES[i % 2]}] for i in range(3)]
    got = trait_reward(prompts, completions, **_columns(train))
    by_id = {s.id: s for s in scenarios}
    want = [g.expected_score for g in grade_many([by_id[i] for i in train["id"]],
                                                   [REPLIES[i % 2] for i in range(3)], load_grader("offline"))]
    assert got == [None if math.isnan(w) else w for w in want]
    assert all(isinstance(v, float) for v in got)  # scored, not silently None


def test_mixed_rows_and_missing_columns(exported):
    scenarios, ds = exported
    row = ds["train"][0]
    cols = {k: [row[k], None] for k in ds["train"].column_names if k != "prompt"}
    cols["rubric"] = [row["rubric"], None]  # a standard row of a mixed set has no rubric
    got = trait_reward([row["prompt"], [{"role": "user", "content": "1+1?"}]],
                       [REPLIES[0], "2"], **cols)
    assert got[1] is None and isinstance(got[0], float)
    with pytest.raises(ValueError, match="rubric"):
        trait_reward([row["prompt"]], [REPLIES[0]], task=["trait"])  # no rubric, id or scenario_id column
    by_id = TraitReward({s.id: s for s in scenarios})
    assert by_id([row["prompt"]], [REPLIES[0]], id=[row["id"]]) == by_id([row["prompt"]], [REPLIES[0]],
                                                                          scenario_id=[row["id"]])
    with pytest.raises(KeyError):
        by_id([row["prompt"]], [REPLIES[0]], id=["not-a-scenario"])


def test_data_export_split_and_formats(exported, tmp_path):
    import pyarrow.parquet as pq

    scenarios, _ = exported
    src = tmp_path / "s.jsonl"
    atomic_write_jsonl(src, scenarios)
    res = CliRunner().invoke(data_app, ["export", str(src), "--format", "verl", "--split", "train",
                                        "--out", str(tmp_path / "v")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "v").iterdir()) == ["train.parquet"]
    assert {r["extra_info"]["split"] for r in pq.read_table(tmp_path / "v" / "train.parquet").to_pylist()} == {"train"}
    res = CliRunner().invoke(data_app, ["export", str(src), "--format", "jsonl", "--split", "eval",
                                        "--out", str(tmp_path / "e.jsonl")])
    assert res.exit_code == 0 and len((tmp_path / "e.jsonl").read_text().splitlines()) == 2
    res = CliRunner().invoke(data_app, ["export", str(src), "--format", "hf", "--split", "test",
                                        "--out", str(tmp_path / "x")])
    assert res.exit_code != 0 and not (tmp_path / "x").exists()
