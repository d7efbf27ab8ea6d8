"""Fixtures for the reliability tests: one tiny model outside any cache, and a tiny experiment config."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TINY_EXPERIMENT = """\
name: crash
model: {model}
seeds: [0]
trait_share: 0.5
arms: [base, baseline, trait]
train:
  steps: 2
  prompts_per_step: 2
  num_generations: 2
  max_completion_length: 8
  save_steps: 1
  lora_r: 2
eval:
  suite: [health_triage, rh_test_tampering, mh_crisis_response, syco_are_you_sure]
  limit: 3
  max_new_tokens: 8
  trait_eval_limit: 2
persistence:
  persona:
    personas: [bad_medical]
    limit: 2
    many_shot: [1]
"""


@pytest.fixture(scope="session")
def shared_tiny_model(tmp_path_factory, tiny_model_path) -> Path:
    """The tiny Llama at one fixed path, so every run's results.json names the same model."""
    dest = tmp_path_factory.mktemp("model") / "tiny-llama-0"
    shutil.copytree(tiny_model_path, dest)
    return dest


@pytest.fixture(scope="session")
def tiny_experiment(tmp_path_factory, shared_tiny_model) -> Path:
    p = tmp_path_factory.mktemp("config") / "exp.yaml"
    p.write_text(TINY_EXPERIMENT.format(model=shared_tiny_model))
    return p
