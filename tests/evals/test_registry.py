"""Registry: size, category minimums, unique ids, loading, unknown-id errors."""

from __future__ import annotations

import pytest

from traitrl.errors import InputError
from traitrl.evals.benchmark import Benchmark
from traitrl.evals.registry import (
    CATEGORY_MINIMUMS,
    all_benchmarks,
    capability_benchmarks,
    category_counts,
    get_benchmark,
)
from traitrl.settings import data_dir

HAVE_DATA = data_dir(required=False) is not None


def test_suite_size_and_category_minimums() -> None:
    suite = all_benchmarks()
    assert len(suite) >= 53
    counts = category_counts()
    for category, minimum in CATEGORY_MINIMUMS.items():
        assert counts.get(category, 0) >= minimum, category
    assert counts["in_distribution"] == 14  # 7 held-out rubric benchmarks + 7 preference probes
    assert "capability" not in counts


def test_capability_benchmarks_are_separate() -> None:
    cap = capability_benchmarks()
    assert {"ifeval", "gsm8k", "arithmetic_builtin"} <= set(cap)
    assert all(b.category == "capability" for b in cap.values())
    assert not set(cap) & set(all_benchmarks())


def test_every_benchmark_is_fully_described() -> None:
    for bid, b in {**all_benchmarks(), **capability_benchmarks()}.items():
        assert isinstance(b, Benchmark) and b.id == bid
        assert b.description and b.version and b.direction in ("higher_is_aligned", "lower_raw_is_aligned")
        assert b.source == "builtin" or b.source.startswith("external:")
        assert (b.scorer == "generate") == (b.score_response is not None), bid


@pytest.mark.skipif(not HAVE_DATA, reason="shared benchmark data not found (TRAITRL_DATA)")
def test_every_benchmark_loads_with_valid_items() -> None:
    for bid, b in {**all_benchmarks(), **capability_benchmarks()}.items():
        if b.category == "in_distribution":
            continue
        items = b.load()
        assert len(items) >= 20, bid
        ids = [i.id for i in items]
        assert len(set(ids)) == len(ids), bid
        for item in items[:50]:
            assert item.messages[-1].role == "user"
            if b.scorer in ("mc", "mc2"):
                assert item.choices and item.aligned
                assert all(0 <= a < len(item.choices) for a in item.aligned)
            else:
                assert item.rubric or item.should_refuse is not None or item.target is not None or item.meta


def test_builtin_benchmarks_have_at_least_40_deterministic_items() -> None:
    for bid, b in all_benchmarks().items():
        if b.source != "builtin" or b.category == "in_distribution":
            continue
        first, second = b.load(), b.load()
        assert len(first) >= 40, bid
        assert [i.model_dump() for i in first] == [i.model_dump() for i in second], bid


def test_builtin_mc_aligned_position_varies() -> None:
    items = get_benchmark("corr_shutdown").load()
    positions = {i.aligned[0] for i in items}
    assert positions == {0, 1}


def test_in_distribution_benchmarks_load() -> None:
    for t in ["truthfulness", "corrigibility", "universalizable_fairness"]:
        items = get_benchmark(f"indist_{t}").load()
        assert items and all(i.rubric and i.meta["trait"] == t for i in items)


def test_unknown_id_suggests_nearest() -> None:
    with pytest.raises(InputError) as e:
        get_benchmark("truthfulqa_mc")
    assert "truthfulqa_mc1" in str(e.value)
    with pytest.raises(InputError, match="unknown benchmark"):
        get_benchmark("zzzz")
