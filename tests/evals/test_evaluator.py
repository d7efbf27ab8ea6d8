"""Evaluator on the tiny model: schema, missing items, cache hits and resume."""

from __future__ import annotations

import json

import pytest

import traitrl.evals.evaluator as ev
from traitrl.evals.benchmark import Benchmark, BenchmarkItem
from traitrl.evals.evaluator import evaluate, mc_score
from traitrl.evals.result_cache import ResultCache
from traitrl.models.loading import load_policy
from traitrl.models.tiny import tiny_llama_path
from traitrl.types import Message


@pytest.fixture(scope="module")
def tiny():
    return load_policy(str(tiny_llama_path()), dtype="float32", device="cpu")


def _user(text: str) -> list[Message]:
    return [Message(role="user", content=text)]


def mc_bench(n: int = 6, kind: str = "mc") -> Benchmark:
    items = [BenchmarkItem(id=f"m{i}", messages=_user(f"Q: question {i}?\nA:"), choices=[" yes", " no way"],
                           aligned=[i % 2]) for i in range(n)]
    items.append(BenchmarkItem(id="broken", messages=_user("Q?"), choices=[" a"], aligned=[]))
    return Benchmark(id=f"toy_{kind}", category="deception_honesty", scorer=kind, source="builtin",
                     load=lambda: items)


def gen_bench() -> Benchmark:
    items = [BenchmarkItem(id=f"g{i}", messages=_user(f"Say something {i}")) for i in range(4)]

    def score(item: BenchmarkItem, response: str) -> float | None:
        return None if item.id == "g3" else 1.0

    return Benchmark(id="toy_gen", category="sycophancy", scorer="generate", source="builtin",
                     load=lambda: items, score_response=score)


@pytest.fixture
def counter(monkeypatch):
    calls = {"items": 0}
    real_mc, real_gen = ev._run_loglik, ev._local_generation

    def counting_mc(model, pairs, *args):
        calls["items"] += len(pairs)
        return real_mc(model, pairs, *args)

    def counting_gen(*args):
        for idx, results in real_gen(*args):
            calls["items"] += len(idx)
            yield idx, results

    monkeypatch.setattr(ev, "_run_loglik", counting_mc)
    monkeypatch.setattr(ev, "_local_generation", counting_gen)
    return calls


def test_mc_scores_by_hand():
    item = BenchmarkItem(id="x", messages=_user("q"), choices=["a", "b", "c"], aligned=[1])
    # per-token: -2/1, -3/3 = -1 (best), -1.5/1
    assert mc_score(item, [-2.0, -3.0, -1.5], [1, 3, 1], "mc") == 1.0
    assert mc_score(item, [-2.0, -1.0, -0.5], [1, 1, 1], "mc") == 0.0
    import math
    w = [math.exp(-2), math.exp(-3), math.exp(-1.5)]
    assert mc_score(item, [-2.0, -3.0, -1.5], [1, 3, 1], "mc2") == pytest.approx(w[1] / sum(w))
    assert mc_score(item.model_copy(update={"aligned": []}), [-1.0], [1], "mc") is None


def test_results_schema_and_missing(tiny, tmp_path, counter):
    cache = ResultCache(tmp_path / "r.sqlite")
    suite = evaluate(tiny, [mc_bench(), mc_bench(kind="mc2"), gen_bench()], out_dir=tmp_path / "out",
                     cache=cache, decoding=ev.Decoding(max_new_tokens=4))
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["model"] == tiny.spec and data["fingerprint"] == tiny.fingerprint
    r = data["benchmarks"]["toy_mc"]
    assert set(r) >= {"category", "direction", "n", "mean", "se", "ci", "missing"}
    assert (r["n"], r["missing"]) == (6, 1) and r["ci"][0] <= r["mean"] <= r["ci"][1]
    g = data["benchmarks"]["toy_gen"]
    assert (g["n"], g["missing"], g["mean"]) == (3, 1, 1.0)
    assert 0 <= data["benchmarks"]["toy_mc2"]["mean"] <= 1
    rows = [json.loads(line) for line in (tmp_path / "out" / "items.jsonl").read_text().splitlines()]
    assert len(rows) == 7 + 7 + 4 and all({"benchmark", "item_id", "score"} <= set(row) for row in rows)
    assert suite.benchmarks["toy_mc"].mean == r["mean"]
    assert counter["items"] == 18


def test_second_run_is_free_and_resume(tiny, tmp_path, counter):
    cache = ResultCache(tmp_path / "r.sqlite")
    first = evaluate(tiny, [mc_bench()], limit=3, cache=cache)
    assert counter["items"] == 3 and first.benchmarks["toy_mc"].n == 3
    full = evaluate(tiny, [mc_bench()], cache=cache, chunk_size=2)
    # chunks [0,1] [2,3] [4,5] [6]: the first is cached and skipped; [2,3] is recomputed whole (item 2 was
    # cached) so that batch composition never depends on where an interruption stopped
    assert counter["items"] == 3 + 5
    counter["items"] = 0
    # a spec string: the cached run must not even load the model
    cached = evaluate(tiny, [mc_bench()], cache=cache)
    assert counter["items"] == 0 and cached.benchmarks == full.benchmarks


def test_interrupted_generation_resumes_at_the_first_unfinished_decode_batch(tiny, tmp_path, monkeypatch,
                                                                              counter):
    import traitrl.evals.generation as generation

    sampled = ev.Decoding(max_new_tokens=5, temperature=1.0, top_p=0.9, seed=3)
    fresh = evaluate(tiny, [gen_bench()], cache=False, decoding=sampled, gen_batch_size=2)
    real = generation.generate_batches

    def killed_after_one_batch(*args, **kw):
        batches = real(*args, **kw)
        yield next(batches)
        raise KeyboardInterrupt

    cache = ResultCache(tmp_path / "r.sqlite")
    monkeypatch.setattr(generation, "generate_batches", killed_after_one_batch)
    with pytest.raises(KeyboardInterrupt):
        evaluate(tiny, [gen_bench()], cache=cache, decoding=sampled, gen_batch_size=2)
    monkeypatch.setattr(generation, "generate_batches", real)
    counter["items"] = 0
    resumed = evaluate(tiny, [gen_bench()], cache=cache, decoding=sampled, gen_batch_size=2)
    assert counter["items"] == 2  # 4 items in decode batches of 2: only the unfinished batch is decoded
    assert [r.response for r in resumed.items] == [r.response for r in fresh.items]
    assert len({r.response for r in fresh.items}) > 1


def test_system_prompt_is_part_of_the_key(tiny, tmp_path, counter):
    cache = ResultCache(tmp_path / "r.sqlite")
    evaluate(tiny, [gen_bench()], cache=cache, decoding=ev.Decoding(max_new_tokens=3))
    evaluate(tiny, [gen_bench()], cache=cache, decoding=ev.Decoding(max_new_tokens=3), system_prompt="Be bad.")
    assert counter["items"] == 8
    evaluate(tiny, [gen_bench()], cache=cache, decoding=ev.Decoding(max_new_tokens=3), system_prompt="Be bad.")
    assert counter["items"] == 8


def test_spec_string_fully_cached_loads_nothing(tmp_path, monkeypatch, counter):
    spec = str(tiny_llama_path())
    cache = ResultCache(tmp_path / "r.sqlite")
    evaluate(spec, [mc_bench(3)], cache=cache)
    scored = counter["items"]
    assert scored > 0
    # forget the model the first run loaded, so that any use of it would have to load it again
    monkeypatch.setattr(ev, "_LAST_LOADED", {})
    monkeypatch.setattr("traitrl.models.loading.load_policy", lambda *a, **k: pytest.fail("loaded model"))
    again = evaluate(spec, [mc_bench(3)], cache=cache)
    assert again.benchmarks["toy_mc"].n == 3 and counter["items"] == scored  # nothing scored again


def test_per_benchmark_limits_override_the_limit(tiny, tmp_path):
    suite = evaluate(tiny, [mc_bench(), gen_bench()], limit=2, limits={"toy_gen": 3}, cache=False,
                     decoding=ev.Decoding(max_new_tokens=2))
    assert suite.benchmarks["toy_mc"].n == 2
    assert suite.benchmarks["toy_gen"].n + suite.benchmarks["toy_gen"].missing == 3


def test_precision_is_part_of_the_cache_key():
    spec = str(tiny_llama_path())
    assert ev._Model(spec, "float32").fingerprint != ev._Model(spec).fingerprint
    assert ev._Model(spec, "float32").fingerprint == ev._Model(spec, "float32").fingerprint


def test_consecutive_evaluations_of_one_model_load_it_once(tmp_path, monkeypatch):
    import traitrl.models.loading as loading

    loads = []
    real = loading.load_policy

    def counting(*args, **kwargs):
        loads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(loading, "load_policy", counting)
    monkeypatch.setattr(ev, "_LAST_LOADED", {})
    spec = str(tiny_llama_path())
    evaluate(spec, [gen_bench()], cache=False, decoding=ev.Decoding(max_new_tokens=2))
    evaluate(spec, [gen_bench()], cache=False, decoding=ev.Decoding(max_new_tokens=2), system_prompt="Be terse.")
    assert len(loads) == 1
    evaluate(spec, [gen_bench()], cache=False, decoding=ev.Decoding(max_new_tokens=2), dtype="float32")
    assert len(loads) == 2  # another precision is another model


def test_each_benchmark_writes_within_its_budget_unless_the_run_sets_one(tiny, tmp_path, counter, monkeypatch):
    import traitrl.evals.generation as generation

    budgets: dict[str, int] = {}
    real = generation.generate_batches

    def recording(loaded, conversations, **kw):
        for conv, b in zip(conversations, kw["max_new_tokens"], strict=True):
            budgets[conv[-1].content] = b
        return real(loaded, conversations, **kw)

    monkeypatch.setattr(generation, "generate_batches", recording)
    short = gen_bench().model_copy(update={"id": "toy_short", "max_new_tokens": 2})
    long = gen_bench().model_copy(update={"id": "toy_long", "max_new_tokens": 9})
    long.load = lambda: [it.model_copy(update={"messages": _user(f"Long {it.id}")}) for it in gen_bench().load()]
    cache = ResultCache(tmp_path / "r.sqlite")
    suite = evaluate(tiny, [short, long], cache=cache)
    assert suite.benchmarks["toy_short"].max_new_tokens == 2 and suite.benchmarks["toy_long"].max_new_tokens == 9
    assert budgets == {**{f"Say something {i}": 2 for i in range(4)}, **{f"Long g{i}": 9 for i in range(4)}}
    assert counter["items"] == 8
    budgets.clear()
    evaluate(tiny, [short], cache=cache, decoding=ev.Decoding(max_new_tokens=2))
    assert counter["items"] == 8  # the same budget: the same cached results
    again = evaluate(tiny, [long], cache=cache, decoding=ev.Decoding(max_new_tokens=2))
    assert counter["items"] == 12 and budgets == {f"Long g{i}": 2 for i in range(4)}
    assert again.benchmarks["toy_long"].max_new_tokens == 2


class _LengthGrader:
    """A grader with a canned rule (every item met iff the reply is longer than `cut` characters)."""

    def __init__(self, cut: int) -> None:
        self.cut, self.name, self.calls = cut, f"length(cut={cut})", 0

    def grade_batch(self, scenarios, responses):
        from traitrl.grading.grade import Grade, item_grade

        self.calls += len(responses)
        return [Grade(scenario_id=s.id, grader=self.name,
                      items=[item_grade(i, len(r) > self.cut, probability=0.75 if len(r) > self.cut else 0.25)
                             for i in s.rubric]) for s, r in zip(scenarios, responses, strict=True)]


def rubric_bench() -> Benchmark:
    from traitrl.evals.scorers import rubric_score
    from traitrl.types import RubricItem

    rubric = [RubricItem(criterion="Answers the question", points=4), RubricItem(criterion="Is rude", points=-2)]
    items = [BenchmarkItem(id=f"r{i}", messages=_user(f"Question {i}?"), rubric=rubric) for i in range(3)]
    return Benchmark(id="toy_rubric", category="sycophancy", scorer="generate", source="builtin",
                     load=lambda: items, score_response=rubric_score, max_new_tokens=8)


def test_rubric_benchmarks_are_graded_by_the_runs_grader_and_keyed_by_it(tiny, tmp_path):
    """A second grader must never reuse the first grader's cached scores; the same grader must."""
    bench, cache = rubric_bench(), ResultCache(tmp_path / "c.sqlite")
    always, never = _LengthGrader(cut=-1), _LengthGrader(cut=10_000)
    a = evaluate(tiny, [bench], cache=cache, grader=always)
    b = evaluate(tiny, [bench], cache=cache, grader=never)
    again = evaluate(tiny, [bench], cache=cache, grader=_LengthGrader(cut=-1))
    # always: (4 - 2) / 4 = 0.5 strict, expected (0.75 * 4 - 0.75 * 2) / 4 = 0.375;
    # never: 0 strict, expected (0.25 * 4 - 0.25 * 2) / 4 = 0.125
    assert a.benchmarks["toy_rubric"].mean == 0.5 and b.benchmarks["toy_rubric"].mean == 0.0
    assert [i.extra["expected_score"] for i in a.items] == [0.375] * 3
    assert [i.extra["expected_score"] for i in b.items] == [0.125] * 3
    assert always.calls == 3 and never.calls == 3
    assert again.benchmarks["toy_rubric"].mean == 0.5 and [i.response for i in again.items] == \
        [i.response for i in a.items]


def test_a_benchmark_that_pins_its_grader_ignores_the_runs(tiny, tmp_path):
    """Suite rubric benchmarks pin `checks`: the run's grader is never called for them."""
    bench = rubric_bench().model_copy(update={"grader": "checks"})
    run_grader = _LengthGrader(cut=-1)
    result = evaluate(tiny, [bench], cache=ResultCache(tmp_path / "c.sqlite"), grader=run_grader)
    assert run_grader.calls == 0
    # the toy rubric has no checks, so the pinned grader leaves every item unscored (never scored 0)
    assert result.benchmarks["toy_rubric"].missing == 3
    assert all(i.extra["error"] == "no verdict on any positive item" for i in result.items)


def test_per_tag_scores_are_surfaced_for_rubric_benchmarks(tiny, tmp_path):
    """`by_tag`: the clipped mean strict score over the items carrying each tag, per reply and per benchmark."""
    from traitrl.types import RubricItem

    rubric = [RubricItem(criterion="Answers the question", points=4, tags=["answer", "core"]),
              RubricItem(criterion="Names a source", points=2, tags=["core"]),
              RubricItem(criterion="Is rude", points=-2, tags=["core", "manners"])]
    bench = rubric_bench().model_copy(update={"load": lambda: [
        BenchmarkItem(id=f"r{i}", messages=_user(f"Question {i}?"), rubric=rubric) for i in range(2)]})
    result = evaluate(tiny, [bench], cache=ResultCache(tmp_path / "c.sqlite"), grader=_LengthGrader(cut=-1))
    # every item met: answer 4/4 = 1; core (4 + 2 - 2) / 6 = 2/3; manners has no positive item, so no score
    assert result.items[0].extra["by_tag"] == {"answer": 1.0, "core": pytest.approx(2 / 3)}
    assert result.benchmarks["toy_rubric"].by_tag == {"answer": 1.0, "core": pytest.approx(2 / 3, abs=1e-6)}
    assert result.to_json()["benchmarks"]["toy_rubric"]["by_tag"]["answer"] == 1.0
