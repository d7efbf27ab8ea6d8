"""The grading façade used by evaluation *and* training, so the reward is exactly the evaluation scorer.

A grader is named by one spec string, recorded with every result that it made (`Grader.name`) and taken
whole by evaluation, the reward, analysis, export and the result cache:

- `offline` (default): the learned judge shipped in the package (`grading/learned/`), which reads criterion
  text, so it grades any rubric, imported ones included; `offline@DIR` uses judge weights fitted into DIR
  (`traitrl grade fit-judge --out DIR`);
- `checks` / `checks:nogate`: the hand-written rubric checks (`grading/check_grader.py`), a baseline;
- `judge:<model>@<base_url>`: an LLM judge behind any OpenAI-compatible endpoint (key from `TRAITRL_API_KEY`).

`grade` / `grade_many` return `Grade`s (`.score` strict, `.expected_score` the RL reward); `score_response`
returns the strict score of one reply (unclipped; NaN when unscored).
"""

from __future__ import annotations

from pathlib import Path

from traitrl.errors import ConfigError
from traitrl.grading.grade import Grade, Grader
from traitrl.types import Scenario

DEFAULT_GRADER = "offline"
GRADER_SPECS = "'offline', 'offline@DIR', 'checks', 'checks:nogate' or 'judge:<model>@<base_url>'"


def check_grader_spec(spec: str) -> str:
    """The spec if its form is valid (no weights loaded, no endpoint called): for config validation."""
    ok = (spec in ("offline", "checks", "checks:nogate") or spec.startswith("offline@")
          or (spec.startswith("judge:") and "@http" in spec))
    if not ok:
        raise ValueError(f"unknown grader {spec!r}: use {GRADER_SPECS}")
    return spec


def validate_grader(spec: str, option: str = "--grader") -> str:
    """The spec if a run elsewhere can load it (for export, which writes it into a reward module): its form, and
    for the learned judge a folder whose `reader.json` and weights are there and readable. Nothing is loaded."""
    try:
        check_grader_spec(spec)
    except ValueError as e:
        raise ConfigError(str(e), field=option) from None
    if spec.startswith("offline"):
        _judge_folder(spec, option)
    grader_name(spec)  # reads reader.json and hashes the weights: a missing or broken file fails here
    return spec


def _judge_folder(spec: str, field: str = "grader") -> Path | None:
    """The folder of an `offline@DIR` spec (None for the shipped judge); a missing folder is a `ConfigError`."""
    folder = spec.partition("@")[2]
    if folder and not Path(folder).is_dir():
        raise ConfigError(f"grader {spec!r}: no such folder {folder!r}", field=field)
    return Path(folder) if folder else None


def load_grader(spec: str | None = None, **judge_options: object) -> Grader:
    """A grader from its spec string (see module docstring); a bad spec fails here, before any work."""
    spec = spec or DEFAULT_GRADER
    if spec == "offline" or spec.startswith("offline@"):
        from traitrl.grading.learned.judge import LearnedJudge

        return LearnedJudge.load(_judge_folder(spec))
    if spec in ("checks", "checks:nogate"):
        from traitrl.grading.check_grader import CheckGrader

        return CheckGrader(gate=spec == "checks")
    if spec.startswith("judge:"):
        from traitrl.grading.judge import JudgeConfig, OpenAIJudge

        body = spec[len("judge:"):]
        model, sep, base_url = body.partition("@")
        if not sep or not model or not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"bad judge spec {spec!r}: expected judge:<model>@<http(s)://base_url>",
                              field="grader")
        return OpenAIJudge(JudgeConfig(model=model, base_url=base_url, **judge_options))
    raise ConfigError(f"unknown grader {spec!r}: use {GRADER_SPECS}", field="grader")


def grader_name(spec: str) -> str:
    """What a spec's grader will record as its name, computed without loading it where possible (the learned
    judge: a digest of its weights), so that stage and cache keys change when the weights change."""
    if spec == "offline" or spec.startswith("offline@"):
        from traitrl.grading.learned.judge import judge_name

        folder = spec.partition("@")[2]
        return judge_name(Path(folder) if folder else None)
    return spec


def default_grader() -> Grader:
    return load_grader(DEFAULT_GRADER)


def grade_many(scenarios: list[Scenario], responses: list[str], grader: Grader | None = None) -> list[Grade]:
    return (grader or default_grader()).grade_batch(scenarios, responses)


def grade(scenario: Scenario, response: str, grader: Grader | None = None) -> Grade:
    return grade_many([scenario], [response], grader)[0]


def score_response(scenario: Scenario, response: str, grader: Grader | None = None) -> float:
    """Strict rubric score of one reply (unclipped); NaN when no positive item has a verdict."""
    return grade(scenario, response, grader).score
