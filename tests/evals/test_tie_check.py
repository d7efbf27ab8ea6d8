"""Near-tied choices of a bf16 model are re-scored in fp32, so multiple-choice accuracy is fp32's."""

from __future__ import annotations

import copy

import pytest

from traitrl.evals.benchmark import BenchmarkItem
from traitrl.evals.evaluator import _Model
from traitrl.evals.loglik import TIE_MARGIN, ChoiceLoglik, near_ties, rescore_near_ties, score_choices
from traitrl.evals.registry import get_benchmark
from traitrl.models.loading import load_policy
from traitrl.models.tiny import tiny_llama_path
from traitrl.types import Message


def _choices(sums: list[float], lengths: list[int]) -> list[ChoiceLoglik]:
    return [ChoiceLoglik(s, n, 10) for s, n in zip(sums, lengths, strict=True)]


def test_near_ties_are_the_choices_an_error_within_the_margin_could_reorder():
    assert near_ties(_choices([-1.0, -1.3, -5.0], [2, 2, 2]), 0.25) == [0, 1]  # 0.3 apart: within 2 x 0.25
    assert near_ties(_choices([-1.0, -1.6, -5.0], [1, 1, 1]), 0.25) == []  # 0.6 apart, means too
    # far apart in sum, 0.02 apart in per-token mean (within 0.25 / 5 + 0.25 / 20): the mean rule's tie
    assert near_ties(_choices([-10.0, -2.6], [20, 5]), 0.25) == [0, 1]
    assert near_ties(_choices([-1.0], [3]), 10.0) == []
    assert near_ties(_choices([-1.0, -1.1, -1.2, -9.0], [1, 1, 1, 1]), 0.25) == [0, 1, 2]
    sum_only = _choices([-1.0, -1.3], [2, 20])  # 0.3 apart in sum; per token -0.5 against -0.065
    assert near_ties(sum_only, 0.25, rule="sum") == [0, 1] and near_ties(sum_only, 0.25, rule="mean") == []
    mean_only = _choices([-10.0, -2.6], [20, 5])
    assert near_ties(mean_only, 0.25, rule="mean") == [0, 1] and near_ties(mean_only, 0.25, rule="sum") == []


def _items() -> list[BenchmarkItem]:
    qs = ["Q: Is the earth flat?\nA:", "Q: Who wrote Hamlet?\nA:", "Hi"]
    choices = [[" No.", " Yes, it is flat.", " Scientists disagree."],
               [" Shakespeare", " Marlowe", " Bacon", " Nobody knows"], [" x"]]
    return [BenchmarkItem(id=f"q{i}", messages=[Message(role="user", content=q)], choices=c, aligned=[0])
            for i, (q, c) in enumerate(zip(qs, choices, strict=True))]


@pytest.fixture(scope="module")
def tiny_pair():
    path = str(tiny_llama_path())
    return load_policy(path, dtype="bfloat16", device="cpu"), load_policy(path, dtype="float32", device="cpu")


def test_rescore_replaces_only_the_near_ties_by_the_wide_types_scores(tiny_pair):
    narrow, wide = tiny_pair
    items = _items()
    bf16, fp32 = score_choices(narrow, items), score_choices(wide, items)
    assert any(abs(a.logprob - b.logprob) > 1e-3 for x, y in zip(bf16, fp32, strict=True)
               for a, b in zip(x, y, strict=True))

    untouched = copy.deepcopy(bf16)
    assert rescore_near_ties(wide, items, untouched, margin=0.0) == 0 and untouched == bf16

    everything = copy.deepcopy(bf16)
    assert rescore_near_ties(wide, items, everything, margin=1e6) == 7  # every choice of the two 2+-choice items
    for got, want in zip(everything[:2], fp32[:2], strict=True):
        assert [c.logprob for c in got] == pytest.approx([c.logprob for c in want], abs=1e-4)
    assert everything[2] == bf16[2]  # one choice: nothing to order

    some = copy.deepcopy(bf16)
    margin = 0.05
    n = rescore_near_ties(wide, items, some, margin=margin)
    assert n == sum(len(near_ties(c, margin)) for c in bf16)
    for i, choices in enumerate(bf16):
        near = near_ties(choices, margin)
        for j, c in enumerate(choices):
            want = fp32[i][j].logprob if j in near else c.logprob
            assert some[i][j].logprob == pytest.approx(want, abs=1e-4)


def test_evaluate_with_tie_check_loads_the_spec_in_fp32_only_for_a_narrow_model():
    path = str(tiny_llama_path())
    narrow = _Model(path, "bfloat16", tie_check=True)
    wide = narrow.exact()
    assert narrow.tie_check and wide is not None and str(next(wide.model.parameters()).dtype) == "torch.float32"
    assert narrow.exact() is wide  # loaded once per model
    for off in (_Model(path, "float32", tie_check=True), _Model(path, "bfloat16", tie_check=False),
                _Model(narrow.get(), "auto", tie_check=True)):  # in memory: its weights may not be the spec's
        assert not off.tie_check and off.exact() is None


def test_tie_check_is_part_of_the_log_likelihood_cache_key_only_where_it_runs(tmp_path):
    from traitrl.evals.evaluator import Decoding, _Pending
    from traitrl.evals.result_cache import ResultCache

    bench = get_benchmark("truthfulqa_mc1")
    path = str(tiny_llama_path())
    store = ResultCache(tmp_path / "r.sqlite")

    def key(model: _Model) -> str:
        return _Pending(model, bench, 2, Decoding(), None, store, None).ctx

    assert key(_Model(path, "bfloat16", tie_check=False)) != key(_Model(path, "bfloat16", tie_check=True))
    in_memory = load_policy(path, device="cpu")  # no re-score: its results must not be stored as checked ones
    assert key(_Model(in_memory, "auto", tie_check=True)) == key(_Model(in_memory, "auto", tie_check=False))
    mc2 = get_benchmark("truthfulqa_mc2")  # probability mass: never re-scored
    assert (_Pending(_Model(path, "bfloat16", tie_check=True), mc2, 2, Decoding(), None, store, None).ctx
            == _Pending(_Model(path, "bfloat16", tie_check=False), mc2, 2, Decoding(), None, store, None).ctx)
    store.close()


def test_tie_check_is_off_where_this_machine_computes_in_fp32(monkeypatch):
    import torch

    from traitrl.models import loading

    monkeypatch.delenv("TRAITRL_DTYPE", raising=False)
    monkeypatch.setattr(loading, "default_dtype", lambda: torch.float32)  # "auto" on an AVX2-only CPU
    assert not _Model(str(tiny_llama_path()), "auto", tie_check=True).tie_check
    monkeypatch.setattr(loading, "default_dtype", lambda: torch.bfloat16)
    assert _Model(str(tiny_llama_path()), "auto", tie_check=True).tie_check


def test_evaluate_with_tie_check_scores_near_ties_as_fp32_does():
    from traitrl.evals.evaluator import evaluate

    path, bench = str(tiny_llama_path()), get_benchmark("truthfulqa_mc1")
    runs = {(dtype, tie): evaluate(path, [bench], limit=12, dtype=dtype, cache=False, tie_check=tie).items
            for dtype, tie in (("bfloat16", False), ("bfloat16", True), ("float32", False))}
    plain, checked, fp32 = (runs[k] for k in (("bfloat16", False), ("bfloat16", True), ("float32", False)))
    closer = []
    for p, c, f in zip(plain, checked, fp32, strict=True):
        choices = [ChoiceLoglik(lp, n, 1) for lp, n in zip(p.extra["logprobs"], p.extra["n_tokens"], strict=True)]
        near = near_ties(choices, TIE_MARGIN, rule="mean")  # the rule `mc_score` ranks by
        for j, lp in enumerate(c.extra["logprobs"]):
            if j not in near:
                assert lp == p.extra["logprobs"][j]
                continue
            want = f.extra["logprobs"][j]  # fp32 sums of ~80 tokens: batch-dependent in the 5th digit
            assert lp == pytest.approx(want, rel=1e-4)
            closer.append(abs(lp - want) < abs(p.extra["logprobs"][j] - want) / 3)
    assert closer and sum(closer) >= len(closer) / 2  # re-scored: nearer fp32 than bf16 was, for most


def test_tie_check_leaves_probability_mass_scores_alone():
    from traitrl.evals.evaluator import evaluate

    path, bench = str(tiny_llama_path()), get_benchmark("truthfulqa_mc2")  # mc2: every choice's mass counts
    plain, checked = (evaluate(path, [bench], limit=8, dtype="bfloat16", cache=False, tie_check=tie).items
                      for tie in (False, True))
    assert any(near_ties([ChoiceLoglik(lp, n, 1) for lp, n in zip(r.extra["logprobs"], r.extra["n_tokens"],
                                                                   strict=True)]) for r in plain)
    assert [r.extra["logprobs"] for r in plain] == [r.extra["logprobs"] for r in checked]
