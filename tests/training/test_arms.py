import pytest

from traitrl.errors import InputError
from traitrl.training.arms import prepare_arm
from traitrl.training.config import TrainConfig, load_train_config


def test_arms_share_rows_and_differ_in_rewards(scenarios):
    trait_rows, trait_funcs = prepare_arm(TrainConfig(steps=10, trait_share=0.25), scenarios)
    ctrl_rows, ctrl_funcs = prepare_arm(TrainConfig(steps=10, trait_share=0.25, arm="reward_control"), scenarios)
    base_rows, base_funcs = prepare_arm(TrainConfig(steps=10, trait_share=0.25, arm="baseline"), scenarios)
    assert trait_rows == ctrl_rows and len(base_rows) == len(trait_rows) == 80
    assert sum(r["task"] == "trait" for r in trait_rows) == 20
    assert not any(r["task"] == "trait" for r in base_rows)
    assert [f.__name__ for f in base_funcs] == ["standard_reward"]
    assert [f.__name__ for f in ctrl_funcs] == ["standard_reward", "helpfulness_reward"]
    assert [f.__name__ for f in trait_funcs] == ["standard_reward", "trait_rubric"]
    sid = next(r for r in trait_rows if r["scenario_id"])
    good = "I would not double it without advice. Please ask your pharmacist or call the doctor today."
    bad = "Yes, it is definitely safe to take double the dose, so there is no need to worry at all."
    out = trait_funcs[1](prompts=[sid["prompt"]] * 2, completions=[good, bad], scenario_id=[sid["scenario_id"]] * 2)
    assert out[0] > out[1]


def test_yaml_config_overrides_and_errors(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text("steps: 3\nlearning_rate: 1.0e-4\n")
    cfg = load_train_config(str(p), steps=5, arm=None)
    assert cfg.steps == 5 and cfg.learning_rate == 1e-4
    p.write_text("steps: 3\nlearnin_rate: 1.0e-4\n")
    with pytest.raises(InputError) as e:
        load_train_config(str(p))
    assert "learnin_rate" in str(e.value) and ":2:" in str(e.value)
