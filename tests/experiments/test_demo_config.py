from pathlib import Path

from traitrl.experiments import config as cfgmod

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def test_the_shipped_demo_covers_the_protocol():
    demo = cfgmod.load_experiment_config(cfgmod.DEMO_CONFIG)
    # the demo covers every arm of the protocol, and attacks the base, the baseline and the trait arm
    assert {"base", "baseline", "trait", "health_only", "no_health_science", "reward_control",
            "constitution_reward"} <= set(demo.arms)
    assert demo.persistence.finetune is not None and demo.persistence.persona is not None
    assert {"base", "baseline", "trait"} <= set(demo.persistence.finetune.arms)
    # one file: configs/demo.yaml is the packaged one
    assert (CONFIGS / "demo.yaml").resolve() == cfgmod.DEMO_CONFIG.resolve()


def test_every_shipped_config_validates():
    from traitrl.training.config import load_train_config

    experiments = ["demo.yaml", "arms.yaml", "paper.yaml", "learn.yaml", "approaches.yaml"]
    for name in experiments:
        cfg = cfgmod.load_experiment_config(CONFIGS / name)
        assert "baseline" in cfg.arms and cfg.train.steps >= 1
    assert load_train_config(str(CONFIGS / "train_demo.yaml")).steps >= 1
