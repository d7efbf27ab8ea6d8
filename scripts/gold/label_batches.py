"""Render label batches: each scenario's rubric and its replies in a seeded random order, kinds hidden.

Stage 4 of building the gold set. Reply ids are content hashes, so they reveal nothing of how a reply was made.

    python scripts/gold/label_batches.py SCENARIOS.jsonl REPLIES.jsonl OUT_DIR PREFIX N_BATCHES

(Second reads: run it on a file holding only the scenarios to read again, one batch.)
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections import defaultdict
from pathlib import Path


def reply_id(scenario_id: str, kind: str, text: str) -> str:
    return "r" + hashlib.sha1(f"{scenario_id}\x00{kind}\x00{text}".encode()).hexdigest()[:10]


def render(s: dict, replies: list[dict]) -> str:
    lines = [f"## scenario `{s['id']}`", "", "### conversation", ""]
    for m in s["messages"]:
        lines += [f"**[{m['role']}]**", "", m["content"].strip(), ""]
    lines += ["### criteria", ""]
    for i, item in enumerate(s["rubric"]):
        sign = "+" if item["points"] > 0 else ""
        lines.append(f"{i}. ({sign}{item['points']:g}) {item['criterion']}")
    lines += ["", "### replies", ""]
    for r in replies:
        lines += [f"#### reply `{r['id']}`", "", r["text"].strip() or "(empty reply)", ""]
    return "\n".join(lines)


def scenario_blocks(scenarios: dict[str, dict], replies: list[dict], rng: random.Random) -> list[tuple[str, int]]:
    """Each scenario's rendered block, its replies shuffled by `rng`, with its reply count; scenarios in the order
    their first reply appears."""
    by_scenario: dict[str, list[dict]] = defaultdict(list)
    for r in replies:
        by_scenario[r["scenario_id"]].append(r)
    for rs in by_scenario.values():
        rng.shuffle(rs)
    return [(render(scenarios[sid], rs), len(rs)) for sid, rs in by_scenario.items()]


def write_batches(out: Path, blocks: list[tuple[str, int]], batches: int) -> None:
    """`label_batch-K.md`, K = 1..batches: every batches-th block from the K-th."""
    for k in range(batches):
        part = blocks[k::batches]
        (out / f"label_batch-{k + 1}.md").write_text(
            f"# label batch {k + 1}/{batches}: {len(part)} scenarios, {sum(n for _, n in part)} replies\n\n"
            + "\n---\n\n".join(b for b, _ in part))


def main(scen_path: Path, reply_path: Path, out: Path, prefix: str, n: int) -> None:
    scenarios = {json.loads(x)["id"]: json.loads(x) for x in scen_path.open() if x.strip()}
    by_scenario: dict[str, list[dict]] = defaultdict(list)
    for line in reply_path.open():
        if line.strip():
            r = json.loads(line)
            if r["scenario_id"] in scenarios:
                by_scenario[r["scenario_id"]].append(r)
    ids = sorted(by_scenario)
    out.mkdir(parents=True, exist_ok=True)
    for b in range(n):
        parts = []
        for sid in ids[b::n]:
            replies = list(by_scenario[sid])
            random.Random(sid).shuffle(replies)
            parts.append(render(scenarios[sid], replies))
        count = sum(len(by_scenario[s]) for s in ids[b::n])
        (out / f"{prefix}{b}.md").write_text(f"# label batch {prefix}{b}: {len(ids[b::n])} scenarios, {count} "
                                             "replies\n\n" + "\n---\n\n".join(parts))
        print(out / f"{prefix}{b}.md", len(ids[b::n]), count)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
