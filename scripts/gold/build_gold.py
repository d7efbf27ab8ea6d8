"""Write the shipped gold folder from the work files (the last stage of building the gold set).

- scenarios: every scenario that has labelled replies, with `meta.gold_split` by skeleton (template:
  `<split>.<trait>.o<k>`, the opening all fills of a template share; written: the writer's batch and trait),
  so fit, dev and test share no skeleton. Within each source (template, written), skeletons are ordered by a
  hash of their name and cut 60 % fit, 15 % dev, 25 % test;
  The shipped written eval scenarios (source `written`, `traitrl.scenarios.written`) are all test;
- replies: the pooled replies that were labelled, in `replies-template-<k>.jsonl`, `replies-written-<k>.jsonl`
  (gold-written scenarios) and `replies-written-eval-<k>.jsonl` (written eval scenarios);
- verdicts: one row per read of a reply, a verdict per criterion, in `verdicts-<k>.jsonl`; a label file named
  `<batch>.jsonl` is the first read, `<batch>.second.jsonl` the independent second read (rater suffix `:2`).
Every file is cut in parts of under 2 MB (reviewable on the web, and no large blobs in the repository).

    python scripts/gold/build_gold.py WORK_DIR src/traitrl/grading/gold

It rebuilds rounds 1-3; rounds 4 and 5 were appended to the shipped folder (`add_round.py` from round 5 on:
round 5, 90 written train scenarios, is all fit).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

MAX_PART_BYTES = 1_900_000


def skeleton(family: str) -> str:
    parts = family.split(".")
    return ".".join(parts[:3])


HELD_OUT_SOURCES = {"written"}  # the shipped written eval scenarios: always test (a judge never fits on them)
REPLY_FILES = {"builtin": "template", "gold-written": "written", "written": "written-eval"}


def assign_splits(scenarios: list[dict]) -> dict[str, str]:
    """skeleton -> fit/dev/test, cut by count within each source; held-out sources all test."""
    out: dict[str, str] = {skeleton(s["family"]): "test" for s in scenarios if s["source"] in HELD_OUT_SOURCES}
    for source in sorted({s["source"] for s in scenarios} - HELD_OUT_SOURCES):
        keys = sorted({skeleton(s["family"]) for s in scenarios if s["source"] == source},
                      key=lambda k: hashlib.sha1(k.encode()).hexdigest())
        for i, k in enumerate(keys):
            u = i / len(keys)
            out[k] = "fit" if u < 0.60 else "dev" if u < 0.75 else "test"
    return out


def write_parts(out: Path, prefix: str, rows: list[dict], limit: int = MAX_PART_BYTES) -> None:
    """`rows` as JSONL in `<prefix>-1.jsonl`, `<prefix>-2.jsonl`, ..., each under `limit` bytes."""
    part, size, lines = 1, 0, []
    for row in rows:
        line = json.dumps(row, ensure_ascii=False) + "\n"
        if lines and size + len(line.encode()) > limit:
            (out / f"{prefix}-{part}.jsonl").write_text("".join(lines))
            part, size, lines = part + 1, 0, []
        lines.append(line)
        size += len(line.encode())
    (out / f"{prefix}-{part}.jsonl").write_text("".join(lines))


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open() if line.strip()]


def read_work(work: Path) -> tuple[dict[str, dict], dict[str, dict], list[dict]]:
    """Scenarios, pooled replies and label rows of a work folder (`scenarios/`, `pool/`, `labels/`)."""
    scenarios = {r["id"]: r for p in sorted((work / "scenarios").glob("*.jsonl")) for r in read(p)}
    replies = {r["id"]: r for p in sorted((work / "pool").glob("*.jsonl")) for r in read(p)}
    return scenarios, replies, read_labels(work / "labels", scenarios, replies)


def read_labels(folder: Path, scenarios: dict[str, dict], replies: dict[str, dict]) -> list[dict]:
    """One verdict row per read; `<batch>.jsonl` is a first read by `reader-<batch>`, `<batch>.second.jsonl` an
    independent second read (`reader-<batch>:2`)."""
    verdicts: list[dict] = []
    for path in sorted(folder.glob("*.jsonl")):
        second = path.name.endswith(".second.jsonl")
        rater = "reader-" + path.name.split(".")[0] + (":2" if second else "")
        for row in read(path):
            reply = replies.get(row["reply_id"])
            if reply is None:
                raise SystemExit(f"{path}: unknown reply_id {row['reply_id']!r}")
            n_items = len(scenarios[reply["scenario_id"]]["rubric"])
            if len(row["met"]) != n_items:
                raise SystemExit(f"{path}: reply {row['reply_id']}: {len(row['met'])} verdicts for {n_items} items")
            entry = {"reply_id": row["reply_id"], "rater": rater, "met": [bool(m) for m in row["met"]]}
            if row.get("note"):
                entry["note"] = row["note"]
            verdicts.append(entry)
    return verdicts


def main(work: Path, out: Path) -> None:
    scenarios, replies, verdicts = read_work(work)
    labelled = {v["reply_id"] for v in verdicts}
    used = {replies[r]["scenario_id"] for r in labelled}
    out.mkdir(parents=True, exist_ok=True)
    splits = assign_splits([scenarios[sid] for sid in used])
    with (out / "scenarios.jsonl").open("w") as f:
        for sid in sorted(used):
            s = dict(scenarios[sid])
            s["meta"] = {**s.get("meta", {}), "gold_split": splits[skeleton(s["family"])]}
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    for old in [*out.glob("replies*.jsonl"), *out.glob("verdicts*.jsonl")]:
        old.unlink()
    for source, name in REPLY_FILES.items():
        rows = [replies[rid] for rid in sorted(labelled) if scenarios[replies[rid]["scenario_id"]]["source"] == source]
        if rows:
            write_parts(out, f"replies-{name}", rows)
    write_parts(out, "verdicts", sorted(verdicts, key=lambda v: (v["reply_id"], v["rater"])))
    print(f"{out}: {len(used)} scenarios, {len(labelled)} replies, {sum(len(v['met']) for v in verdicts)} verdicts")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
