"""SQLite result cache: round trip, key sensitivity, persistence across connections."""

from __future__ import annotations

from traitrl.evals.benchmark import Benchmark, BenchmarkItem
from traitrl.evals.result_cache import ItemResult, ResultCache, context_key, item_key
from traitrl.types import Message


def _bench(version: str = "1") -> Benchmark:
    return Benchmark(id="b", category="health", scorer="generate", source="builtin", version=version,
                     load=lambda: [])


def test_round_trip_and_persistence(tmp_path):
    path = tmp_path / "r.sqlite"
    cache = ResultCache(path)
    results = [("k1", ItemResult(benchmark="b", item_id="1", score=0.5, response="hi", refusal="full_compliance")),
               ("k2", ItemResult(benchmark="b", item_id="2", score=None, extra={"error": "x"}))]
    cache.put_many("ctx", results)
    cache.close()
    again = ResultCache(path)
    got = again.get_many("ctx", ["k1", "k2", "k3"])
    assert got == dict(results) and again.count() == 2
    assert again.get_many("other", ["k1"]) == {}
    assert again._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_context_key_covers_every_setting():
    base = context_key("fp", _bench(), {"temperature": 0}, None)
    assert base == context_key("fp", _bench(), {"temperature": 0}, None)
    others = [context_key("fp2", _bench(), {"temperature": 0}, None),
              context_key("fp", _bench("2"), {"temperature": 0}, None),
              context_key("fp", _bench(), {"temperature": 1}, None),
              context_key("fp", _bench(), {"temperature": 0}, "persona"),
              context_key("fp", _bench(), {"temperature": 0}, None, grader="offline-judge(reader=abc)"),
              context_key("fp", _bench(), {"temperature": 0}, None, grader="checks(version=checks-v2,gate=True)")]
    assert len({base, *others}) == 7


def test_item_key_tracks_content():
    item = BenchmarkItem(id="i1", messages=[Message(role="user", content="a")])
    edited = item.model_copy(update={"messages": [Message(role="user", content="b")]})
    assert item_key(item).startswith("i1#") and item_key(item) != item_key(edited)
    assert item_key(item) == item_key(item.model_copy(update={"meta": {"note": 1}}))
