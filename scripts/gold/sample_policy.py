"""Sample replies from a policy for gold-set scenarios (stage 3: what the RL reward actually sees).

    python scripts/gold/sample_policy.py SCENARIOS.jsonl OUT.jsonl [--model embedded] [--adapter DIR]
        [--kind model_base] [--k 1] [--seed 0]

Writes a chunk of scenarios at a time and skips scenarios already in OUT, so an interrupted run resumes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from traitrl.evals.generation import generate
from traitrl.models.loading import load_policy
from traitrl.types import Scenario

CHUNK = 32


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenarios", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--adapter", default=None)
    ap.add_argument("--kind", default="model_base")
    ap.add_argument("--k", type=int, default=1)
    ap.add_argument("--max-new-tokens", type=int, default=160)
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    done = {json.loads(line)["scenario_id"] for line in args.out.open()} if args.out.exists() else set()
    scenarios = [s for s in (Scenario.model_validate_json(line) for line in args.scenarios.open() if line.strip())
                 if s.id not in done]
    loaded = load_policy(args.model, adapter=args.adapter)
    for start in range(0, len(scenarios), CHUNK):
        part = scenarios[start:start + CHUNK]
        texts = generate(loaded, [s.messages for s in part], max_new_tokens=args.max_new_tokens,
                         temperature=args.temperature, num_samples=args.k, seed=args.seed + start)
        with args.out.open("a") as f:
            for i, t in enumerate(texts):
                f.write(json.dumps({"scenario_id": part[i // args.k].id, "kind": args.kind, "text": t.strip()}) + "\n")
        print(f"{args.out}: {len(done) + start + len(part)} scenarios", flush=True)


if __name__ == "__main__":
    main()
