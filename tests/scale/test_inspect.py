"""traitrl benchmarks as Inspect tasks (entry point `traitrl/<id>`), scored exactly like `traitrl eval`."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("inspect_ai")

from inspect_ai import eval as inspect_eval  # noqa: E402
from inspect_ai.log import read_eval_log  # noqa: E402

from traitrl.evals.evaluator import Decoding, evaluate  # noqa: E402
from traitrl.evals.registry import get_benchmark  # noqa: E402
from traitrl.models.loading import load_policy  # noqa: E402

BENCH = "indist_truthfulness"


def test_tasks_registered_for_every_benchmark():
    from traitrl.evals.registry import all_benchmarks
    from traitrl.integrations.inspect_tasks import TASK_IDS, benchmark_task

    assert set(all_benchmarks()) <= set(TASK_IDS)
    mc = benchmark_task("syco_are_you_sure", limit=2)
    assert len(mc.dataset) == 2 and mc.dataset[0].choices and mc.dataset[0].target


@pytest.mark.integration
def test_inspect_hf_run_agrees_with_traitrl_eval(tiny_model_path, tmp_path):
    logs = inspect_eval(f"traitrl/{BENCH}", model=f"hf/{tiny_model_path}",
                        model_args={"device": "cpu", "do_sample": False},
                        task_args={"limit": 3, "max_tokens": 16}, log_dir=str(tmp_path / "logs"), display="none")
    log = read_eval_log(logs[0].location)  # the file `inspect view` opens
    assert log.status == "success" and len(log.samples) == 3
    bench = get_benchmark(BENCH)
    items = {it.id: it for it in bench.load()}
    responses = {}
    for sample in log.samples:
        response = sample.output.completion.strip()
        responses[sample.id] = response
        expected = bench.score_response(items[sample.id], response)
        got = sample.scores["traitrl_response_scorer"].value
        assert (math.isnan(got) and expected is None) or got == expected
    # the same model through `traitrl eval` writes the same texts, hence the same scores
    local = load_policy(str(tiny_model_path), dtype="float32", device="cpu")
    suite = evaluate(local, [bench], limit=3, decoding=Decoding(max_new_tokens=16), cache=False)
    assert [r.response for r in suite.items] == [responses[r.item_id] for r in suite.items]  # greedy, same model
    assert [r.score for r in suite.items] == [log_score(log, r.item_id) for r in suite.items]


def log_score(log, item_id):
    value = next(s for s in log.samples if s.id == item_id).scores["traitrl_response_scorer"].value
    return None if math.isnan(value) else value
