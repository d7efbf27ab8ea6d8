"""The held-out probe during training: which scenarios, when it runs, that a resumed run keeps one point per
probed step, and that training is the same with or without it."""

from __future__ import annotations

from traitrl.experiments.probe import ProbeCallback, probe_scenarios
from traitrl.training.callbacks import read_metrics
from traitrl.training.config import TrainConfig
from traitrl.training.grpo import train_arm
from traitrl.training.standard_tasks import build_standard_tasks


def test_probe_scenarios_are_held_out_and_take_every_trait_in_turn():
    from traitrl.scenarios.build import load_builtin

    chosen = probe_scenarios(30)
    assert len(chosen) == 30 and len({s.id for s in chosen}) == 30
    held_out = load_builtin(split="eval", seed=0, source="written")
    traits = {s.trait for s in held_out}
    assert len(traits) >= 7 and {s.id for s in chosen} <= {s.id for s in held_out}
    assert {s.trait for s in chosen[:len(traits)]} == traits  # one of each trait before any trait's second
    train_families = {s.family for s in load_builtin(split="train", seed=0, source="written")}
    assert not train_families & {s.family for s in chosen}
    only = probe_scenarios(5, traits=["corrigibility"])
    assert {s.trait for s in only} == {"corrigibility"} and len(only) == 5


def test_probe_runs_before_training_every_n_steps_and_at_the_end_and_survives_a_resume(
        tiny_model_path, isolated_cache, tmp_path):
    cfg = TrainConfig(model=str(tiny_model_path), steps=3, save_steps=1, prompts_per_step=2, num_generations=2,
                      max_completion_length=6, lora_r=2, learning_rate=1e-2, dtype="float32", torch_threads=1)

    def reward(prompts, completions, **_):
        return [float(len(str(c)) % 3) for c in completions]

    def probe(out, echo=None):
        return [ProbeCallback(out / "probe.jsonl", probe_scenarios(3), cfg.grader, 2, 6, echo=echo)]

    rows = build_standard_tasks(cfg.steps * cfg.prompts_per_step, seed=0)
    lines: list[str] = []
    train_arm(cfg, rows, [reward], tmp_path / "run", callbacks=probe(tmp_path / "run", lines.append))
    probes = read_metrics(tmp_path / "run" / "probe.jsonl")
    assert [p["step"] for p in probes] == [0, 2, 3]
    for p in probes:
        assert p["n"] == 3 and 0.0 <= p["strict"] <= 1.0 and 0.0 <= p["expected"] <= 1.0
        assert p["strict_raw"] <= 1.0 and p["expected_raw"] <= 1.0 and 0.0 <= p["degenerate"] <= 1.0
        # the training reward is the expected score with the floor for non-replies: never above it, and equal
        # to it when no reply loops
        assert p["reward_raw"] <= p["expected_raw"] + 1e-9
        assert p["degenerate"] > 0 or p["reward_raw"] == p["expected_raw"]
    assert sum(line.startswith("probe at step") for line in lines) == 3
    train_arm(cfg, rows, [reward], tmp_path / "run", callbacks=probe(tmp_path / "run"))  # finished: no new probe
    assert [p["step"] for p in read_metrics(tmp_path / "run" / "probe.jsonl")] == [0, 2, 3]

    def strip(path):
        return [{k: v for k, v in r.items() if k != "seconds"} for r in read_metrics(path)]

    # the probe decodes greedily and draws no random numbers: training is the same without it
    train_arm(cfg, rows, [reward], tmp_path / "plain")
    assert strip(tmp_path / "plain" / "metrics.jsonl") == strip(tmp_path / "run" / "metrics.jsonl")
