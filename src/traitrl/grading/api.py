"""The scoring façade used by evaluation *and* training, so the reward is exactly the evaluation scorer.

`grade` / `grade_many` return `Grade`s; `score_response` returns the clipped rubric score (NaN when
unscored). `load_grader` turns a grader spec into a grader:

- `offline` (default; `offline:nogate` turns the degenerate-response gate off; `offline:partial` adds
  partial credit per positive item, the RL reward's grader — read its `Grade.partial_score`)
- `judge:<model>@<base_url>` — an OpenAI-compatible judge (key from `TRAITRL_API_KEY`)
"""

from __future__ import annotations

from traitrl.errors import ConfigError
from traitrl.grading.grade import Grade, Grader
from traitrl.grading.offline import OfflineGrader
from traitrl.scenarios.schema import Scenario

_default: OfflineGrader | None = None


def default_grader() -> OfflineGrader:
    global _default
    if _default is None:
        _default = OfflineGrader()
    return _default


def load_grader(spec: str | None = None, **judge_options: object) -> Grader:
    """A grader from its spec string (see module docstring)."""
    if spec is None or spec == "offline":
        return default_grader()
    if spec == "offline:nogate":
        return OfflineGrader(gate=False)
    if spec == "offline:partial":
        return OfflineGrader(partial_credit=True)
    if spec.startswith("judge:"):
        from traitrl.grading.judge import JudgeConfig, OpenAIJudge

        body = spec[len("judge:"):]
        model, sep, base_url = body.partition("@")
        if not sep or not model or not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"bad judge spec {spec!r}: expected judge:<model>@<http(s)://base_url>",
                              field="grader")
        return OpenAIJudge(JudgeConfig(model=model, base_url=base_url, **judge_options))
    raise ConfigError(f"unknown grader {spec!r}: use 'offline', 'offline:nogate', 'offline:partial' or "
                      "'judge:<model>@<base_url>'", field="grader")


def grade_many(scenarios: list[Scenario], responses: list[str], grader: Grader | None = None) -> list[Grade]:
    return (grader or default_grader()).grade_batch(scenarios, responses)


def grade(scenario: Scenario, response: str, grader: Grader | None = None) -> Grade:
    return grade_many([scenario], [response], grader)[0]


def score_response(scenario: Scenario, response: str, grader: Grader | None = None) -> float:
    """Rubric score in [0, 1]; NaN when no positive item has a verdict."""
    return grade(scenario, response, grader).score
