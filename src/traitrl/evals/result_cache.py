"""Per-item evaluation results in SQLite, so an interrupted run resumes and a repeated one is free.

A result is keyed by a *context* — model fingerprint, benchmark id and version, grader version, decoding
settings, system prompt and activation steering (if any), hashed together by `context_key` — plus the item
id and a hash of the item's content (so an edited item is recomputed even when its id is unchanged). The
database runs in WAL mode and each `put_many` is one transaction: a killed run loses at most the batch in
flight.

Default location: `traitrl.settings.cache_dir() / "results.sqlite"`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from traitrl.evals.benchmark import Benchmark, BenchmarkItem

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    context TEXT NOT NULL,
    item_key TEXT NOT NULL,
    benchmark TEXT NOT NULL,
    item_id TEXT NOT NULL,
    score REAL,
    response TEXT,
    refusal TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (context, item_key)
)
"""


class ItemResult(BaseModel):
    """One scored item; `score` None means missing (unscorable), never 0 or 1."""

    benchmark: str
    item_id: str
    score: float | None
    response: str | None = None
    refusal: str | None = None
    extra: dict[str, Any] = {}


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def context_key(fingerprint: str, bench: Benchmark, decoding: dict[str, Any],
                system_prompt: str | None, grader: str | None = None,
                steering: dict[str, Any] | None = None) -> str:
    """Hash of everything besides the item that determines an item's result (`grader`: the recorded name of
    the grader of a rubric-graded benchmark, weights digest included; `steering`: an activation-steering spec
    with its direction's digest, `Steering.key()`; absent from the hash when None, so unsteered keys are
    unchanged)."""
    parts = {"model": fingerprint, "benchmark": bench.id, "version": bench.version, "scorer": bench.scorer,
             "grader": grader, "decoding": decoding, "system_prompt": system_prompt}
    if steering is not None:
        parts["steering"] = steering
    return _digest(parts)


def item_key(item: BenchmarkItem) -> str:
    """The item id plus a hash of its content."""
    return f"{item.id}#{_digest(item.model_dump(mode='json', exclude={'meta'}))[:16]}"


class ResultCache:
    """SQLite store of `ItemResult`s; safe to share between processes (WAL, short transactions)."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            from traitrl.settings import cache_dir

            path = cache_dir() / "results.sqlite"
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=60)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        with self._conn:
            self._conn.execute(SCHEMA)

    def get_many(self, context: str, keys: Sequence[str]) -> dict[str, ItemResult]:
        """Cached results among `keys`, by item key."""
        found: dict[str, ItemResult] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start: start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                "SELECT item_key, benchmark, item_id, score, response, refusal, extra FROM results "
                f"WHERE context = ? AND item_key IN ({marks})", [context, *chunk])
            for key, bench, item_id, score, response, refusal, extra in rows:
                found[key] = ItemResult(benchmark=bench, item_id=item_id, score=score, response=response,
                                        refusal=refusal, extra=json.loads(extra))
        return found

    def put_many(self, context: str, entries: Iterable[tuple[str, ItemResult]]) -> None:
        """Store (item key, result) pairs in one transaction."""
        rows = [(context, key, r.benchmark, r.item_id, r.score, r.response, r.refusal,
                 json.dumps(r.extra, ensure_ascii=False)) for key, r in entries]
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def count(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def close(self) -> None:
        self._conn.close()
