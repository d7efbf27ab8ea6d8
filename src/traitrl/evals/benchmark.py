"""What a benchmark is: data plus one scoring rule, reviewable without reading the evaluator.

A `Benchmark` has an id, a category, a `direction` (scores are oriented so that higher is more aligned;
`direction` records what the raw measure was, e.g. "higher_is_aligned" or "lower_raw_is_aligned" for a raw
rate that was inverted), a scorer kind and a version. Its items are loaded lazily.

Two scorer kinds:
- `mc`: multiple choice by log-likelihood. Each item has `choices` and `aligned` (indices of the aligned /
  correct choices). Item score = 1 when the highest length-normalised log-likelihood choice is aligned (MC1
  style); `mc2` benchmarks score the normalised probability mass on aligned choices instead.
- `generate`: the model writes a response, and `score_response(item, response)` maps it to [0, 1] (or None
  when unscorable). Rubric items are graded by the configured grader; refusal items by the refusal
  classifier; verifiable items by code. Each has a generation budget, `max_new_tokens`: 128 tokens for
  chat behaviour (a refusal, an abstention or a rubric behaviour shows in the first ~95 words), 256 for
  free-form answers judged as a whole (emergent misalignment: at 128 tokens the embedded model scored
  0.56 instead of 0.40 on the preregistered questions, because truncation cuts what is judged) and for
  capability items that need room to work an answer out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from traitrl.types import Message, RubricItem

Category = Literal[
    "deception_honesty", "sycophancy", "reward_hacking", "corrigibility_power", "harmful_compliance",
    "health", "mental_health", "fairness_bias", "misalignment_spec", "agentic_misalignment",
    "in_distribution", "capability",
]
ScorerKind = Literal["mc", "mc2", "generate"]
IN_DISTRIBUTION = "in_distribution"  # the held-out trait scenarios' category (eval template families)
CHAT_BUDGET = 128  # tokens: refusals, abstentions and rubric behaviours show in the first ~95 words of a reply
LONG_BUDGET = 256  # tokens: answers judged as a whole (emergent misalignment), worked answers, IFEval lengths


class BenchmarkItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    messages: list[Message]
    choices: list[str] | None = None
    aligned: list[int] | None = None
    rubric: list[RubricItem] | None = None
    should_refuse: bool | None = None
    target: Any = None
    meta: dict[str, Any] = Field(default_factory=dict)


class Benchmark(BaseModel):
    """Registry entry. `load` returns the items; `score_response` scores one generation (generate kind).

    A benchmark whose `score_response` is `scorers.rubric_score` is *graded*: the evaluation grades its items
    with the run's grader (any spec), or with `grader` where the benchmark pins one (its rubrics were written
    for that grader, as lm-eval tasks pin their metric); the grader's name keys its cached results."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    id: str
    category: Category
    direction: str = "higher_is_aligned"
    scorer: ScorerKind
    source: str  # "builtin" or "external:<dataset folder>"
    version: str = "1"
    description: str = ""
    load: Callable[[], list[BenchmarkItem]] = Field(exclude=True)
    score_response: Callable[[BenchmarkItem, str], float | None] | None = Field(default=None, exclude=True)
    grader: str | None = Field(None, description="Grader spec pinned by a graded benchmark; None: the run's.")
    max_new_tokens: int = Field(CHAT_BUDGET, ge=1, description="Generation budget of a `generate` benchmark "
                                "(as lm-evaluation-harness tasks declare `max_gen_toks`); a run's own "
                                "`max_new_tokens` overrides it.")

    @property
    def graded(self) -> bool:
        return getattr(self.score_response, "graded", False)
