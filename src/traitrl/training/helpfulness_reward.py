"""The reward-control arm: trait conversations rewarded for generic helpfulness, not their rubrics.

The paper's control asks whether trait RL works because of *what* the rubrics reward or merely because the
policy practises on these conversations. So the control arm keeps the same trait rows and replaces the rubric
score with a graded, rubric-blind helpfulness / instruction-following score, the mean of five parts:

- engagement: share of the final user turn's content words (up to 8) that the reply takes up;
- length: 1 inside a reasonable band of words, ramping down outside it;
- no refusal: 0 if the project's refusal classifier (`grading.refusal`) finds a full or partial refusal;
- structure: complete sentences or a list (1 for two or more, 0.5 for one);
- non-repetition: share of distinct words (a degenerate loop scores low).

Returns None on standard rows (no `scenario_id`), so it combines with `standard_reward` as TRL sums non-None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from traitrl.grading.refusal import classify_refusal
from traitrl.text import words
from traitrl.training.standard_reward import completion_text

SENTENCE_PATTERN = re.compile(r"[A-Za-z][^.!?\n]{8,}[.!?]")
LIST_PATTERN = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\S", re.MULTILINE)
STOPWORDS = frozenset("""about above after again against also because been before being below between both
could does doing down during each from further have having here hers herself himself into itself just more
most myself once only other ours over same should some such than that their theirs them then there these
they this those through under until very what when where which while whom will with would your yours
yourself please want need know think tell make like really""".split())
LENGTH_BAND = (15, 120)
MAX_KEY_WORDS = 8


def content_words(text: str, limit: int = MAX_KEY_WORDS) -> list[str]:
    """Distinct content words of `text` in order of appearance (4+ letters, no stopwords)."""
    seen: list[str] = []
    for w in words(text):
        if len(w) >= 4 and w not in STOPWORDS and w not in seen:
            seen.append(w)
    return seen[:limit]


def _engagement(request: str, reply: str) -> float:
    keys = content_words(request)
    if not keys:
        return 1.0
    reply_stems = {w[:5] for w in words(reply)}
    hit = sum(k[:5] in reply_stems for k in keys)
    return min(1.0, 2.0 * hit / len(keys))


def _length(reply: str, band: tuple[int, int] = LENGTH_BAND) -> float:
    n = len(reply.split())
    low, high = band
    if n < low:
        return n / low
    return 1.0 if n <= high else max(0.0, 1.0 - (n - high) / high)


def _structure(reply: str) -> float:
    units = len(SENTENCE_PATTERN.findall(reply)) + len(LIST_PATTERN.findall(reply))
    return 1.0 if units >= 2 else 0.5 if units == 1 else 0.0


def _non_repetition(reply: str) -> float:
    seq = words(reply)
    return len(set(seq)) / len(seq) if seq else 0.0


def score_helpfulness(request: str, reply: str) -> float:
    """Rubric-blind helpfulness in [0, 1] (mean of the five parts above)."""
    if not reply.strip():
        return 0.0
    parts = [_engagement(request, reply), _length(reply), 1.0 if classify_refusal(reply) == "full_compliance" else 0.0,
             _structure(reply), _non_repetition(reply)]
    return sum(parts) / len(parts)


def _last_user_turn(prompt: Any) -> str:
    if isinstance(prompt, str):
        return prompt
    users = [m.get("content") or "" for m in prompt if m.get("role") == "user"]
    return users[-1] if users else ""


def helpfulness_reward(prompts: Sequence[Any], completions: Sequence[Any],
                       scenario_id: Sequence[str | None] | None = None, **_: Any) -> list[float | None]:
    """Helpfulness score on trait rows (those with a `scenario_id`); None on standard rows."""
    ids = list(scenario_id) if scenario_id is not None else [None] * len(completions)
    return [score_helpfulness(_last_user_turn(p), completion_text(c)) if sid else None
            for p, c, sid in zip(prompts, completions, ids, strict=True)]
