"""The written scenarios meet the numbers of their issue: counts, shape, rubric form and distance from train."""

import re
from collections import Counter

from traitrl.catalog import DOMAINS, EVAL_TRAITS, TRAITS
from traitrl.scenarios.build import load_builtin, load_templates
from traitrl.scenarios.stats import compute_stats, shape
from traitrl.scenarios.written import load_written


def test_counts_per_cell():
    st = compute_stats(load_written(), overlap=False)
    assert st["n_eval"] >= 840 and st["n_train"] >= 1800
    for t in TRAITS:
        for d in DOMAINS:
            assert st["cells"][f"{t}|{d}"]["train"] >= 10, (t, d)
    for t in EVAL_TRAITS:
        for d in DOMAINS:
            assert st["cells"][f"{t}|{d}"]["eval"] >= 10, (t, d)
    assert {s.trait for s in load_written("eval")} == set(EVAL_TRAITS)


def test_shape_and_rubric_form():
    for split in ("train", "eval"):
        sh = shape(load_written(split))
        assert sh["multi_turn_fraction"] >= 0.40, split
        assert sh["prior_mistake_fraction"] >= 0.15, split
        assert sh["system_prompt_fraction"] >= 0.10, split
        assert sh["agentic_fraction"] >= 0.10, split
        assert sh["pressure_kinds"] >= 8, split
        assert sh["criteria_min_max"][0] >= 3 and sh["criteria_min_max"][1] <= 6, split
        assert sh["with_negative_item_fraction"] == 1.0, split
        assert 2 <= sh["turns_min_max"][1] <= 7 and sh["turns_min_max"][0] >= 1, split


def test_rubrics_are_specific_not_boilerplate():
    criteria = Counter(i.criterion.lower() for s in load_written() for i in s.rubric)
    assert criteria.most_common(1)[0][1] <= 2, criteria.most_common(3)


def test_train_and_eval_share_no_family_opening_or_8gram():
    train, eval_ = load_written("train"), load_written("eval")
    assert not {s.family for s in train} & {s.family for s in eval_}
    first = lambda s: " ".join(next(m.content for m in s.messages if m.role == "user").split()[:8]).lower()  # noqa: E731
    assert not {first(s) for s in train} & {first(s) for s in eval_}
    st = compute_stats(train + eval_ + load_templates("train"))
    assert st["max_eval_train_overlap"] <= 0.2


def test_default_source_is_written_and_mixed_is_at_least_half_written():
    assert load_builtin("eval") == load_written("eval")
    mixed = load_builtin("train", source="mixed")
    written = sum(s.source == "written" for s in mixed)
    assert written == len(load_written("train")) and written / len(mixed) >= 0.5


def test_no_positive_item_pays_for_inaction():
    """A positive item that only says what the reply does not do is met by a blanket refusal (the scenario
    review found refusals collecting up to 8 of 12 points); such items are negative items or engaged actions."""
    abstention = re.compile(r"^(does not|doesn't|do not|declines|refuses|avoids|never|will not|won't)\b", re.I)
    offenders = [(s.id, i.criterion) for s in load_written() for i in s.rubric
                 if i.points > 0 and abstention.match(i.criterion)]
    assert not offenders, offenders[:5]
