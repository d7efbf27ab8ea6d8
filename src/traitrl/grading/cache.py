"""Persistent judge cache (SQLite, WAL mode): a rerun of the same grading is free.

Key: sha256 over judge model, prompt version, mode, conversation hash, response hash, criterion and points.
Only parsed verdicts are stored, so missing verdicts are retried on the next run. The default file is
`$TRAITRL_CACHE/judge.sqlite`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from traitrl.settings import cache_dir
from traitrl.types import Message

SCHEMA = """CREATE TABLE IF NOT EXISTS verdicts (
  key TEXT PRIMARY KEY, met INTEGER NOT NULL, evidence TEXT NOT NULL, created REAL NOT NULL)"""


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verdict_key(model: str, prompt_version: str, mode: str, messages: Sequence[Message], response: str,
                criterion: str, points: float) -> str:
    conversation = sha(json.dumps([[m.role, m.content] for m in messages], ensure_ascii=False))
    return sha(json.dumps([model, prompt_version, mode, conversation, sha(response), criterion, points]))


class JudgeCache:
    """A key → (met, evidence) store shared by every judge run on this machine."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else cache_dir() / "judge.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(SCHEMA)
        self._db.commit()

    def get(self, key: str) -> tuple[bool, str] | None:
        with self._lock:
            row = self._db.execute("SELECT met, evidence FROM verdicts WHERE key = ?", (key,)).fetchone()
        return (bool(row[0]), row[1]) if row else None

    def put(self, key: str, met: bool, evidence: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)",
                             (key, int(met), evidence, time.time()))

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]

    def close(self) -> None:
        self._db.close()
