"""Batched generation on the tiny model: deterministic greedy, order kept, seeded samples."""

from __future__ import annotations

import pytest

from traitrl.evals.generation import decode_batches, generate, stop_token_ids
from traitrl.models.loading import load_policy
from traitrl.models.tiny import tiny_llama_path
from traitrl.types import Message


@pytest.fixture(scope="module")
def tiny():
    return load_policy(str(tiny_llama_path()), dtype="float32", device="cpu")


CONVS = [
    [Message(role="user", content=t)]
    for t in ["Hi", "Tell me a long story about a dragon who learns to read.", "2+2?"]
]


def test_greedy_is_deterministic_and_batch_independent(tiny):
    a = generate(tiny, CONVS, max_new_tokens=8, batch_size=3, progress=False)
    b = generate(tiny, CONVS, max_new_tokens=8, batch_size=1, progress=False)
    alone = generate(tiny, CONVS[1:2], max_new_tokens=8, progress=False)
    assert a == b and len(a) == 3 and all(isinstance(t, str) for t in a)
    assert alone[0] == a[1]


def test_seeded_samples(tiny):
    kw = {"max_new_tokens": 6, "temperature": 1.0, "num_samples": 2, "progress": False}
    s1 = generate(tiny, CONVS[:2], seed=1, **kw)
    assert len(s1) == 4
    assert s1 == generate(tiny, CONVS[:2], seed=1, **kw)
    assert s1 != generate(tiny, CONVS[:2], seed=2, **kw)


def test_rejects_greedy_multi_samples(tiny):
    with pytest.raises(ValueError, match="needs temperature > 0"):
        generate(tiny, CONVS, num_samples=2, progress=False)


def test_stop_tokens_include_end_of_turn(tiny):
    assert tiny.tokenizer.convert_tokens_to_ids("<|im_end|>") in stop_token_ids(tiny)


def test_decode_batches_cap_rows_and_tokens_and_put_long_prompts_first():
    lengths = [10, 300, 50, 50, 40, 290]
    budgets = [100, 100, 100, 20, 100, 100]
    batches = decode_batches(lengths, budgets, max_rows=3, max_tokens=900)
    assert sorted(i for b in batches for i in b) == list(range(6))
    assert batches[0][:2] == [1, 5]  # longest prompts first, together: 2 x 400 <= 900
    for b in batches:
        assert len(b) <= 3
        width = max(lengths[i] + budgets[i] for i in b)
        assert len(b) == 1 or len(b) * width <= 900
    assert decode_batches([5000], [100], max_rows=4, max_tokens=10) == [[0]]  # an oversized row still runs
    # a short prompt rides along with long ones only when its budget outweighs its padding
    assert decode_batches([300, 290, 40], [40, 40, 40], max_rows=8, max_tokens=10_000) == [[0, 1], [2]]
    assert decode_batches([300, 290, 60], [128, 128, 128], max_rows=8, max_tokens=10_000) == [[0, 1, 2]]

