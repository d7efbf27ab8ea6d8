"""Standard RL rows for the mixed-data export tests: GSM8K test questions (shared data) in verl's and
OpenRLHF's row layouts (`data_source` "openai/gsm8k", the label the number after "####")."""

from __future__ import annotations

import json
import os
from pathlib import Path

INSTRUCTION = 'Let\'s think step by step and output the final answer after "####".'


def gsm8k_items(n: int) -> list[dict]:
    path = Path(os.environ["TRAITRL_DATA"]) / "gsm8k" / "test.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()[:n]]
    return [{"question": r["question"], "answer": r["answer"].split("####")[-1].strip()} for r in rows]


def verl_gsm8k(n: int) -> list[dict]:
    return [{"data_source": "openai/gsm8k", "prompt": [{"role": "user", "content": f"{r['question']} {INSTRUCTION}"}],
             "ability": "math", "reward_model": {"style": "rule", "ground_truth": r["answer"]},
             "extra_info": {"split": "test", "index": i}} for i, r in enumerate(gsm8k_items(n))]


def openrlhf_gsm8k(n: int) -> list[dict]:
    return [{"prompt": [{"role": "user", "content": f"{r['question']} {INSTRUCTION}"}], "label": r["answer"]}
            for r in gsm8k_items(n)]
