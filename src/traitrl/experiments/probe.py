"""A fixed held-out probe during training: each arm's learning curve on scenarios it never trains on.

With `probe: {every: N, limit: K}` in an experiment config, every trained arm answers a fixed set of K held-out
trait scenarios (the eval split of the run's data source, taken in turn from each trait) greedily before the
first step and after every N-th and the last, and the run's grader scores the replies. One line per probe goes
to the training stage's `probe.jsonl`: `step`, `strict` and `expected` (set means clipped to [0, 1], as
HealthBench clips), their unclipped means, `reward_raw` (the mean training reward, `grading.reward_rule`, which
gives a non-reply the rubric's floor), `degenerate` (the share of replies that are empty or loop,
`grading.gate.is_degenerate`: a collapsing policy raises the unclipped means by saying nothing), `n` and `seconds`.
Greedy decoding draws no random numbers, so an arm trains exactly as it would without the probe (tested). On
resume, lines past the checkpoint's step are dropped and a probe already written for a step is not redone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from traitrl.training.callbacks import append_jsonl_line, read_metrics, truncate_metrics
from traitrl.types import Scenario


def probe_scenarios(limit: int, *, source: str = "written", data_seed: int = 0,
                    traits: Sequence[str] | None = None) -> list[Scenario]:
    """`limit` held-out scenarios: the eval split of the data source, one trait after another."""
    from traitrl.scenarios.build import interleave, load_builtin

    held_out = [s for s in load_builtin(split="eval", seed=data_seed, source=source)  # type: ignore[arg-type]
                if traits is None or s.trait in traits]
    return interleave(held_out, lambda s: s.trait)[:limit]


def probe_model(model: Any, tokenizer: Any, scenarios: list[Scenario], grader_spec: str,
                max_new_tokens: int) -> dict[str, float | int]:
    """Greedy replies of `model` to `scenarios`, graded: the probe line's scores."""
    from traitrl.evals.generation import generate
    from traitrl.grading.api import load_grader
    from traitrl.grading.gate import is_degenerate
    from traitrl.grading.reward_rule import reward_score
    from traitrl.grading.scoring import mean_score
    from traitrl.models.loading import LoadedModel

    training = model.training
    model.eval()
    try:
        replies = generate(LoadedModel(model, tokenizer, "policy", ""), [s.messages for s in scenarios],
                           max_new_tokens=max_new_tokens, progress=False)
    finally:
        model.train(training)
    grades = load_grader(grader_spec).grade_batch(scenarios, replies)
    strict, expected = [g.score for g in grades], [g.expected_score for g in grades]
    reward = [reward_score(g, r) for g, r in zip(grades, replies, strict=True)]
    return {"strict": mean_score(strict), "expected": mean_score(expected),
            "strict_raw": sum(strict) / len(strict), "expected_raw": sum(expected) / len(expected),
            "reward_raw": sum(reward) / len(reward),
            "degenerate": sum(map(is_degenerate, replies)) / len(replies), "n": len(grades)}


class ProbeCallback(TrainerCallback):
    """Runs `probe_model` at step 0, every `every` steps and at the last; one line per probe in `path`."""

    def __init__(self, path: str | Path, scenarios: list[Scenario], grader_spec: str, every: int,
                 max_new_tokens: int, echo=None) -> None:
        self.path, self.scenarios, self.grader_spec = Path(path), scenarios, grader_spec
        self.every, self.max_new_tokens, self.echo = every, max_new_tokens, echo
        self.done: set[int] = set()

    def _probe(self, model: Any, tokenizer: Any, step: int) -> None:
        if step in self.done or not self.scenarios:
            return
        start = time.monotonic()
        row = {"step": step, **probe_model(model, tokenizer, self.scenarios, self.grader_spec, self.max_new_tokens)}
        row["seconds"] = round(time.monotonic() - start, 3)
        append_jsonl_line(self.path, row)
        self.done.add(step)
        if self.echo:
            self.echo(f"probe at step {step}: held-out strict {row['strict']:.3f} (raw {row['strict_raw']:+.3f}), "
                      f"expected {row['expected']:.3f}, reward {row['reward_raw']:+.3f}, "
                      f"degenerate {row['degenerate']:.0%} on {row['n']} scenarios, {row['seconds']:.0f}s")

    def on_train_begin(self, args, state, control, model=None, processing_class=None, **kwargs):
        truncate_metrics(self.path, state.global_step)  # a resumed run drops probes past its checkpoint
        self.done = {r["step"] for r in read_metrics(self.path)}
        if state.global_step == 0:
            self._probe(model, processing_class, 0)

    def on_step_end(self, args, state, control, model=None, processing_class=None, **kwargs):
        if state.global_step % self.every == 0 or state.global_step == state.max_steps:
            self._probe(model, processing_class, state.global_step)
