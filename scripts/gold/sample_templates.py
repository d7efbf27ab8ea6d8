"""Sample the template-family scenarios of the gold set (stage 1 of building it).

16 scenarios per trait (240 in all), spread over the 12 domains and over as many template families as
possible; evaluated traits draw half from the train split and half from the eval split of `data build --seed 0`.

    python scripts/gold/sample_templates.py BUILD_DIR OUT.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

PER_TRAIT = 16


def pick(rows: list[dict], n: int, rng: random.Random) -> list[dict]:
    """n rows, round-robin over domains, never the same family twice when avoidable."""
    by_domain: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_domain[r["domain"]].append(r)
    for v in by_domain.values():
        rng.shuffle(v)
    chosen: list[dict] = []
    families: set[str] = set()
    domains = sorted(by_domain)
    rng.shuffle(domains)
    while len(chosen) < n and any(by_domain.values()):
        for d in domains:
            if len(chosen) >= n or not by_domain[d]:
                continue
            fresh = [r for r in by_domain[d] if r["family"] not in families]
            r = (fresh or by_domain[d])[0]
            by_domain[d].remove(r)
            chosen.append(r)
            families.add(r["family"])
    return chosen


def main(build: Path, out: Path) -> None:
    rng = random.Random(16)
    train = [json.loads(line) for line in (build / "train.jsonl").open()]
    evals = [json.loads(line) for line in (build / "eval.jsonl").open()]
    rows: list[dict] = []
    for trait in sorted({r["trait"] for r in train}):
        tr = [r for r in train if r["trait"] == trait]
        ev = [r for r in evals if r["trait"] == trait]
        rows += pick(tr, PER_TRAIT // 2, rng) + pick(ev, PER_TRAIT // 2, rng) if ev else pick(tr, PER_TRAIT, rng)
    with out.open("w") as f:
        for r in rows:
            r = {k: v for k, v in r.items() if k != "reference"}  # checks kept: `calibrate --grader checks`
            f.write(json.dumps(r) + "\n")
    print(f"{out}: {len(rows)} scenarios, {len({r['family'] for r in rows})} families")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
