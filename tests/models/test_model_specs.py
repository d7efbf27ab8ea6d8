"""`--model` as a user gives it: a PEFT adapter folder as peft saves it, a missing path, an uncached Hub id."""

from __future__ import annotations

import json

import pytest

from tests.reliability.helpers import cli_env, run_cli
from traitrl.errors import ModelLoadError, ModelNotFoundError
from traitrl.models.loading import load_policy


@pytest.fixture
def bare_adapter(tiny_model_path, tmp_path):
    """A LoRA adapter folder with no tokenizer files (what `PeftModel.save_pretrained` writes)."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model_path)
    peft = get_peft_model(base, LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False))
    peft.save_pretrained(tmp_path / "adapter")
    names = {p.name for p in (tmp_path / "adapter").iterdir()}
    assert "adapter_config.json" in names and not names & {"tokenizer.json", "tokenizer_config.json"}
    return tmp_path / "adapter"


def test_adapter_without_tokenizer_takes_the_base_models(bare_adapter, tiny_model_path):
    from transformers import AutoTokenizer

    loaded = load_policy(str(bare_adapter), dtype="float32", device="cpu")
    assert loaded.tokenizer.get_vocab() == AutoTokenizer.from_pretrained(tiny_model_path).get_vocab()
    assert hasattr(loaded.model, "peft_config")


def test_eval_on_a_bare_adapter_and_missing_models(bare_adapter, tmp_path):
    bench = tmp_path / "b.jsonl"
    bench.write_text(json.dumps({"prompt": "Pick.", "choices": ["a", "b"], "aligned": 0}) + "\n")
    env = cli_env(tmp_path / "cache")
    args = ["--suite", "none", "--benchmark-file", str(bench), "--no-cache"]
    proc = run_cli(["eval", "--model", str(bare_adapter), *args, "--out", str(tmp_path / "ok")], env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "ok" / "results.json").exists()
    for model, words in ((str(tmp_path / "nope"), "model path not found"),
                         ("some-org/not-cached-model", "traitrl --online")):
        out = tmp_path / "out"
        proc = run_cli(["eval", "--model", model, *args, "--out", str(out)], env=env)
        assert proc.returncode == 2, proc.stderr
        lines = [x for x in proc.stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and model in lines[0] and words in lines[0] and "Traceback" not in proc.stderr
        assert not out.exists()


def test_not_found_is_bad_input_but_a_broken_model_is_not():
    assert ModelNotFoundError.exit_code == 2 and issubclass(ModelNotFoundError, ModelLoadError)
    assert ModelLoadError.exit_code == 1


def test_version_flag():
    from traitrl import __version__

    proc = run_cli(["--version"])
    assert proc.returncode == 0 and proc.stdout.strip() == f"traitrl {__version__}"
