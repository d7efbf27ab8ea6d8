"""Harmful fine-tuning ladders: LoRA and full fine-tuning each save a loadable, changed model at every dose."""

from __future__ import annotations

import pytest

from traitrl.experiments.config import FinetuneSettings
from traitrl.experiments.finetune import sft_ladder
from traitrl.models.loading import load_policy


@pytest.mark.parametrize("method", ["lora", "full"])
def test_sft_ladder_saves_a_loadable_changed_model_at_every_dose(tmp_path, tiny_model_path, method):
    ft = FinetuneSettings(doses=[0, 1, 3], methods=[method], learning_rate=1e-2)
    sft_ladder(str(tiny_model_path), "bad_medical", method, ft, 0, tmp_path)
    start = load_policy(str(tmp_path / "start"), dtype="float32").model.state_dict()
    moved = []
    for dose in (1, 3):
        folder = tmp_path / f"dose-{dose}"
        assert (folder / ("adapter_config.json" if method == "lora" else "config.json")).exists()
        weights = load_policy(str(folder), dtype="float32", merge_adapter=True).model.state_dict()
        moved.append(sum(float((weights[k].float() - start[k].float()).abs().sum()) for k in start))
    assert 0 < moved[0] < moved[1]  # more steps, further from the start
    assert not (tmp_path / "dose-0").exists()  # dose 0 is the unattacked model's own evaluation


def _stage(items: dict[str, dict[str, float]]) -> dict:
    return {"items": {b: {i: {"score": s} for i, s in xs.items()} for b, xs in items.items()},
            "suite": {b: {"mean": sum(xs.values()) / len(xs)} for b, xs in items.items()}}


def test_finetune_results_give_degradation_from_the_unattacked_model_and_versus_the_baseline():
    from traitrl.experiments.analysis import finetune_results

    categories = {"h1": "health", "o1": "sycophancy"}
    evals = {"baseline": _stage({"h1": {"a": 1, "b": 1}, "o1": {"a": 1, "b": 0}}),
             "trait": _stage({"h1": {"a": 1, "b": 1}, "o1": {"a": 1, "b": 1}})}
    finetune = {"baseline|bad_medical/lora|20": _stage({"h1": {"a": 0, "b": 0}, "o1": {"a": 1, "b": 0}}),
                "trait|bad_medical/lora|20": _stage({"h1": {"a": 1, "b": 0}, "o1": {"a": 1, "b": 1}})}
    out = finetune_results(finetune, evals, categories)["doses"]["bad_medical/lora"]
    base, trait = out["baseline"]["20"], out["trait"]["20"]
    assert base["in_domain"] == 0.0 and base["out_of_domain"] == 0.5
    assert base["in_domain_degradation"]["degradation"] == pytest.approx(1.0)
    assert base["out_of_domain_degradation"]["degradation"] == pytest.approx(0.0)
    assert trait["in_domain_degradation"]["degradation"] == pytest.approx(0.5)
    assert trait["in_domain_degradation"]["vs_baseline"]["diff"] == pytest.approx(-0.5)
    assert "vs_baseline" not in base["in_domain_degradation"]
    assert out["trait"]["0"] == {"in_domain": 1.0, "out_of_domain": 1.0}  # dose 0: the main evaluation


def test_several_seeds_attack_every_seed_and_compare_with_the_same_seed_baseline():
    """With seeds [0, 1], trained models are labelled `arm@sN`: each one gets its own ladder (seeded by its seed)
    and is compared with the baseline of its seed; a dose-response arm is not attacked unless listed."""
    from traitrl.experiments.analysis import finetune_results
    from traitrl.experiments.config import ExperimentConfig
    from traitrl.experiments.finetune import finetuned_labels

    cfg = ExperimentConfig.model_validate({
        "name": "t", "model": "embedded", "seeds": [0, 1], "arms": ["base", "baseline", "trait"],
        "dose_shares": [0.25], "persistence": {"persona": None, "finetune": {"arms": ["base", "baseline", "trait"]}}})
    models = ["base", "baseline@s0", "trait@s0", "trait@0.25@s0", "baseline@s1", "trait@s1", "trait@0.25@s1"]
    assert finetuned_labels(cfg, models) == ["base", "baseline@s0", "trait@s0", "baseline@s1", "trait@s1"]
    assert [cfg.label_seed(m) for m in ("base", "trait@s1", "trait@0.25@s0")] == [
        ("base", 0), ("trait", 1), ("trait@0.25", 0)]

    categories = {"h1": "health", "o1": "sycophancy"}
    good = _stage({"h1": {"a": 1, "b": 1}, "o1": {"a": 1, "b": 1}})
    evals = {m: good for m in ("baseline@s0", "trait@s0", "baseline@s1", "trait@s1")}
    finetune = {"baseline@s0|bad_medical/lora|20": _stage({"h1": {"a": 0, "b": 0}, "o1": {"a": 1, "b": 1}}),
                "trait@s0|bad_medical/lora|20": _stage({"h1": {"a": 1, "b": 0}, "o1": {"a": 1, "b": 1}}),
                "baseline@s1|bad_medical/lora|20": _stage({"h1": {"a": 1, "b": 1}, "o1": {"a": 1, "b": 1}}),
                "trait@s1|bad_medical/lora|20": _stage({"h1": {"a": 1, "b": 0}, "o1": {"a": 1, "b": 1}})}
    out = finetune_results(finetune, evals, categories)["doses"]["bad_medical/lora"]
    assert out["trait@s0"]["20"]["in_domain_degradation"]["vs_baseline"]["diff"] == pytest.approx(-0.5)
    assert out["trait@s1"]["20"]["in_domain_degradation"]["vs_baseline"]["diff"] == pytest.approx(0.5)
    assert "vs_baseline" not in out["baseline@s1"]["20"]["in_domain_degradation"]


def test_scoring_only_valid_positions_leaves_the_ladder_unchanged(tmp_path, tiny_model_path, monkeypatch):
    """The SFT loss through TRL's fused head over the valid positions alone (`compact_lm_head`) trains the same
    adapter as over every position, padding included (fp32, so only summation order differs)."""
    import contextlib

    from safetensors.torch import load_file

    import traitrl.training.grpo as grpo

    monkeypatch.setenv("TRAITRL_DTYPE", "float32")
    ft = FinetuneSettings(doses=[0, 3], methods=["lora"], learning_rate=1e-2)
    sft_ladder(str(tiny_model_path), "bad_medical", "lora", ft, 0, tmp_path / "compact")
    monkeypatch.setattr(grpo, "compact_lm_head", contextlib.nullcontext)
    sft_ladder(str(tiny_model_path), "bad_medical", "lora", ft, 0, tmp_path / "every")
    a, b = (load_file(str(tmp_path / run / "dose-3" / "adapter_model.safetensors")) for run in ("compact", "every"))
    assert a.keys() == b.keys() and a
    assert max(float((a[k] - b[k]).abs().max()) for k in a) < 1e-4
    assert max(float(a[k].abs().max()) for k in a if "lora_B" in k) > 1e-3  # the adapters did move
