"""The gold set: scenarios, replies and per-criterion verdicts made by reading (the grader's meta-evaluation).

It ships in `grading/gold/` as three JSONL files a reviewer can read without Python, plus the labelling guide
(`GUIDE.md`) and how the labels were made (`README.md`):

- `scenarios.jsonl`: `Scenario` rows; `meta.gold_split` is `fit`, `dev` or `test`, assigned by scenario
  family (template skeleton or writer batch), so test scenarios share no skeleton with fitted ones;
- `replies-*.jsonl`: `{id, scenario_id, kind, text}`; `kind` says how the reply was made (written blind to
  the rubric, an attack, or sampled from a policy), never used as a label;
- `verdicts-*.jsonl`: one row per read of a reply, `{reply_id, rater, met: [bool per rubric item], note}`
  (the rater's note on a hard call, if any). A reply read by two raters has two rows; `gold_verdicts` keeps
  the primary rater's verdict (`rater` not ending in `:2`). Files are cut in parts of under 2 MB.

    from traitrl.grading.gold import load_gold
    gold = load_gold()            # the shipped set; load_gold(Path("my_gold")) for your own
    gold.examples(split="dev")    # (scenario, reply, item index, met) for every gold verdict on dev
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, StrictBool

from traitrl.files import read_jsonl_numbered
from traitrl.types import Scenario, Strict

GoldSplit = Literal["fit", "dev", "test"]
GOLD_DIR = Path(__file__).parent / "gold"
SECOND_READ_SUFFIX = ":2"


class GoldReply(Strict):
    id: str
    scenario_id: str
    kind: str
    text: str


class GoldVerdict(Strict):
    reply_id: str
    item: int = Field(ge=0)
    met: bool
    rater: str


class GoldRead(Strict):
    """One rater's read of one reply: a verdict per rubric item (a file row of `verdicts-*.jsonl`)."""

    reply_id: str
    rater: str
    met: list[StrictBool]  # JSON true / false: "yes" or 1 is a mistake, not a verdict
    note: str = ""


@dataclass(frozen=True)
class Example:
    scenario: Scenario
    reply: GoldReply
    item: int
    met: bool


@dataclass
class GoldSet:
    scenarios: dict[str, Scenario]
    replies: dict[str, GoldReply]
    verdicts: list[GoldVerdict]

    def split_of(self, scenario_id: str) -> GoldSplit:
        return self.scenarios[scenario_id].meta["gold_split"]

    def gold_verdicts(self) -> dict[tuple[str, int], bool]:
        """(reply id, item) -> the primary rater's verdict."""
        return {(v.reply_id, v.item): v.met for v in self.verdicts if not v.rater.endswith(SECOND_READ_SUFFIX)}

    def double_reads(self) -> list[tuple[bool, bool]]:
        """(first read, second read) for every pair labelled twice independently."""
        first = self.gold_verdicts()
        return [(first[(v.reply_id, v.item)], v.met) for v in self.verdicts
                if v.rater.endswith(SECOND_READ_SUFFIX) and (v.reply_id, v.item) in first]

    def examples(self, split: GoldSplit | None = None) -> Iterator[Example]:
        for (rid, item), met in sorted(self.gold_verdicts().items()):
            reply = self.replies[rid]
            scenario = self.scenarios[reply.scenario_id]
            if split is None or scenario.meta["gold_split"] == split:
                yield Example(scenario, reply, item, met)

    def labelled_replies(self, split: GoldSplit | None = None) -> list[tuple[Scenario, GoldReply, list[bool]]]:
        """Replies whose every rubric item has a gold verdict, with those verdicts in rubric order."""
        gold = self.gold_verdicts()
        out = []
        for rid, reply in self.replies.items():
            s = self.scenarios[reply.scenario_id]
            if split is not None and s.meta["gold_split"] != split:
                continue
            verdicts = [gold.get((rid, i)) for i in range(len(s.rubric))]
            if all(v is not None for v in verdicts):
                out.append((s, reply, verdicts))
        return out


def load_gold(folder: Path | None = None) -> GoldSet:
    """Load and cross-check a gold folder; every error names the file, the line and the field."""
    from traitrl.errors import InputError

    folder = folder or GOLD_DIR
    scenarios = {}
    for line, s in read_jsonl_numbered(folder / "scenarios.jsonl", Scenario):
        if s.meta.get("gold_split") not in ("fit", "dev", "test"):
            raise InputError(f"scenario {s.id!r}: must be fit, dev or test", file=str(folder / "scenarios.jsonl"),
                             line=line, field="meta.gold_split")
        scenarios[s.id] = s
    if not scenarios:
        raise InputError("holds no scenarios", file=str(folder / "scenarios.jsonl"))
    replies = {}
    for path in sorted(folder.glob("replies*.jsonl")):
        for line, r in read_jsonl_numbered(path, GoldReply):
            if r.scenario_id not in scenarios:
                raise InputError(f"unknown scenario_id {r.scenario_id!r}", file=str(path), line=line,
                                 field="scenario_id")
            replies[r.id] = r
    verdicts = []
    for path in sorted(folder.glob("verdicts*.jsonl")):
        for line, read in read_jsonl_numbered(path, GoldRead):
            reply = replies.get(read.reply_id)
            if reply is None:
                raise InputError(f"no reply {read.reply_id!r} in this gold folder", file=str(path), line=line,
                                 field="reply_id")
            if len(read.met) != len(rubric := scenarios[reply.scenario_id].rubric):
                raise InputError(f"{len(read.met)} verdicts for a rubric of {len(rubric)} items", file=str(path),
                                 line=line, field="met")
            verdicts += [GoldVerdict(reply_id=read.reply_id, item=i, met=m, rater=read.rater)
                         for i, m in enumerate(read.met)]
    return GoldSet(scenarios, replies, verdicts)
