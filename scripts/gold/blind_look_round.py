"""Turn a labelled blind-look folder (`blind_sample.py` + raters) into an `add_round.py` work folder.

Scenarios already in the gold set under another rubric are left out with their replies (their verdicts were
read against the other rubric). Reply kinds are renamed by KIND=NEW pairs (`model_trait=model_trained`); the
three first-read files `labels-K.jsonl` become raters `<PREFIX>_K`, the second read `second.jsonl` rater
`<PREFIX>_D:2`.

    python scripts/gold/blind_look_round.py BLIND_DIR WORK_DIR PREFIX [KIND=NEW ...]
    python scripts/gold/add_round.py WORK_DIR src/traitrl/grading/gold ROUND NAME test
  round 9 (the files of docs/results/pilot_warm_cpu/blind_look plus the blind look's scenarios.jsonl):
    python scripts/gold/blind_look_round.py BLIND_DIR /tmp/gold9 W9 model_base=model_warm model_trait=model_trained
"""

from __future__ import annotations

import sys
from pathlib import Path

from build_gold import read

from traitrl.files import atomic_write_jsonl as write

GOLD_DIR = Path(__file__).resolve().parents[2] / "src" / "traitrl" / "grading" / "gold"


def main(blind: Path, work: Path, prefix: str, kinds: dict[str, str]) -> None:
    gold_rubrics = {s["id"]: s["rubric"] for s in read(GOLD_DIR / "scenarios.jsonl")}
    scenarios = read(blind / "scenarios.jsonl")
    skip = {s["id"] for s in scenarios if s["id"] in gold_rubrics and gold_rubrics[s["id"]] != s["rubric"]}
    replies = [{**r, "kind": kinds.get(r["kind"], r["kind"])} for r in read(blind / "replies.jsonl")
               if r["scenario_id"] not in skip]
    keep = {r["id"] for r in replies}
    write(work / "scenarios" / "blind.jsonl", [s for s in scenarios if s["id"] not in skip])
    write(work / "pool" / "blind.jsonl", replies)
    reads = [(f"labels-{k}.jsonl", f"{prefix}_{k}.jsonl") for k in (1, 2, 3)]
    for src, dst in reads + [("second.jsonl", f"{prefix}_D.second.jsonl")]:
        write(work / "labels" / dst, [r for r in read(blind / src) if r["reply_id"] in keep])
    print(f"{work}: {len(scenarios) - len(skip)} scenarios ({len(skip)} left out: {sorted(skip)}), "
          f"{len(replies)} replies")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], dict(pair.split("=", 1) for pair in sys.argv[4:]))
