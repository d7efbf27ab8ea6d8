"""Add a labelled round to the shipped gold folder without touching earlier rounds (round 5 on).

Reads a work folder laid out as for `build_gold.py` (`scenarios/`, `pool/`, `labels/`), appends its new
scenarios to `scenarios.jsonl` with `meta.gold_split` = SPLIT (a scenario already in the gold set keeps its
split), and writes the labelled replies to `replies-<NAME>-<ROUND>.jsonl` and the reads to
`verdicts-<ROUND>.jsonl`. Refuses to overwrite a round that exists.

    python scripts/gold/add_round.py WORK_DIR GOLD_DIR ROUND NAME SPLIT
    python scripts/gold/add_round.py /work/gold5 src/traitrl/grading/gold 5 written-train fit
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from build_gold import MAX_PART_BYTES, read, read_work


def write_file(path: Path, rows: list[dict]) -> None:
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if len(text.encode()) > MAX_PART_BYTES:
        raise SystemExit(f"{path}: {len(text.encode())} bytes, over {MAX_PART_BYTES}: split the round")
    path.write_text(text)


def main(work: Path, gold: Path, round_no: int, name: str, split: str) -> None:
    if split not in ("fit", "dev", "test"):
        raise SystemExit(f"SPLIT must be fit, dev or test, not {split!r}")
    if list(gold.glob(f"verdicts-{round_no}.jsonl")) or list(gold.glob(f"replies-*-{round_no}.jsonl")):
        raise SystemExit(f"{gold}: round {round_no} exists")
    scenarios, replies, verdicts = read_work(work)
    labelled = sorted({v["reply_id"] for v in verdicts})
    known = {r["id"] for r in read(gold / "scenarios.jsonl")}
    new = sorted({replies[rid]["scenario_id"] for rid in labelled} - known)
    with (gold / "scenarios.jsonl").open("a") as f:
        for sid in new:
            row = dict(scenarios[sid])
            row["meta"] = {**row.get("meta", {}), "gold_split": split}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    write_file(gold / f"replies-{name}-{round_no}.jsonl", [replies[rid] for rid in labelled])
    write_file(gold / f"verdicts-{round_no}.jsonl", sorted(verdicts, key=lambda v: (v["reply_id"], v["rater"])))
    print(f"{gold}: round {round_no}: {len(new)} new scenarios ({split}), {len(labelled)} replies, "
          f"{sum(len(v['met']) for v in verdicts)} verdicts")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
