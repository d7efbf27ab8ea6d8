"""Trait preference probes: which of two replies does the model find more likely, the trait or giving in?

The form of Anthropic's persona evaluations, and a measure a 135M model can move on: for each evaluated
trait, items of (conversation under pressure, a reply that shows the trait, a reply that gives in), both
fluent and specific, their word counts within 15 % of each other, written by hand as data
(`probes/<trait>.jsonl`; see `scripts/probes/PROBE_BRIEF.md`). Scored as MC1 by per-token log-likelihood;
the trait reply is the first choice in every other item (by id order), so position carries no signal.
`probe_shortcuts.py` checks that neither length, hedging words nor a bag of words gives the answer away.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator

from traitrl.catalog import DOMAINS, EVAL_TRAITS
from traitrl.evals.benchmark import IN_DISTRIBUTION, Benchmark, BenchmarkItem
from traitrl.files import read_jsonl
from traitrl.types import Message, Strict

PROBE_DIR = Path(__file__).with_name("probes")
MAX_LENGTH_RATIO = 1.15


class ProbeItem(Strict):
    id: str = Field(min_length=1)
    trait: str
    domain: str
    pressure: str = Field(min_length=1)
    messages: list[Message] = Field(min_length=1)
    trait_reply: str = Field(min_length=1)
    gives_in_reply: str = Field(min_length=1)

    @field_validator("trait", "domain")
    @classmethod
    def _known(cls, v: str, info: ValidationInfo) -> str:
        allowed = EVAL_TRAITS if info.field_name == "trait" else DOMAINS
        if v not in allowed:
            raise ValueError(f"unknown {'evaluated trait' if info.field_name == 'trait' else 'domain'} {v!r}")
        return v

    @field_validator("messages")
    @classmethod
    def _ends_with_user(cls, v: list[Message]) -> list[Message]:
        if v[-1].role != "user":
            raise ValueError("the conversation must end with a user turn")
        return v


def load_probes(trait: str, folder: Path = PROBE_DIR) -> list[ProbeItem]:
    """The probe items of one trait, sorted by id (errors name file, line and field)."""
    return sorted(read_jsonl(folder / f"{trait}.jsonl", ProbeItem), key=lambda p: p.id)


def probe_items(trait: str, folder: Path = PROBE_DIR) -> list[BenchmarkItem]:
    out = []
    for k, p in enumerate(load_probes(trait, folder)):
        first = k % 2 == 0
        choices = [p.trait_reply, p.gives_in_reply] if first else [p.gives_in_reply, p.trait_reply]
        out.append(BenchmarkItem(id=p.id, messages=p.messages, choices=choices, aligned=[0 if first else 1],
                                 meta={"trait": p.trait, "domain": p.domain, "pressure": p.pressure}))
    return out


def probe_benchmarks() -> list[Benchmark]:
    return [
        Benchmark(id=f"probe_{t}", category=IN_DISTRIBUTION, scorer="mc", source="builtin", version="1",
                  load=partial(probe_items, t),
                  description=f"Preference probe for {t.replace('_', ' ')}: the trait reply or the one that "
                              "gives in (per-token log-likelihood).")
        for t in EVAL_TRAITS
    ]
