"""`traitrl export verl|openrlhf`: the exported reward modules give exactly the in-process scores on trait rows,
route every other row to the standard scorer, keep held-out scenarios out of training files, and mix."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import stat

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tests.scale.gsm8k_rows import gsm8k_items, openrlhf_gsm8k, verl_gsm8k
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


@pytest.fixture
def src(scenarios, tmp_path):
    path = tmp_path / "scenarios.jsonl"
    atomic_write_jsonl(path, scenarios)
    return path


def _module(path):
    spec = importlib.util.spec_from_file_location(path.stem + "_under_test", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _expected(s, r) -> float:
    """What the TRL reward gives: the expected score under the learned judge."""
    value = grade(s, r, load_grader("offline")).expected_score
    return 0.0 if math.isnan(value) else value


def _eval_ids(scenarios) -> set[str]:
    return {s.id for s in scenarios if s.split == "eval"}


def _ids_in(folder) -> set[str]:
    """Every scenario id mentioned in any file of an export folder."""
    found = set()
    for f in folder.iterdir():
        if f.suffix == ".parquet":
            for row in pq.read_table(f).to_pylist():
                found.add((row.get("extra_info") or {}).get("id"))
        elif f.suffix == ".jsonl":
            for line in f.read_text().splitlines():
                found.add(json.loads(line).get("id"))
    return found - {None}


def test_verl_export_round_trip(scenarios, src, tmp_path):
    out = tmp_path / "verl"
    res = CliRunner().invoke(app, ["verl", "--scenarios", str(src), "--out", str(out), "--model", "m",
                                   "--split", "all"])
    assert res.exit_code == 0, res.output
    assert "python -m verl.trainer.main_ppo" in res.output
    assert f"reward.custom_reward_function.path={out.resolve()}/reward_verl.py" in res.output
    assert "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=" in res.output
    assert "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=" in res.output
    train = pq.read_table(out / "train.parquet").to_pylist()
    val = pq.read_table(out / "val.parquet").to_pylist()
    assert len(train) == 6 and len(val) == 2
    assert {r["extra_info"]["split"] for r in train} == {"train"}
    assert {r["extra_info"]["split"] for r in val} == {"eval"}
    reward = _module(out / "reward_verl.py")
    by_id = {s.id: s for s in scenarios}
    in_process = make_trait_reward(by_id)
    for row in train + val:
        s = by_id[row["extra_info"]["id"]]
        assert row["prompt"] == [m.model_dump() for m in s.messages]
        # the keyword call of verl's reward managers, plus the extra keywords its reward loop adds
        got = [reward.compute_score(data_source=row["data_source"], solution_str=r,
                                    ground_truth=row["reward_model"]["ground_truth"], extra_info=row["extra_info"],
                                    reward_router_address=None, reward_model_tokenizer=None) for r in RESPONSES]
        assert got == [_expected(s, r) for r in RESPONSES]  # exactly, not approximately
        trl = in_process(["p"] * len(RESPONSES), RESPONSES, scenario_id=[s.id] * len(RESPONSES))
        # the in-process reward grades the group in one batch; in bf16 the judge's arithmetic depends slightly on
        # the batch (padding changes the kernels' blocking): up to 0.0084 of a reward measured on the written
        # scenarios (longer contexts); another grader or rubric would differ by tenths
        assert got == pytest.approx([0.0 if v is None else v for v in trl], abs=2e-2)
        assert reward.compute_score(row["data_source"], RESPONSES[0], s.id) == got[0]  # plain ids: scenarios.jsonl


def test_training_exports_keep_held_out_scenarios_out(scenarios, src, tmp_path):
    held_out = _eval_ids(scenarios)
    for cmd in ("verl", "openrlhf"):
        out = tmp_path / cmd / "train"
        res = CliRunner().invoke(app, [cmd, "--scenarios", str(src), "--out", str(out)])  # default: --split train
        assert res.exit_code == 0, res.output
        ids = _ids_in(out)
        assert ids and not ids & held_out, cmd
        assert not {json.loads(x)["id"] for x in (out / "scenarios.jsonl").read_text().splitlines()} & held_out
        out = tmp_path / cmd / "eval"
        res = CliRunner().invoke(app, [cmd, "--scenarios", str(src), "--out", str(out), "--split", "eval"])
        assert res.exit_code == 0, res.output
        assert _ids_in(out) == held_out, cmd
        assert not (out / "train.parquet").exists() and not (out / "prompts.jsonl").exists()
    out = tmp_path / "openrlhf" / "all"
    res = CliRunner().invoke(app, ["openrlhf", "--scenarios", str(src), "--out", str(out), "--split", "all"])
    assert res.exit_code == 0, res.output
    prompts = {json.loads(x)["id"] for x in (out / "prompts.jsonl").read_text().splitlines()}
    evals = {json.loads(x)["id"] for x in (out / "eval_prompts.jsonl").read_text().splitlines()}
    assert evals == held_out and not prompts & held_out


def _chat_prompt(tok, messages) -> str:
    return tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)


def test_openrlhf_export_round_trip(scenarios, src, tmp_path, tiny_model_path):
    from transformers import AutoTokenizer

    out = tmp_path / "orlhf"
    res = CliRunner().invoke(app, ["openrlhf", "--scenarios", str(src), "--out", str(out), "--split", "all"])
    assert res.exit_code == 0, res.output
    assert "--reward.remote_url" in res.output and f"{out.resolve()}/reward_func.py" in res.output
    assert "--pretrain" not in res.output and "--remote_rm_url" not in res.output  # removed in OpenRLHF 0.10.2
    rows = [json.loads(line) for name in ("prompts.jsonl", "eval_prompts.jsonl")
            for line in (out / name).read_text().splitlines()]
    assert [r["id"] for r in rows] == [s.id for s in scenarios]
    tok = AutoTokenizer.from_pretrained(tiny_model_path)
    reward = _module(out / "reward_func.py")
    for row, s in zip(rows, scenarios, strict=True):
        prompt = _chat_prompt(tok, row["prompt"])
        queries = [prompt + r + "<|im_end|>" for r in RESPONSES]
        got = reward.reward_func(queries, [prompt] * len(RESPONSES), [row["label"]] * len(RESPONSES))
        assert set(got) == {"rewards", "scores", "extra_logs"}  # OpenRLHF >= 0.8.3 reads got["rewards"]
        assert got["rewards"].tolist() == pytest.approx([_expected(s, r) for r in RESPONSES], abs=1e-7)
        assert got["extra_logs"]["traitrl_trait_row"].tolist() == [1.0] * len(RESPONSES)


def test_openrlhf_reward_grades_only_the_reply_of_a_truncated_prompt(scenarios, tmp_path, tiny_model_path):
    """OpenRLHF left-truncates a long prompt: the query starts inside the prompt, never with all of it."""
    from transformers import AutoTokenizer

    from traitrl.export.commands import export_openrlhf_dir

    tok = AutoTokenizer.from_pretrained(tiny_model_path)
    paths = export_openrlhf_dir(scenarios, tmp_path / "o", split="all")
    reward = _module(paths["reward"])
    s = max(scenarios, key=lambda x: sum(len(m.content) for m in x.messages))
    prompt = _chat_prompt(tok, [m.model_dump() for m in s.messages])
    ids = tok(prompt, add_special_tokens=False)["input_ids"]
    for bad in RESPONSES[1:3]:
        kept = tok.decode(ids[len(ids) // 2:], skip_special_tokens=False)  # what OpenRLHF decodes after a cut
        assert not (kept + bad).startswith(prompt)
        got = reward.reward_func([kept + bad + "<|im_end|>"], [prompt], [s.model_dump_json()])
        assert got["rewards"].tolist() == pytest.approx([_expected(s, bad)], abs=1e-7)
    got = reward.reward_func(["something else entirely" + RESPONSES[1]], [prompt], [s.model_dump_json()])
    assert got["rewards"].tolist() == [0.0] and got["extra_logs"]["traitrl_unmatched"].tolist() == [1.0]


def test_mixed_batch_routes_standard_rows_to_the_standard_scorer(scenarios, src, tmp_path, tiny_model_path):
    """A mixed OpenRLHF batch: trait rows by rubric, GSM8K rows by final answer (default) or a user's reward."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_path)
    std = tmp_path / "gsm8k.jsonl"
    atomic_write_jsonl(std, openrlhf_gsm8k(40))
    out = tmp_path / "mixed"
    res = CliRunner().invoke(app, ["openrlhf", "--scenarios", str(src), "--out", str(out), "--mix", str(std),
                                   "--share", "0.1"])
    assert res.exit_code == 0, res.output
    assert "# trait arm" in res.output and "# compute-matched baseline" in res.output
    assert f"--data.prompt_dataset {(out / 'baseline_prompts.jsonl').resolve()}" in res.output
    mixed = [json.loads(x) for x in (out / "prompts.jsonl").read_text().splitlines()]
    baseline = [json.loads(x) for x in (out / "baseline_prompts.jsonl").read_text().splitlines()]
    assert len(mixed) == len(baseline) == 40 and sum("id" in r for r in mixed) == 4 and not _ids_in(out) & _eval_ids(
        scenarios)
    assert all(m == b for m, b in zip(mixed, baseline, strict=True) if "id" not in m)  # replacement, in place
    answers = {r["answer"] for r in gsm8k_items(40)}
    assert {r["label"] for r in baseline} <= answers
    reward = _module(out / "reward_func.py")
    queries, prompts, labels, want = [], [], [], []
    by_id = {s.id: s for s in scenarios}
    for row in mixed:
        prompt = _chat_prompt(tok, row["prompt"])
        reply = RESPONSES[0] if "id" in row else f"Adding up gives 5, so #### {row['label']}"
        queries.append(prompt + reply + "<|im_end|>")
        prompts.append(prompt)
        labels.append(row["label"])
        want.append(_expected(by_id[row["id"]], reply) if "id" in row else 1.0)
    got = reward.reward_func(queries, prompts, labels)  # no KeyError on the GSM8K rows
    assert got["rewards"].tolist() == pytest.approx(want, abs=1e-7)
    k = next(i for i, r in enumerate(mixed) if "id" not in r)
    wrong = reward.reward_func([prompts[k] + "#### 999999<|im_end|>"], [prompts[k]], [labels[k]])
    assert wrong["rewards"].tolist() == [0.0]
    # a user's own reward for the standard rows, OpenRLHF's signature
    fallback = tmp_path / "mine.py"
    fallback.write_text("import torch\n\ndef reward_func(queries, prompts, labels):\n"
                        "    return {'rewards': torch.tensor([0.25] * len(queries))}\n")
    out2 = tmp_path / "mixed2"
    res = CliRunner().invoke(app, ["openrlhf", "--scenarios", str(src), "--out", str(out2), "--mix", str(std),
                                   "--share", "0.1", "--fallback-reward", f"{fallback}:reward_func"])
    assert res.exit_code == 0, res.output
    got = _module(out2 / "reward_func.py").reward_func(queries, prompts, labels)
    mine = [w if "id" in r else 0.25 for w, r in zip(want, mixed, strict=True)]
    assert got["rewards"].tolist() == pytest.approx(mine, abs=1e-7)


def test_verl_mix_writes_mixture_and_baseline(scenarios, src, tmp_path):
    from traitrl.training.mixture import replaced_positions

    std = tmp_path / "gsm8k.parquet"
    pq.write_table(pa.Table.from_pylist(verl_gsm8k(60)), std)
    out = tmp_path / "verl"
    res = CliRunner().invoke(app, ["verl", "--scenarios", str(src), "--out", str(out), "--mix", str(std),
                                   "--share", "0.05", "--rows", "40", "--seed", "3"])
    assert res.exit_code == 0, res.output
    mixed = pq.read_table(out / "train.parquet").to_pylist()
    baseline = pq.read_table(out / "baseline_train.parquet").to_pylist()
    trait_pos = [i for i, r in enumerate(mixed) if r["data_source"].startswith("traitrl/")]
    assert len(mixed) == len(baseline) == 40 and trait_pos == replaced_positions(40, 2, 3)
    assert all(r["data_source"] == "openai/gsm8k" for r in baseline)
    assert all(mixed[i]["reward_model"] == baseline[i]["reward_model"] for i in range(40) if i not in trait_pos)
    assert f"data.train_files={(out / 'baseline_train.parquet').resolve()}" in res.output
    assert not _ids_in(out) & _eval_ids(scenarios)


def test_export_bad_input_exits_2_and_writes_nothing(src, tmp_path):
    from tests.reliability.helpers import cli_env, run_cli

    empty = tmp_path / "none.jsonl"
    empty.write_text("")
    proc = run_cli(["export", "verl", "--scenarios", str(empty), "--out", str(tmp_path / "o")],
                   env=cli_env(tmp_path / "cache"))
    assert proc.returncode == 2, proc.stderr
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert lines == [f"error: {empty}: holds no scenarios"]
    assert not (tmp_path / "o").exists()
    bad = tmp_path / "std.jsonl"
    atomic_write_jsonl(bad, [{"prompt": [{"role": "user", "content": "1+1?"}], "label": "2"},
                             {"prompt": [{"role": "user", "content": "2+2?"}]}])
    for cmd, line in (("openrlhf", f"{bad}:2: label: missing"), ("verl", f"{bad}:1: data_source: missing")):
        out = tmp_path / f"out_{cmd}"
        proc = run_cli(["export", cmd, "--scenarios", str(src), "--out", str(out), "--mix", str(bad)],
                       env=cli_env(tmp_path / "cache"))
        assert proc.returncode == 2, proc.stderr
        lines = [x for x in proc.stderr.splitlines() if x.strip()]
        assert lines == [f"error: {line}"], proc.stderr
        assert not out.exists() or not any(out.iterdir())
    # rows whose types disagree cannot share a parquet column: the first that differs is named
    atomic_write_jsonl(bad, [{"prompt": [{"role": "user", "content": "1+1?"}], "label": "2"},
                             {"prompt": [{"role": "user", "content": "2+2?"}], "label": 4}])
    from traitrl.errors import InputError
    from traitrl.export.commands import read_standard_rows

    with pytest.raises(InputError) as e:
        read_standard_rows(bad, {"label": lambda r: r["label"]})
    assert (e.value.line, e.value.field) == (2, "label") and "a number where line 1 has a string" in e.value.message


def test_exported_files_follow_the_umask(src, tmp_path):
    old = os.umask(0o022)
    try:
        res = CliRunner().invoke(app, ["openrlhf", "--scenarios", str(src), "--out", str(tmp_path / "o")])
    finally:
        os.umask(old)
    assert res.exit_code == 0, res.output
    files = [f for f in (tmp_path / "o").iterdir() if f.is_file()]
    assert files
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f
