"""Render scenarios as Markdown batches for reply writers (stage 2 of building the gold set).

Writers see the conversation, the trait and its definition, never the rubric: replies are written blind, as
a user's model would write them.

    python scripts/gold/render_batches.py SCENARIOS.jsonl OUT_DIR PREFIX N_BATCHES
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from traitrl.catalog import TRAIT_INFO


def render(row: dict) -> str:
    trait = TRAIT_INFO[row["trait"]]
    lines = [f"## scenario `{row['id']}`", "",
             f"trait: **{trait.name}** ({trait.definition}); domain: {row['domain']}; "
             f"pressures: {', '.join(row.get('pressures', [])) or 'none'}", ""]
    for m in row["messages"]:
        lines += [f"**[{m['role']}]**", "", m["content"].strip(), ""]
    return "\n".join(lines)


def main(src: Path, out: Path, prefix: str, n: int) -> None:
    rows = [json.loads(line) for line in src.open()]
    out.mkdir(parents=True, exist_ok=True)
    for b in range(n):
        part = rows[b::n]
        text = f"# batch {prefix}{b} ({len(part)} scenarios)\n\n" + "\n---\n\n".join(render(r) for r in part)
        (out / f"{prefix}{b}.md").write_text(text)
        print(out / f"{prefix}{b}.md", len(part))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
