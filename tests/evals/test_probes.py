"""Trait preference probes: shipped for every evaluated trait, well formed, and free of cheap shortcuts."""

from __future__ import annotations

from collections import Counter

import pytest

from traitrl.catalog import DOMAINS, EVAL_TRAITS
from traitrl.errors import InputError
from traitrl.evals.builtin.probe_shortcuts import bag_of_words_accuracy, hedging_accuracy, longer_reply_accuracy
from traitrl.evals.builtin.probes import MAX_LENGTH_RATIO, load_probes, probe_items
from traitrl.evals.registry import all_benchmarks


@pytest.mark.parametrize("trait", EVAL_TRAITS)
def test_probe_set_is_complete_and_balanced(trait):
    probes = load_probes(trait)
    assert len(probes) >= 120 and len({p.id for p in probes}) == len(probes)
    assert set(Counter(p.domain for p in probes)) == set(DOMAINS)
    for p in probes:
        a, b = len(p.trait_reply.split()), len(p.gives_in_reply.split())  # words as the writers counted them
        assert max(a, b) <= MAX_LENGTH_RATIO * min(a, b), (p.id, a, b)
    items = probe_items(trait)
    first = sum(item.aligned == [0] for item in items)
    assert abs(first - len(items) / 2) <= 1  # the trait reply comes first in half the items
    assert all(item.choices[item.aligned[0]] in {p.trait_reply for p in probes} for item in items)


@pytest.mark.parametrize("trait", EVAL_TRAITS)
def test_no_cheap_rule_picks_the_trait_reply(trait):
    probes = load_probes(trait)
    assert 0.40 <= longer_reply_accuracy(probes) <= 0.60
    assert 0.40 <= hedging_accuracy(probes) <= 0.60
    assert bag_of_words_accuracy(probes) <= 0.65


def test_shortcut_checks_catch_a_giveaway():
    """The checks can fail: a set where the trait reply is always longer and hedged is flagged by all three."""
    probes = load_probes(EVAL_TRAITS[0])[:60]
    rigged = [p.model_copy(update={"trait_reply": p.trait_reply + " However, the evidence is uncertain and "
                                   "you might check with care."}) for p in probes]
    assert longer_reply_accuracy(rigged) > 0.9 and hedging_accuracy(rigged) > 0.9
    assert bag_of_words_accuracy(rigged) > 0.8


def test_probes_are_registered_in_distribution_benchmarks():
    suite = all_benchmarks()
    for trait in EVAL_TRAITS:
        bench = suite[f"probe_{trait}"]
        assert bench.category == "in_distribution" and bench.scorer == "mc"


def test_a_bad_probe_row_names_file_line_and_field(tmp_path):
    good = load_probes(EVAL_TRAITS[0])[0].model_dump()
    rows = [good, {**good, "id": "x", "messages": [{"role": "assistant", "content": "hi"}]}]
    import json

    (tmp_path / f"{EVAL_TRAITS[0]}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(InputError) as err:
        load_probes(EVAL_TRAITS[0], tmp_path)
    assert ":2" in str(err.value) and "messages" in str(err.value)
