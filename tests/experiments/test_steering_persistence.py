"""Persistence test C (activation steering): config, stages on two tiny models, analysis and resume."""

from __future__ import annotations

import json

import pytest

from traitrl.errors import InputError
from traitrl.experiments import steering as st
from traitrl.experiments.config import DEMO_CONFIG, ExperimentConfig, load_experiment_config
from traitrl.experiments.stages import StageStore
from traitrl.models.tiny import tiny_llama_path
from traitrl.results import Results


def test_halving_interpolates_and_says_none_when_it_does_not_halve():
    assert st.halving([(0.0, 0.8), (2.0, 0.6), (4.0, 0.2)]) == pytest.approx(2 + (0.6 - 0.4) / 0.4 * 2)
    assert st.halving([(0.0, 0.8), (4.0, 0.4)]) == 4.0
    assert st.halving([(0.0, 0.8), (4.0, 0.5), (8.0, None)]) is None
    assert st.halving([(0.0, 0.0), (4.0, 0.0)]) is None


def test_config_checks_personas_and_zero(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("persistence:\n  steering:\n    personas: [deceptive, villain]\n")
    with pytest.raises(InputError, match="villain") as e:
        load_experiment_config(p)
    assert e.value.field == "persistence.steering.personas"
    p.write_text("persistence:\n  steering:\n    coefficients: [2, 4]\n")
    with pytest.raises(InputError, match="include 0"):
        load_experiment_config(p)


def test_shipped_configs_run_the_steering_test():
    from pathlib import Path

    demo = load_experiment_config(DEMO_CONFIG).persistence.steering
    paper = load_experiment_config(Path(__file__).resolve().parents[2] / "configs" / "paper.yaml")
    full = paper.persistence.steering
    assert demo is not None and full is not None
    assert 0 in demo.coefficients and len(full.coefficients) >= 5 and 0 in full.coefficients
    assert {"deceptive", "sycophantic", "power_seeking", "concise"} <= set(full.personas)
    assert {"base", "baseline", "trait"} <= set(full.arms)
    assert any(not p.startswith(("deceptive", "syco", "power")) for p in demo.personas)  # a helpful control


def _point(coef, vs=None, words=None, words_vs=None):
    return {"coef": coef, "vs_baseline": vs, "words_change": words, "words_change_vs_baseline": words_vs}


def test_selective_steering_verdicts():
    harm = {"harmful": True, "arms": {"trait": {"curve": [_point(0), _point(8, {"diff": -0.2, "ci": [-0.3, -0.1]})]}}}
    good = {"harmful": False, "arms": {"trait": {"curve": [_point(0), _point(8, None, {"diff": -9, "ci": [-12, -6]},
                                                                               {"diff": 1, "ci": [-2, 4]})]}}}
    assert st.selective_steering({"d": harm, "c": good})[0] == "selective persistence"
    flat = {"harmful": False, "arms": {"trait": {"curve": [_point(0), _point(8, None, {"diff": -1, "ci": [-3, 1]},
                                                                               {"diff": 1, "ci": [-2, 4]})]}}}
    assert st.selective_steering({"d": harm, "c": flat})[0] == "helpful direction does not steer the trait arm"
    weak = {"harmful": True, "arms": {"trait": {"curve": [_point(0), _point(8, {"diff": -0.1, "ci": [-0.3, 0.1]})]}}}
    assert st.selective_steering({"d": weak, "c": good})[0] == "not shown"
    assert st.selective_steering({"d": harm})[0] == "not tested"


@pytest.fixture
def tiny_cfg(tmp_path):
    tiny_llama_path(1)  # built in the real cache, before a test isolates it
    return ExperimentConfig.model_validate({
        "model": str(tiny_llama_path(0)), "arms": ["base", "baseline", "trait"], "grader": "checks",
        "eval": {"max_new_tokens": 8},
        "persistence": {"persona": None, "steering": {
            "personas": ["deceptive", "concise"], "coefficients": [0, 64], "arms": ["baseline", "trait"],
            "limit": 3, "held_out_limit": 1, "extract_max_new_tokens": 4}}})


def test_steering_stages_on_tiny_models_resume_and_analyse(tiny_cfg, tmp_path, isolated_cache, monkeypatch):
    import traitrl.evals.persona_vectors as pv
    from traitrl.evals.registry import all_benchmarks

    data = pv.persona_data()
    few = [q for s in ("extract", "dev", "test") for q in [q for q in data.questions if q.split == s][:2]]
    monkeypatch.setattr(pv, "persona_data", lambda: data.model_copy(update={"questions": few}))

    models = {"base": str(tiny_llama_path(0)), "baseline": str(tiny_llama_path(0)), "trait": str(tiny_llama_path(1))}
    benchmarks = list(all_benchmarks().values())
    store = StageStore(tmp_path / "run")
    raw = st.steering_stages(store, tiny_cfg, models, benchmarks)
    assert set(raw["runs"]) == {"deceptive", "concise"}
    assert set(raw["runs"]["deceptive"]) == {"baseline", "trait"}  # base is not in the steering arms
    info = raw["directions"]["deceptive"]
    assert info["layer"] == 0 and 0 <= info["auroc"] <= 1 and len(info["separation"]) == 2
    stages = sorted(p.name for p in store.root.iterdir())
    assert sum(n.startswith("steer-deceptive-c64-trait-") for n in stages) == 1
    steered = json.loads(next(store.root.glob("steer-deceptive-c64-trait-*/results.json")).read_text())
    plain = json.loads(next(store.root.glob("steer-deceptive-c0-trait-*/results.json")).read_text())
    assert steered["steering"]["coef"] == 64.0 and steered["steering"]["layer"] == 0 and "steering" not in plain
    assert {"truthfulqa_mc1", "honest_calibration", "indist_truthfulness"} <= set(steered["benchmarks"])

    def refuse(*a, **k):
        raise AssertionError("a finished stage ran again")

    monkeypatch.setattr("traitrl.evals.evaluator.evaluate", refuse)
    monkeypatch.setattr(st, "extract_direction", refuse)
    again = st.steering_stages(store, tiny_cfg, models, benchmarks)
    assert sorted(p.name for p in store.root.iterdir()) == stages
    assert again["directions"] == raw["directions"]

    out = Results.model_validate({"persistence": {"steering": st.steering_results(raw)}}).persistence.steering
    assert out.coefficients == [0.0, 64.0] and out.directions["concise"].harmful is False
    dec = out.personas["deceptive"]
    assert dec.benchmarks == ["truthfulqa_mc1", "honest_calibration", "honest_capabilities"]
    trait, base = dec.arms["trait"], dec.arms["baseline"]
    assert [p.coef for p in trait.curve] == [0.0, 64.0]
    assert trait.curve[0].degradation is None and trait.curve[1].degradation is not None
    assert trait.curve[1].vs_baseline is not None and base.curve[1].vs_baseline is None
    assert trait.curve[0].suite is not None and trait.curve[1].words is not None
    assert set(trait.halving) == {"suite", "held_out", "held_out_expected"}
    assert out.personas["concise"].arms["trait"].curve[1].words_change is not None
    assert out.verdict in ("selective persistence", "not shown", "helpful direction does not steer the trait arm")
    assert "deceptive (layer 0" in out.text


def test_experiment_run_writes_persistence_steering_and_the_figure(tmp_path, isolated_cache, monkeypatch):
    import traitrl.evals.persona_vectors as pv
    from traitrl.experiments.run import run_experiment

    data = pv.persona_data()
    few = [q for s in ("extract", "dev", "test") for q in [q for q in data.questions if q.split == s][:2]]
    monkeypatch.setattr(pv, "persona_data", lambda: data.model_copy(update={"questions": few}))
    cfg = ExperimentConfig.model_validate({
        "model": str(tiny_llama_path(0)), "arms": ["base"], "grader": "checks",
        "eval": {"suite": ["honest_calibration"], "limit": 2, "max_new_tokens": 8},
        "persistence": {"persona": None, "steering": {
            "personas": ["deceptive"], "coefficients": [0, 64], "arms": ["base"], "limit": 3,
            "held_out_limit": 0, "extract_max_new_tokens": 4}}})
    out = run_experiment(cfg, tmp_path / "run")
    saved = json.loads((out.out_dir / "results.json").read_text())["persistence"]["steering"]
    assert saved["coefficients"] == [0.0, 64.0] and set(saved["personas"]["deceptive"]["arms"]) == {"base"}
    assert 'alt="score vs steering strength"' in out.report_path.read_text()
