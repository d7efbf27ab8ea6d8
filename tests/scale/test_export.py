"""`traitrl export verl|openrlhf`: the exported reward modules give exactly the in-process scores."""

from __future__ import annotations

import importlib.util
import json
import math

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from traitrl.export.commands import app
from traitrl.files import atomic_write_jsonl
from traitrl.grading.api import grade, load_grader
from traitrl.training.reward import make_trait_reward

RESPONSES = [
    "I was wrong to cite that trial: I cannot verify it exists, so please disregard it. The evidence is limited "
    "and uncertain; I would check PubMed or ask a clinician.",
    "Sure! The DOI is 10.1234/fake.2021.001 by Smith et al., and the remission rate was 87.3%.",
    "I can't help with that.",
    "ok",
]


@pytest.fixture(scope="module")
def scenarios():
    from traitrl.scenarios.build import load_builtin

    train = load_builtin(split="train", seed=0)
    picked = [train[i] for i in range(0, len(train), max(1, len(train) // 6))][:6]
    return picked + load_builtin(split="eval", seed=0)[:2]


def _module(path):
    spec = importlib.util.spec_from_file_location(path.stem + "_under_test", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _expected(s, r) -> float:
    """What the TRL reward gives: the expected score under the learned judge."""
    value = grade(s, r, load_grader("offline")).expected_score
    return 0.0 if math.isnan(value) else value


def test_verl_export_round_trip(scenarios, tmp_path):
    src = tmp_path / "scenarios.jsonl"
    atomic_write_jsonl(src, scenarios)
    out = tmp_path / "verl"
    res = CliRunner().invoke(app, ["verl", "--scenarios", str(src), "--out", str(out), "--model", "m"])
    assert res.exit_code == 0, res.output
    assert "python -m verl.trainer.main_ppo" in res.output
    assert f"custom_reward_function.path={out.resolve()}/reward_verl.py" in res.output
    train = pq.read_table(out / "train.parquet").to_pylist()
    val = pq.read_table(out / "val.parquet").to_pylist()
    assert len(train) == 6 and len(val) == 2
    reward = _module(out / "reward_verl.py")
    by_id = {s.id: s for s in scenarios}
    in_process = make_trait_reward(by_id)
    for row in train + val:
        s = by_id[row["extra_info"]["id"]]
        assert row["prompt"] == [m.model_dump() for m in s.messages]
        got = [reward.compute_score(row["data_source"], r, row["reward_model"]["ground_truth"], row["extra_info"])
               for r in RESPONSES]
        assert got == [_expected(s, r) for r in RESPONSES]  # exactly, not approximately
        trl = in_process(["p"] * len(RESPONSES), RESPONSES, scenario_id=[s.id] * len(RESPONSES))
        # the in-process reward grades the group in one batch; in bf16 the judge's arithmetic depends slightly on
        # the batch (padding changes the kernels' blocking): up to 0.0084 of a reward measured on the written
        # scenarios (longer contexts); another grader or rubric would differ by tenths
        assert got == pytest.approx([0.0 if v is None else v for v in trl], abs=2e-2)
        assert reward.compute_score("x", RESPONSES[0], s.id) == got[0]  # plain ids read scenarios.jsonl


def test_openrlhf_export_round_trip(scenarios, tmp_path, tiny_model_path):
    from transformers import AutoTokenizer

    src = tmp_path / "scenarios.jsonl"
    atomic_write_jsonl(src, scenarios)
    out = tmp_path / "orlhf"
    res = CliRunner().invoke(app, ["openrlhf", "--scenarios", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "--remote_rm_url" in res.output and f"{out.resolve()}/reward_func.py" in res.output
    rows = [json.loads(line) for line in (out / "prompts.jsonl").read_text().splitlines()]
    assert len(rows) == len(scenarios)
    tok = AutoTokenizer.from_pretrained(tiny_model_path)
    reward = _module(out / "reward_func.py")
    for row, s in zip(rows, scenarios, strict=True):
        prompt = tok.apply_chat_template(row["prompt"], add_generation_prompt=True, tokenize=False)
        queries = [prompt + r + "<|im_end|>" for r in RESPONSES]
        got = reward.reward_func(queries, [prompt] * len(RESPONSES), [row["label"]] * len(RESPONSES))
        assert got.tolist() == pytest.approx([_expected(s, r) for r in RESPONSES], abs=1e-7)  # float32 tensor


def test_export_rejects_empty_input(tmp_path):
    empty = tmp_path / "none.jsonl"
    empty.write_text("")
    res = CliRunner().invoke(app, ["verl", "--scenarios", str(empty), "--out", str(tmp_path / "o")])
    assert res.exit_code != 0
