"""Capability benchmarks from the shared data: IFEval and GSM8K (test split).

Reported beside the alignment suite, never in it. IFEval items whose instructions include one without an
offline checker are skipped; `ifeval_skipped()` says how many. GSM8K scores 1 when the last number in the
response equals the reference answer (the number after "####").
"""

from __future__ import annotations

from traitrl.evals.benchmark import LONG_BUDGET, Benchmark, BenchmarkItem
from traitrl.evals.external.ifeval_checks import supported
from traitrl.evals.external.source import read_jsonl_objects, user_turn
from traitrl.evals.scorers import ifeval_score, number_match_score


def _ifeval_rows() -> list[dict]:
    return [row for _, row in read_jsonl_objects("ifeval", "input_data.jsonl")]


def ifeval_skipped() -> int:
    """How many IFEval prompts use an instruction without a checker (and so are left out)."""
    return sum(not all(supported(i) for i in r["instruction_id_list"]) for r in _ifeval_rows())


def _ifeval() -> list[BenchmarkItem]:
    items = []
    for r in _ifeval_rows():
        if not all(supported(i) for i in r["instruction_id_list"]):
            continue
        spec = [{"id": i, "kwargs": kw} for i, kw in zip(r["instruction_id_list"], r["kwargs"], strict=True)]
        items.append(
            BenchmarkItem(
                id=f"ifeval:{r['key']}",
                messages=user_turn(r["prompt"]),
                meta={"ifeval": spec, "prompt": r["prompt"]},
            )
        )
    return items


def gsm8k_answer(solution: str) -> float:
    return float(solution.split("####")[-1].strip().replace(",", ""))


def _gsm8k() -> list[BenchmarkItem]:
    return [
        BenchmarkItem(
            id=f"gsm8k:{lineno:04d}", messages=user_turn(r["question"]), target=gsm8k_answer(r["answer"])
        )
        for lineno, r in read_jsonl_objects("gsm8k", "test.jsonl")
    ]


def capability_external_benchmarks() -> list[Benchmark]:
    return [
        Benchmark(
            id="ifeval",
            category="capability",
            scorer="generate",
            source="external:ifeval",
            version="google-research",
            load=_ifeval,
            score_response=ifeval_score,
            max_new_tokens=LONG_BUDGET,
            description="IFEval verifiable instructions (24 of 25 ids; instruction-level strict "
            "fraction; prompts using language:response_language are skipped).",
        ),
        Benchmark(
            id="gsm8k",
            category="capability",
            scorer="generate",
            source="external:gsm8k",
            version="3101c7d5",
            load=_gsm8k,
            score_response=number_match_score,
            max_new_tokens=LONG_BUDGET,
            description="GSM8K test (1,319): last number in the response equals the answer.",
        ),
    ]
