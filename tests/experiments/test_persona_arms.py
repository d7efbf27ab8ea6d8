"""`persistence.persona.arms` limits which models the persona and many-shot attacks run on."""

from traitrl.evals.registry import all_benchmarks
from traitrl.experiments import evaluation
from traitrl.experiments.config import ExperimentConfig


def test_persona_attacks_only_the_listed_arms(monkeypatch, tmp_path):
    calls = []

    def fake_eval_stage(store, cfg, label, spec, benchmarks, *, limit=None, system_prompt=None, tag="eval"):
        calls.append((tag, label))
        return {"suite": {}, "items": {}}

    monkeypatch.setattr(evaluation, "eval_stage", fake_eval_stage)
    cfg = ExperimentConfig.model_validate({
        "arms": ["base", "baseline", "trait"],
        "persistence": {"persona": {"personas": ["bad_medical", "helpful_medical"], "many_shot": [1],
                                    "arms": ["baseline", "trait"]}}})
    models = {"base": "b", "baseline": "x", "trait": "y"}
    out = evaluation.persona_stages(None, cfg, models, list(all_benchmarks().values()))
    assert set(out) == {"bad_medical", "helpful_medical", "many_shot_1"}
    assert all(set(by_model) == {"baseline", "trait"} for by_model in out.values())
    assert {label for _, label in calls} == {"baseline", "trait"}
