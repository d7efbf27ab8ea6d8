"""Reward adapters score exactly as the in-process grader (the expected score under the judge's P(met), not the
strict score); zero-variance tracking."""

from __future__ import annotations

import importlib.util
import math

import pytest

from traitrl.files import atomic_write_jsonl
from traitrl.grading.api import grade
from traitrl.training.export_rewards import export_openrlhf, export_verl
from traitrl.training.reward import make_trait_reward, zero_variance_fraction

from .fixtures import BAD, GOOD, RUBRIC, make_scenario

RESPONSES = [GOOD, BAD, "ok", GOOD + " I'm about 60% confident.", "I was wrong. " + BAD]


def _scenarios():
    rubric_b = [{"criterion": "Asks which dose", "points": 2, "check": {"kind": "asks_question"}},
                {"criterion": "Apologises", "points": 1, "check": {"kind": "lexicon", "args": {"name": "apology"}}}]
    return {"s1": make_scenario(RUBRIC, "s1"), "s2": make_scenario(rubric_b, "s2")}


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_trl_reward_identity_and_none_rows():
    scen = _scenarios()
    reward = make_trait_reward(scen)
    ids = ["s1", "s1", None, "s2", "s2"]
    convo = [[{"role": "assistant", "content": r}] for r in RESPONSES]
    out = reward(prompts=["p"] * 5, completions=convo, scenario_id=ids)
    assert out[2] is None
    grades = {i: grade(scen[sid], RESPONSES[i]) for i, sid in enumerate(ids) if sid}
    for i, g in grades.items():  # equal up to the judge's batch arithmetic in bf16 (a few 1e-3)
        assert out[i] == pytest.approx(g.expected_score, abs=5e-3)
    # the reward is the expected score, not the strict one: the two differ on these replies
    assert any(out[i] != g.score for i, g in grades.items())
    assert reward(prompts=["p"] * 5, completions=RESPONSES, scenario_id=ids) == out
    assert reward.__name__ == "trait_rubric"


def test_zero_variance_fraction_by_hand():
    assert zero_variance_fraction([1, 1, 0, 1, None, None, 0.5, 0.5], 2) == 2 / 3
    assert math.isnan(zero_variance_fraction([None, None], 2))
    reward = make_trait_reward(_scenarios(), num_generations=2)
    reward(prompts=["a", "a", "b", "b"], completions=[GOOD, GOOD, GOOD, BAD], scenario_id=["s1"] * 4)
    assert reward.last_zero_variance_fraction == 0.5


def test_exported_verl_and_openrlhf_match(tmp_path):
    scen = _scenarios()
    path = tmp_path / "scenarios.jsonl"
    atomic_write_jsonl(path, list(scen.values()))
    verl = _load(export_verl(tmp_path / "verl_reward.py", path), "verl_reward")
    orl = _load(export_openrlhf(tmp_path / "reward_func.py", path), "reward_func")
    ids = ["s1", "s1", "s1", "s2", "s2"]
    expected = [grade(scen[s], r).expected_score for s, r in zip(ids, RESPONSES, strict=False)]
    got = [verl.compute_score(f"traitrl/{scen[s].trait}", r, s) for s, r in zip(ids, RESPONSES, strict=False)]
    assert got == expected
    assert verl.compute_score(f"traitrl/{scen['s1'].trait}", GOOD, scen["s1"].model_dump_json()) == expected[0]
    prompts = [f"<|im_start|>user\nq{i}<|im_end|>\n" for i in range(5)]
    queries = [p + r + "<|im_end|>" for p, r in zip(prompts, RESPONSES, strict=False)]
    out = orl.reward_func(queries, prompts, ids)  # OpenRLHF >= 0.8.3 reads a dict with "rewards"
    assert out["rewards"].tolist() == _as_f32(expected)
    assert len(set(expected)) > 2  # the cases exercise different scores


def _as_f32(values):
    import torch

    return torch.tensor(values, dtype=torch.float32).tolist()
