"""Persona vectors: the data, the spec, extraction on the tiny model, and steered evaluation (exact at 0)."""

from __future__ import annotations

import sys

import pytest
import torch

import traitrl.evals.persona_vectors as pv
from traitrl.errors import InputError
from traitrl.evals.benchmark import Benchmark, BenchmarkItem
from traitrl.evals.evaluator import Decoding, evaluate
from traitrl.evals.loglik import render_prompt, score_choices
from traitrl.evals.result_cache import ResultCache
from traitrl.models.loading import load_policy
from traitrl.models.steering import steer
from traitrl.models.tiny import tiny_llama_path
from traitrl.types import Message


@pytest.fixture(scope="module")
def tiny():
    return load_policy(str(tiny_llama_path()), dtype="float32", device="cpu")


@pytest.fixture(scope="module")
def small_data():
    """The shipped personas on 6 of the shipped questions (2 per split), so extraction takes a second."""
    data = pv.persona_data()
    picked = [q for s in ("extract", "dev", "test") for q in [q for q in data.questions if q.split == s][:2]]
    return data.model_copy(update={"questions": picked})


@pytest.fixture(scope="module")
def directions(tiny, small_data, tmp_path_factory):
    vec, info = pv.extract_direction(tiny, "deceptive", pv.ExtractSettings(max_new_tokens=6), small_data)
    return pv.write_direction(tmp_path_factory.mktemp("pv") / "deceptive.safetensors", vec, info)


def _user(text: str) -> list[Message]:
    return [Message(role="user", content=text)]


def _benches() -> list[Benchmark]:
    mc = [BenchmarkItem(id=f"m{i}", messages=_user(f"Q: question {i}?\nA:"), choices=[" yes", " no way"],
                        aligned=[i % 2]) for i in range(6)]
    gen = [BenchmarkItem(id=f"g{i}", messages=_user(f"Say something {i}")) for i in range(3)]
    return [Benchmark(id="toy_mc", category="deception_honesty", scorer="mc2", source="builtin", load=lambda: mc),
            Benchmark(id="toy_gen", category="sycophancy", scorer="generate", source="builtin", load=lambda: gen,
                      score_response=lambda item, r: float(len(r) % 2))]


def test_shipped_data_has_the_personas_and_enough_questions():
    from traitrl.evals.registry import get_benchmark

    data = pv.persona_data()
    by_id = {p.id: p for p in data.personas}
    assert {"deceptive", "sycophantic", "power_seeking", "concise"} <= set(by_id)
    assert not by_id["concise"].harmful and all(by_id[p].harmful for p in ("deceptive", "sycophantic"))
    assert len(data.questions) >= 40 and len({q.text for q in data.questions}) == len(data.questions)
    for p in data.personas:
        assert p.elicit != p.opposite
        for b in p.benchmarks:
            assert get_benchmark(b).scorer in ("mc", "mc2")


@pytest.mark.parametrize("text,words", [("deceptive", "PERSONA@LAYER:COEF"), ("deceptive@x:1", "PERSONA@LAYER"),
                                        ("deceptive@3:abc", "PERSONA@LAYER"), ("deceptive@3:1..2", "not a number"),
                                        ("evil@3:1", "unknown steering persona")])
def test_bad_steer_spec_names_the_field(text, words):
    with pytest.raises(InputError, match=words) as e:
        pv.parse_steer(text)
    assert e.value.field == "--steer"


def test_spec_parses_layer_and_auto():
    assert pv.parse_steer("deceptive@12:-4.5") == ("deceptive", 12, -4.5)
    assert pv.parse_steer("concise@auto:2e1") == ("concise", None, 20.0)


def test_layer_rule_and_auroc():
    assert pv.choose_layer([0.1, 2.0, 1.0, 9.0]) == 1  # the last block is excluded
    assert pv.choose_layer([None, 1.0, 1.0, 0.0]) == 1  # ties: the earlier layer
    assert pv.auroc([3, 4], [1, 2]) == 1.0 and pv.auroc([1, 2], [3, 4]) == 0.0
    assert pv.auroc([1, 2], [1, 2]) == 0.5 and pv.auroc([], [1]) is None


def test_extraction_on_tiny_model_round_trips(tiny, directions):
    vec, info = pv.read_direction(directions)
    assert vec.shape == (2, tiny.model.config.hidden_size) and vec.dtype == torch.float32
    assert torch.isfinite(vec).all() and (vec.norm(dim=-1) > 0).all()
    assert info.source == tiny.fingerprint and info.layer == 0  # 2 blocks, the last excluded
    assert info.n == {"extract": 2, "dev": 2, "test": 2} and 0 <= info.auroc <= 1
    assert info.norm == pytest.approx(vec.norm(dim=-1).tolist(), abs=1e-3)
    with pytest.raises(InputError, match="out of range"):
        pv.steering_for(directions, "deceptive", 2, 1.0)
    assert pv.steering_for(directions, "deceptive", None, 3.0).layer == info.layer


def test_coefficient_zero_reproduces_unsteered_scores_exactly(tiny, directions, tmp_path):
    dec = Decoding(max_new_tokens=6)
    plain = evaluate(tiny, _benches(), cache=False, decoding=dec)
    zero = evaluate(tiny, _benches(), cache=False, decoding=dec, steering=pv.steering_for(directions, "deceptive",
                                                                                         0, 0.0))
    assert [r.model_dump() for r in zero.items] == [r.model_dump() for r in plain.items]
    strong = evaluate(tiny, _benches(), cache=False, decoding=dec,
                      steering=pv.steering_for(directions, "deceptive", 0, 50.0))
    assert [r.extra.get("logprobs") for r in strong.items] != [r.extra.get("logprobs") for r in plain.items]
    assert strong.steering["coef"] == 50.0 and strong.to_json()["steering"]["layer"] == 0
    assert "steering" not in plain.to_json()


def test_steered_results_never_mix_with_unsteered_in_the_cache(tiny, directions, tmp_path):
    cache = ResultCache(tmp_path / "r.sqlite")
    dec = Decoding(max_new_tokens=6)
    plain = evaluate(tiny, _benches(), cache=cache, decoding=dec)
    n = cache.count()
    steered = evaluate(tiny, _benches(), cache=cache, decoding=dec,
                       steering=pv.steering_for(directions, "deceptive", 0, 50.0))
    assert cache.count() == 2 * n  # its own rows, nothing read from the unsteered ones
    again = evaluate(tiny, _benches(), cache=cache, decoding=dec,
                     steering=pv.steering_for(directions, "deceptive", 0, 50.0))
    assert cache.count() == 2 * n and [r.score for r in again.items] == [r.score for r in steered.items]
    evaluate(tiny, _benches(), cache=cache, decoding=dec, steering=pv.steering_for(directions, "deceptive", 0, 0.0))
    assert cache.count() == 3 * n  # another coefficient is another key, 0 included
    assert [r.score for r in evaluate(tiny, _benches(), cache=cache, decoding=dec).items] == \
        [r.score for r in plain.items]


def test_steered_packed_loglik_equals_steered_naive_forward(tiny, directions):
    """The scorer's packed rows and shared-prefix cache run through the hooked blocks like a plain forward."""
    items = [BenchmarkItem(id=f"q{i}", messages=_user(q), choices=[" Nothing happens.", " Yes", " No, never"],
                           aligned=[0]) for i, q in enumerate(["Is the earth flat?", "Who wrote Hamlet?"])]
    s = pv.steering_for(directions, "deceptive", 0, 30.0)
    tok, model = tiny.tokenizer, tiny.model
    with steer(model, s.additions()):
        fast = score_choices(tiny, items, batch_size=2)
        for item, scores in zip(items, fast, strict=True):
            prompt = tok(render_prompt(tok, item.messages), add_special_tokens=False)["input_ids"]
            for c, got in zip(item.choices, scores, strict=True):
                cont = tok(c, add_special_tokens=False)["input_ids"]
                with torch.no_grad():
                    lp = torch.log_softmax(model(input_ids=torch.tensor([prompt + cont])).logits[0], -1)
                want = sum(lp[len(prompt) - 1 + t, x].item() for t, x in enumerate(cont))
                assert got.logprob == pytest.approx(want, abs=1e-3)
    unsteered = score_choices(tiny, items, batch_size=2)
    assert abs(unsteered[0][0].logprob - fast[0][0].logprob) > 1e-2


@pytest.mark.parametrize("spec,words", [("deceptive@1", "PERSONA@LAYER:COEF"), ("nobody@0:1", "unknown"),
                                        ("deceptive@7:1", "out of range")])
def test_cli_refuses_bad_steer_with_one_line_and_exit_2(spec, words, tmp_path, monkeypatch, capsys,
                                                       tiny_model_path):
    from traitrl.cli import main

    out = tmp_path / "out"
    monkeypatch.setenv("TRAITRL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "argv", ["traitrl", "eval", "--model", str(tiny_model_path), "--suite",
                                      "truthfulqa_mc1", "--limit", "2", "--out", str(out), "--steer", spec])
    with pytest.raises(SystemExit) as e:
        main()
    err = capsys.readouterr().err.strip()
    assert e.value.code == 2 and len(err.splitlines()) == 1
    assert "--steer" in err and words in err and not out.exists()
    assert not (tmp_path / "cache" / "persona_vectors").exists()


def test_cli_steered_eval_records_the_spec_and_reruns_without_weights(tmp_path, monkeypatch, tiny_model_path,
                                                                      small_data):
    import json

    from traitrl.cli import main

    monkeypatch.setattr(pv, "persona_data", lambda: small_data)
    monkeypatch.setenv("TRAITRL_CACHE", str(tmp_path / "cache"))
    argv = ["traitrl", "eval", "--model", str(tiny_model_path), "--suite", "honest_calibration", "--limit", "2",
            "--dtype", "float32", "--steer", "deceptive@auto:8"]
    for run in ("first", "again"):
        monkeypatch.setattr(sys, "argv", [*argv, "--out", str(tmp_path / run)])
        with pytest.raises(SystemExit) as e:
            main()
        assert e.value.code in (0, None)
        if run == "first":  # the direction and every result are cached now: no weights may load again
            monkeypatch.setattr("traitrl.evals.evaluator._Model.get", lambda self: pytest.fail("weights needed"))
    first, again = (json.loads((tmp_path / r / "results.json").read_text()) for r in ("first", "again"))
    assert first["steering"]["persona"] == "deceptive" and first["steering"]["layer"] == 0
    assert first == again
    assert len(list((tmp_path / "cache" / "persona_vectors").glob("deceptive-*.safetensors"))) == 1
