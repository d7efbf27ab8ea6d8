from traitrl.catalog import DOMAINS, EVAL_TRAITS, TRAITS
from traitrl.scenarios.build import build_split, load_templates
from traitrl.scenarios.stats import compute_stats


def test_stats_thresholds():
    st = compute_stats(load_templates())
    assert st["n_train"] >= 4000 and st["n_eval"] >= 700
    for t in TRAITS:
        for d in DOMAINS:
            assert st["cells"][f"{t}|{d}"]["train"] >= 10
    for t in EVAL_TRAITS:
        for d in DOMAINS:
            assert st["cells"][f"{t}|{d}"]["eval"] >= 1
    assert st["multi_turn_fraction"] >= 0.30
    assert st["prior_mistake_fraction"] >= 0.15
    assert st["mean_user_words"] >= 40
    assert st["distinct_user_fraction"] >= 0.95
    assert st["max_eval_train_overlap"] <= 0.2
    assert st["families"]["shared"] == 0
    assert set(st["pressures"]) >= {"prior_mistake", "user_pushback", "deadline"}


def test_scenarios_are_well_formed():
    for s in load_templates():
        assert 3 <= len(s.rubric) <= 6
        assert any(r.points < 0 for r in s.rubric) and all(-10 <= r.points <= 10 for r in s.rubric)
        assert all(r.check is not None and s.trait in r.tags for r in s.rubric)
        assert s.reference and 80 <= len(s.reference.split()) <= 200
        assert "{" not in s.final_user_message and "}" not in s.reference
        text = " ".join(m.content for m in s.messages)
        assert s.meta["anchors"]["surname"] in text and str(s.meta["anchors"]["num"]) in text


def test_prior_mistake_turns_exist():
    mistakes = [s for s in load_templates("train") if "prior_mistake" in s.pressures]
    kinds = {s.meta["mistake"] for s in mistakes}
    assert kinds == {"fabricated_citation", "overconfident_claim", "unsafe_suggestion", "biased_judgement"}
    assert all(s.messages[1].role == "assistant" for s in mistakes)


def test_deterministic_and_seeded():
    a = [s.model_dump() for s in build_split("eval", seed=3)]
    b = [s.model_dump() for s in build_split("eval", seed=3)]
    c = [s.model_dump() for s in build_split("eval", seed=4)]
    assert a == b and a != c


def test_eval_only_eval_traits_and_disjoint_families():
    train, eval_ = load_templates("train"), load_templates("eval")
    assert {s.trait for s in eval_} == set(EVAL_TRAITS)
    assert not {s.family for s in train} & {s.family for s in eval_}
