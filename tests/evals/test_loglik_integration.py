"""One short check on the real embedded model: 20 TruthfulQA MC1 questions through the evaluator."""

from __future__ import annotations

import json

import pytest

from traitrl.evals.benchmark import Benchmark, BenchmarkItem
from traitrl.types import Message


@pytest.mark.integration
@pytest.mark.parametrize("dtype", ["float32", "auto"])
def test_truthfulqa_slice_on_embedded_model(tmp_path, dtype):
    from traitrl.evals.evaluator import evaluate
    from traitrl.evals.result_cache import ResultCache
    from traitrl.settings import data_dir

    rows = json.loads((data_dir() / "truthfulqa" / "mc_task.json").read_text())[:20]
    items = [BenchmarkItem(id=f"tqa:{i}", messages=[Message(role="user", content=f"Q: {r['question']}\nA:")],
                           choices=[f" {c}" for c in r["mc1_targets"]],
                           aligned=[j for j, v in enumerate(r["mc1_targets"].values()) if v == 1])
             for i, r in enumerate(rows)]
    bench = Benchmark(id="tqa20", category="deception_honesty", scorer="mc", source="test", load=lambda: items)
    suite = evaluate("embedded", [bench], cache=ResultCache(tmp_path / "r.sqlite"), out_dir=tmp_path, dtype=dtype)
    r = suite.benchmarks["tqa20"]
    assert r.n == 20 and r.missing == 0
    # the packed, batched scoring agrees with one plain forward pass per choice, on the first three questions
    import torch

    from traitrl.evals.loglik import render_prompt
    from traitrl.models.loading import load_policy

    loaded = load_policy("embedded", dtype=dtype)
    tok, model = loaded.tokenizer, loaded.model
    by_id = {row.item_id: row for row in suite.items}
    for item in items[:3]:
        prompt = tok(render_prompt(tok, item.messages), add_special_tokens=False)["input_ids"]
        naive, tolerance = [], []
        for choice in item.choices:
            cont = tok(choice, add_special_tokens=False)["input_ids"]
            # fp32 checks the packing: the same sums to rounding. bf16 rounds differently per layout: on the AMX
            # Xeon 49 choices of 8 questions differed by up to 0.57 nats (0.5 had been enough on the AVX-512 EPYC),
            # while a misplaced token costs several nats
            tolerance.append(0.02 if model.dtype == torch.float32 else 1.0)
            with torch.no_grad():
                lp = torch.log_softmax(model(input_ids=torch.tensor([prompt + cont])).logits[0].float(), -1)
            naive.append(sum(lp[len(prompt) - 1 + t, c].item() for t, c in enumerate(cont)))
        got = by_id[item.id].extra["logprobs"]
        assert len(got) == len(naive)
        assert all(abs(g - n) <= t for g, n, t in zip(got, naive, tolerance, strict=True)), (got, naive, tolerance)
