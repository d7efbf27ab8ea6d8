from traitrl.experiments import config as cfgmod


def test_demo_yaml_and_builtin_fallback_agree(tmp_path, monkeypatch):
    from_yaml = cfgmod.demo_config()
    monkeypatch.setattr(cfgmod, "DEMO_CONFIG", tmp_path / "missing.yaml")
    fallback = cfgmod.demo_config()
    assert from_yaml.model_dump() == fallback.model_dump()
    # the demo covers every arm of the protocol, and attacks the base, the baseline and the trait arm
    assert {"base", "baseline", "trait", "health_only", "no_health_science", "reward_control",
            "constitution_reward"} <= set(from_yaml.arms)
    assert from_yaml.persistence.finetune is not None and from_yaml.persistence.persona is not None
    assert {"base", "baseline", "trait"} <= set(from_yaml.persistence.finetune.arms)


def test_every_shipped_config_validates():
    from pathlib import Path

    from traitrl.training.config import load_train_config

    configs = Path(__file__).resolve().parents[2] / "configs"
    experiments = ["demo.yaml", "arms.yaml", "paper.yaml", "learn.yaml", "approaches.yaml"]
    for name in experiments:
        cfg = cfgmod.load_experiment_config(configs / name)
        assert "baseline" in cfg.arms and cfg.train.steps >= 1
    assert load_train_config(str(configs / "train_demo.yaml")).steps >= 1
