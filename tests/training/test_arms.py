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
    p.write_text("steps: 3\n")
    with pytest.raises(InputError) as e:  # a bad command-line value is the option's fault, not the file's
        load_train_config(str(p), steps=0, trait_share=0.5)
    assert (e.value.file, e.value.field) == (None, "--steps")
    p.write_text('steps: "4"\n')
    with pytest.raises(InputError, match="steps: Input should be a valid integer"):  # quoted: a mistake, not 4
        load_train_config(str(p))
    p.write_text("steps: 3\nlearning_rate: .nan\n")
    with pytest.raises(InputError, match="learning_rate: Input should be a finite number"):
        load_train_config(str(p))


def test_an_arm_is_one_value_its_filter_share_and_reward(scenarios):
    health, funcs = prepare_arm(TrainConfig(steps=10, trait_share=0.25, arm="health_only"), scenarios)
    by_id = {s.id: s for s in scenarios}
    chosen = [by_id[r["scenario_id"]] for r in health if r["task"] == "trait"]
    assert chosen and {s.domain for s in chosen} == {"health"}
    assert [f.__name__ for f in funcs] == ["standard_reward", "trait_rubric"]
    dose, _ = prepare_arm(TrainConfig(steps=10, trait_share=0.25, arm="trait@0.5"), scenarios)
    assert sum(r["task"] == "trait" for r in dose) == 40
    no_hs, _ = prepare_arm(TrainConfig(steps=10, trait_share=0.25, arm="no_health_science"), scenarios)
    assert not {by_id[r["scenario_id"]].domain for r in no_hs if r["task"] == "trait"} & {"health", "science"}
    # the config's own filter narrows the arm's
    narrow, _ = prepare_arm(TrainConfig(steps=10, trait_share=0.25, arm="trait", traits=["truthfulness"]), scenarios)
    assert {by_id[r["scenario_id"]].trait for r in narrow if r["task"] == "trait"} == {"truthfulness"}


def test_constitution_reward_arm_scores_with_the_constitution(scenarios):
    _, funcs = prepare_arm(TrainConfig(steps=4, trait_share=0.5, arm="constitution_reward"), scenarios)
    assert [f.__name__ for f in funcs] == ["standard_reward", "constitution_reward"]


@pytest.mark.parametrize("arm", ["traitt", "baseline@0.1", "trait@2", "trait@x", "constitutional_sft"])
def test_unknown_or_malformed_arm_is_refused(arm):
    with pytest.raises(ValueError, match="arm"):
        TrainConfig(arm=arm)
