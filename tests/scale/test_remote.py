"""Remote models: a real `transformers serve` on loopback (chat), and a real model behind prompt logprobs."""

from __future__ import annotations

import math

import pytest

from traitrl.errors import ConfigError
from traitrl.evals.benchmark import Benchmark, BenchmarkItem
from traitrl.evals.evaluator import Decoding, evaluate
from traitrl.evals.generation import generate
from traitrl.evals.loglik import score_choices
from traitrl.evals.remote import NO_LOGLIK_NOTE, RemoteModel, parse_remote_spec
from traitrl.models.loading import load_policy
from traitrl.types import Message

from .servers import LoglikServer, serve_transformers


def _user(text: str) -> list[Message]:
    return [Message(role="user", content=text)]


def gen_bench() -> Benchmark:
    items = [BenchmarkItem(id=f"g{i}", messages=_user(f"Tell me about topic {i}.")) for i in range(3)]
    return Benchmark(id="toy_remote_gen", category="sycophancy", scorer="generate", source="builtin",
                     load=lambda: items, score_response=lambda item, r: min(1.0, len(r) / 40))


def mc_bench() -> Benchmark:
    items = [BenchmarkItem(id=f"m{i}", messages=_user(f"Question {i}: is the sky blue?"),
                           choices=["Yes, it is.", "No. It is green."], aligned=[0]) for i in range(3)]
    return Benchmark(id="toy_remote_mc", category="deception_honesty", scorer="mc", source="builtin",
                     load=lambda: items)


def test_parse_remote_spec():
    assert parse_remote_spec("openai:org/m@v1@http://h:1/v1/") == ("org/m@v1", "http://h:1/v1")
    with pytest.raises(ConfigError):
        parse_remote_spec("openai:model-without-url")


@pytest.mark.integration
def test_transformers_serve_generation_matches_local_and_mc_is_skipped(tiny_model_path, tmp_path, monkeypatch):
    pytest.importorskip("fastapi")  # extra `serve`: `transformers serve` needs fastapi + uvicorn
    pytest.importorskip("uvicorn")
    monkeypatch.setenv("TRAITRL_API_KEY", "placeholder")
    persona = "You are a careful assistant."
    decoding = Decoding(max_new_tokens=8)
    with serve_transformers(tiny_model_path) as base_url:
        spec = f"openai:{tiny_model_path}@{base_url}"
        suite = evaluate(spec, [gen_bench(), mc_bench()], out_dir=tmp_path / "remote", decoding=decoding,
                         system_prompt=persona, cache=False)
    local = load_policy(str(tiny_model_path), dtype="float32", device="cpu")
    expected = generate(local, [it.messages for it in gen_bench().load()], max_new_tokens=8,
                        system_prompt=persona, progress=False)
    got = [r.response for r in suite.items if r.benchmark == "toy_remote_gen"]
    assert got == expected  # same weights, same chat template, greedy: the very same text
    assert suite.model == spec and suite.benchmarks["toy_remote_gen"].n == 3
    mc = suite.benchmarks["toy_remote_mc"]
    assert mc.n == 0 and mc.mean is None and mc.missing == 3 and mc.note == NO_LOGLIK_NOTE
    written = (tmp_path / "remote" / "results.json").read_text()
    assert NO_LOGLIK_NOTE in written


@pytest.mark.integration
def test_prompt_logprob_endpoint_scores_mc_like_local(tiny_model_path):
    local = load_policy(str(tiny_model_path), dtype="float32", device="cpu")
    items = mc_bench().load()
    expected = score_choices(local, items)
    with LoglikServer(tiny_model_path) as server:
        remote = RemoteModel(str(tiny_model_path), server.base_url, api_key="k")
        assert remote.loglik_note() is None
        got = remote.score_choices(items)
        suite = evaluate(remote, [mc_bench()], cache=False)
    for row_e, row_g in zip(expected, got, strict=True):
        for e, g in zip(row_e, row_g, strict=True):
            assert g.n_tokens == e.n_tokens
            assert math.isclose(g.logprob, e.logprob, rel_tol=1e-4, abs_tol=1e-4)
    assert suite.benchmarks["toy_remote_mc"].n == 3 and suite.benchmarks["toy_remote_mc"].note is None
