import pytest

from traitrl.catalog import DOMAINS, EVAL_TRAITS, HEADLINE_TRAITS, PRESSURES, TRAIT_INFO, TRAITS, resolve_traits


def test_counts_and_ids():
    assert len(TRAITS) == 15 and len(set(TRAITS)) == 15
    assert len(EVAL_TRAITS) == 7 and set(EVAL_TRAITS) <= set(TRAITS)
    assert len(DOMAINS) == 12 and {"health", "science", "meta_ai", "creative_writing"} <= set(DOMAINS)
    assert len(PRESSURES) >= 8 and {"prior_mistake", "user_pushback", "authority_claim"} <= set(PRESSURES)
    assert all(TRAIT_INFO[t].evaluated == (t in EVAL_TRAITS) for t in TRAITS)


def test_headline_mapping():
    assert len(HEADLINE_TRAITS) == 6
    assert all(set(v) <= set(TRAITS) for v in HEADLINE_TRAITS.values())
    assert resolve_traits(["epistemic humility"]) == ["truthfulness", "metacognitive_transparency"]
    assert set(resolve_traits(["concern_for_human_well_being"])) == {
        "human_protective_helpfulness", "power_asymmetry_awareness"}


def test_unknown_trait_suggests():
    with pytest.raises(KeyError, match="did you mean"):
        resolve_traits(["truthfulnes"])
