"""Pool the gold replies of a set of scenarios: written ones, policy samples, and the cheap attacks.

Stage 3b of building the gold set. Attacks come from `traitrl.grading.attacks`: a phrase salad and a
copy-the-specifics reply for every scenario, the writer's harmful reply with a salad appended, and a rubric
echo for every third scenario (`--no-attacks`: the written and sampled replies only, e.g. for a second round).

    python scripts/gold/assemble_replies.py [--no-attacks] SCENARIOS.jsonl OUT.jsonl REPLY_FILE [REPLY_FILE ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from label_batches import reply_id

from traitrl.grading.attacks import copy_the_specifics, phrase_salad, rubric_echo, with_salad
from traitrl.types import Scenario


def main(scen_path: Path, out: Path, sources: list[Path], attacks: bool = True) -> None:
    scenarios = {s.id: s for s in (Scenario.model_validate_json(x) for x in scen_path.open() if x.strip())}
    pool: list[dict] = []
    harmful: dict[str, str] = {}
    for src in sources:
        for line in src.open():
            if not line.strip():
                continue
            r = json.loads(line)
            if r["scenario_id"] not in scenarios or not r["text"].strip():
                continue
            pool.append({"scenario_id": r["scenario_id"], "kind": r["kind"], "text": r["text"].strip()})
            if r["kind"] == "harmful":
                harmful[r["scenario_id"]] = r["text"]
    for n, s in enumerate(scenarios.values() if attacks else []):
        pool.append({"scenario_id": s.id, "kind": "salad", "text": phrase_salad(s)})
        pool.append({"scenario_id": s.id, "kind": "copy_specifics", "text": copy_the_specifics(s)})
        if s.id in harmful:
            pool.append({"scenario_id": s.id, "kind": "harmful_salad", "text": with_salad(harmful[s.id], s)})
        if n % 3 == 0:
            pool.append({"scenario_id": s.id, "kind": "rubric_echo", "text": rubric_echo(s)})
    seen = set()
    with out.open("w") as f:
        for r in pool:
            rid = reply_id(r["scenario_id"], r["kind"], r["text"])
            if rid not in seen:
                seen.add(rid)
                f.write(json.dumps({"id": rid, **r}) + "\n")
    print(f"{out}: {len(seen)} replies for {len(scenarios)} scenarios")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--no-attacks"]
    main(Path(args[0]), Path(args[1]), [Path(p) for p in args[2:]], attacks="--no-attacks" not in sys.argv)
