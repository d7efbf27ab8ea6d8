"""Pick the written eval scenarios for the judge's agreement check: one per trait x domain cell, seeded.

    python scripts/written/pick_check.py src/traitrl/scenarios/written/eval OUT.jsonl
"""

import json
import random
import sys
from pathlib import Path


def main(folder: Path, out: Path) -> None:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        by_domain: dict[str, list[dict]] = {}
        for line in path.open():
            r = json.loads(line)
            by_domain.setdefault(r["domain"], []).append(r)
        for d in sorted(by_domain):
            k = random.Random(f"written-eval-check:{path.stem}:{d}").randrange(len(by_domain[d]))
            rows.append(by_domain[d][k])
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(f"{out}: {len(rows)} scenarios")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
