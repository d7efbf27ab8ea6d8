"""The embedded model behind a real OpenAI-compatible server on loopback (`transformers serve`).

Exercises, for real, the two protocols that talk to an endpoint: LLM scenario generation (`traitrl data
generate`) and the LLM judge. The 135M model writes poor scenarios and poor verdicts; what is tested is the
protocol, the validation and the rejection / missing-verdict paths, never the model's quality.
"""

from __future__ import annotations

import math
import os

import pytest
from scale.servers import serve_transformers

from traitrl.grading.api import load_grader
from traitrl.models.loading import default_dtype
from traitrl.scenarios.build import load_templates
from traitrl.scenarios.generate import generate_scenarios

# ~50 s on 2 idle cores (a 135M model writing JSON and verdicts); TRAITRL_SKIP_SLOW_TESTS=1 skips them.
pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(os.environ.get("TRAITRL_SKIP_SLOW_TESTS") == "1",
                                 reason="TRAITRL_SKIP_SLOW_TESTS=1: not serving the embedded model on loopback")]


@pytest.fixture(scope="module")
def endpoint(embedded_model_path):
    # the dtype this machine is fast in (measured): bf16 with AVX-512 BF16 / AMX, fp32 where bf16 is emulated
    # (an AVX2-only CPU decodes bf16 at ~1 GFLOP/s, and the calls ran past their timeouts)
    dtype = str(default_dtype()).removeprefix("torch.")
    with serve_transformers(embedded_model_path, wait_s=900, dtype=dtype, threads=1) as url:
        yield url, str(embedded_model_path)


def test_generation_protocol_against_the_embedded_model(endpoint):
    url, model = endpoint
    # a generous per-call timeout: on a busy machine the 135M model is slow, and the verdict must not depend on it
    rows, summary = generate_scenarios(url, model, "truthfulness", "health", n=1, max_attempts=2, max_tokens=160,
                                       timeout_s=1800)
    assert summary.attempts == 2 or (summary.attempts == 1 and len(rows) == 1)
    assert len(rows) + sum(summary.rejected.values()) == summary.attempts  # every attempt accounted for
    assert not any(r.startswith("api_error") for r in summary.rejected), summary.rejected  # replies were parsed
    for r in rows:  # anything accepted passed the same validation as built-in scenarios
        assert r.source == "generated" and r.messages[-1].role == "user"


def test_judge_against_the_embedded_model(endpoint, tmp_path):
    url, model = endpoint
    scenario = load_templates(split="eval")[0]  # a template fill carries a reference reply to grade
    judge = load_grader(f"judge:{model}@{url}", max_tokens=48, timeout_s=1800, max_retries=1,
                        cache_path=str(tmp_path / "judge.sqlite"))
    grade = judge.grade_batch([scenario], [scenario.reference])[0]
    assert len(grade.items) == len(scenario.rubric)
    for item in grade.items:  # a verdict is parsed, or recorded as missing with its reason; never invented
        if item.met is None:
            assert item.evidence
    assert math.isnan(grade.score) or grade.score <= 1.0  # one reply's score is unclipped: it may be below 0
    # parsed verdicts come from the cache: a judge whose endpoint is unreachable gives them back unchanged
    offline = load_grader(f"judge:{model}@http://127.0.0.1:9/v1", max_tokens=48, timeout_s=5, max_retries=0,
                          cache_path=str(tmp_path / "judge.sqlite"))
    again = offline.grade_batch([scenario], [scenario.reference])[0]
    assert [i.met for i in again.items if i.met is not None] == [i.met for i in grade.items if i.met is not None]
    for first, second in zip(grade.items, again.items, strict=True):
        if first.met is None:  # asked again, and the dead endpoint is reported, not guessed
            assert second.met is None and "judge error" in second.evidence
