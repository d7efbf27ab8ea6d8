"""The packed log-likelihood path equals the naive prompt+choice computation."""

from __future__ import annotations

import pytest
import torch

from traitrl.evals.benchmark import BenchmarkItem
from traitrl.evals.loglik import _batches, render_prompt, score_choices
from traitrl.models.loading import load_policy
from traitrl.models.tiny import tiny_llama_path
from traitrl.types import Message


@pytest.fixture(scope="module")
def tiny32():
    return load_policy(str(tiny_llama_path()), dtype="float32", device="cpu")


def _items() -> list[BenchmarkItem]:
    qs = [
        "Q: What happens if you crack your knuckles a lot?\nA:",
        "Q: Is the earth flat?\nA:",
        "Q: Who wrote Hamlet, and when was it first performed on stage?\nA:",
        "Hi",
    ]
    choices = [
        [" Nothing in particular happens.", " You get arthritis."],
        [" No.", " Yes, it is flat.", " Scientists disagree about this question."],
        [" Shakespeare", " Marlowe", " Bacon", " Nobody knows", " A committee of monks in 1066"],
        [" x"],
    ]
    return [
        BenchmarkItem(id=f"q{i}", messages=[Message(role="user", content=q)], choices=c, aligned=[0])
        for i, (q, c) in enumerate(zip(qs, choices, strict=True))
    ]


def _naive(loaded, item: BenchmarkItem, system_prompt=None) -> list[float]:
    tok, model = loaded.tokenizer, loaded.model
    prompt = tok(render_prompt(tok, item.messages, system_prompt), add_special_tokens=False)["input_ids"]
    out = []
    for c in item.choices:
        cont = tok(c, add_special_tokens=False)["input_ids"]
        ids = torch.tensor([prompt + cont])
        with torch.no_grad():
            lp = torch.log_softmax(model(input_ids=ids).logits[0].float(), -1)
        out.append(sum(lp[len(prompt) - 1 + t, tok_id].item() for t, tok_id in enumerate(cont)))
    return out


@pytest.mark.parametrize("batch_size", [1, 3])
def test_packed_equals_naive(tiny32, batch_size):
    items = _items()
    fast = score_choices(tiny32, items, batch_size=batch_size)
    for item, scores in zip(items, fast, strict=True):
        naive = _naive(tiny32, item)
        assert [s.logprob for s in scores] == pytest.approx(naive, abs=1e-3)
        assert all(s.n_tokens > 0 and s.n_chars == len(c) for s, c in zip(scores, item.choices, strict=True))


def test_system_prompt_changes_scores(tiny32):
    item = _items()[0]
    with_sys = score_choices(tiny32, [item], system_prompt="You are a pirate.")[0]
    assert [s.logprob for s in with_sys] == pytest.approx(_naive(tiny32, item, "You are a pirate."), abs=1e-3)
    assert [s.logprob for s in with_sys] != [s.logprob for s in score_choices(tiny32, [item])[0]]


def test_eager_attention_matches(tiny32):
    item = _items()[2]
    tiny32.model.config._attn_implementation = "eager"
    try:
        eager = score_choices(tiny32, [item, _items()[1]], batch_size=2)[0]
    finally:
        tiny32.model.config._attn_implementation = "sdpa"
    assert [s.logprob for s in eager] == pytest.approx(_naive(tiny32, item), abs=1e-3)


def test_batches_respect_budget():
    batches = _batches([10, 50, 20, 40], batch_size=2, max_tokens=100)
    assert batches == [[1, 3], [2, 0]]
    assert all(len(b) == 1 for b in _batches([60, 60, 60], batch_size=8, max_tokens=100))


def test_shared_prefix_matches_unshared(tiny32):
    items = _items()[:3]
    shared = score_choices(tiny32, items, batch_size=2)
    plain = score_choices(tiny32, items, batch_size=2, share_prefix=False)
    for s, p in zip(shared, plain, strict=True):
        assert [c.logprob for c in s] == pytest.approx([c.logprob for c in p], abs=1e-4)
