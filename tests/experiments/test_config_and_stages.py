import pytest

from traitrl.errors import InputError
from traitrl.experiments.config import DEMO_CONFIG, load_experiment_config
from traitrl.experiments.stages import StageStore


def test_unknown_key_named_with_line(tmp_path):
    p = tmp_path / "exp.yaml"
    p.write_text("name: x\ntrain:\n  steps: 3\n  stepz: 4\n")
    with pytest.raises(InputError) as e:
        load_experiment_config(p)
    assert "stepz" in str(e.value) and ":4:" in str(e.value)


def test_bad_value_and_malformed_yaml(tmp_path):
    p = tmp_path / "exp.yaml"
    p.write_text("trait_share: 2.0\n")
    with pytest.raises(InputError, match="trait_share"):
        load_experiment_config(p)
    p.write_text("arms: [base, trait\n")
    with pytest.raises(InputError, match="invalid YAML"):
        load_experiment_config(p)


def test_rl_arm_requires_baseline(tmp_path):
    p = tmp_path / "exp.yaml"
    p.write_text("arms: [base, trait]\n")
    with pytest.raises(InputError, match="baseline"):
        load_experiment_config(p)


def test_demo_config_compares_against_baseline():
    cfg = load_experiment_config(DEMO_CONFIG)
    assert "baseline" in cfg.arms and "trait" in cfg.arms


def test_stage_runs_once_and_resumes_partial(tmp_path):
    store = StageStore(tmp_path)
    calls = []

    def work(d):
        calls.append(d)
        (d / "out.txt").write_text("x")

    first = store.run("s", {"a": 1}, work)
    again = store.run("s", {"a": 1}, work)
    assert first == again and len(calls) == 1
    assert (first / "DONE.json").exists() and (first / "out.txt").read_text() == "x"
    other = store.run("s", {"a": 2}, work)
    assert other != first and len(calls) == 2

    def crash(d):
        (d / "half.txt").write_text("partial")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        store.run("t", {}, crash)
    seen = []
    store.run("t", {}, lambda d: seen.append((d / "half.txt").read_text()))
    assert seen == ["partial"]


def test_experiment_train_is_a_train_config_and_owns_arm_seed_and_model(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("name: x\narms: [base, baseline, trait, constitutional_sft]\ndose_shares: [0.2]\n"
                 "train:\n  steps: 3\n  lora_alpha: 8\n  beta: 0.04\n  torch_threads: 1\n  dtype: float32\n")
    cfg = load_experiment_config(p)
    assert cfg.rl_arms == ["baseline", "trait", "constitutional_sft", "trait@0.2"]
    tc = cfg.train_config("trait", 3)
    assert (tc.lora_alpha, tc.beta, tc.torch_threads, tc.dtype, tc.steps, tc.seed) == (8, 0.04, 1, "float32", 3, 3)
    assert tc.trait_share == cfg.trait_share and tc.grader == cfg.grader
    assert cfg.train_config("constitutional_sft", 0, model="sft/merged").arm == "baseline"
    p.write_text("name: x\ntrain:\n  arm: trait\n")
    with pytest.raises(InputError, match="set by the experiment"):
        load_experiment_config(p)


@pytest.mark.parametrize("text, line, field, words", [
    ("name: x\npersistence:\n  persona:\n    personas: [bad_medical, bad_medicla]\n", 4,
     "persistence.persona.personas", "unknown persona 'bad_medicla'; did you mean 'bad_medical'?"),
    ("eval:\n  limit: 5\n  suite: [xstest_saf]\n", 3, "eval.suite", "unknown benchmark 'xstest_saf'"),
    ("persistence:\n  persona:\n    benchmarks: [no_such_bench]\n", 3, "persistence.persona.benchmarks",
     "unknown benchmark 'no_such_bench'"),
    ("persistence:\n  finetune:\n    datasets: [bad_medicl]\n", 3, "persistence.finetune.datasets",
     "unknown fine-tuning set 'bad_medicl'"),
])
def test_registry_names_are_checked_at_validate_time(tmp_path, text, line, field, words):
    """A typo in a name fails `experiment validate` with file:line: field, not after all the training."""
    p = tmp_path / "exp.yaml"
    p.write_text(text)
    with pytest.raises(InputError) as e:
        load_experiment_config(p)
    assert str(e.value).startswith(f"{p}:{line}: {field}: {words}"), str(e.value)
    p.write_text("eval:\n  suite: [xstest_safe, gsm8k]\npersistence:\n  finetune:\n    datasets: [bad_general]\n")
    assert load_experiment_config(p).eval.suite == ["xstest_safe", "gsm8k"]


def test_a_stage_records_its_compute_type_and_a_requested_type_never_reuses_another(tmp_path, monkeypatch):
    import json

    import torch

    from traitrl.experiments.stages import compute_dtype, mixed_dtypes

    if torch.cuda.is_available():
        pytest.skip("on CUDA the type is the GPU's, whatever TRAITRL_DTYPE says")

    store = StageStore(tmp_path)
    calls = []
    monkeypatch.delenv("TRAITRL_DTYPE", raising=False)
    auto = compute_dtype()
    machine = store.run("s", {"a": 1}, calls.append)
    assert json.loads((machine / "DONE.json").read_text())["compute_dtype"] == auto
    other = "float32" if auto == "bfloat16" else "bfloat16"
    monkeypatch.setenv("TRAITRL_DTYPE", other)
    asked = store.run("s", {"a": 1}, calls.append)
    assert asked != machine and len(calls) == 2  # not the stage computed in the machine's type
    assert json.loads((asked / "DONE.json").read_text())["compute_dtype"] == other
    assert store.run("s", {"a": 1}, calls.append) == asked and len(calls) == 2  # same request: reused
    assert mixed_dtypes(store.used) == {auto: 1, other: 1}
    again = StageStore(tmp_path)  # a rerun under the same request reads only the stage in that type
    again.run("s", {"a": 1}, calls.append)
    assert len(calls) == 2 and mixed_dtypes(again.used) == {} and mixed_dtypes(again.finished()) == {auto: 1, other: 1}
    assert json.loads((again.run("t", {}, calls.append, dtype="float32") / "DONE.json").read_text())[
        "compute_dtype"] == "float32"  # a stage that computes in a type of its own says so
