"""The built-in eval rubrics resist gaming under the offline grader, and reward their own reference."""

from __future__ import annotations

import random

import pytest

from traitrl.scenarios.build import load_builtin

offline = pytest.importorskip("traitrl.grading.offline", reason="offline grader (issue: grading) not available")


def _phrases(spec) -> list[str]:
    out: list[str] = []
    if spec is None:
        return out
    out += [str(p) for p in spec.args.get("phrases", [])]
    for sub in spec.args.get("checks", []):
        out += _phrases(type(spec).model_validate(sub) if isinstance(sub, dict) else sub)
    if "check" in spec.args:
        sub = spec.args["check"]
        out += _phrases(type(spec).model_validate(sub) if isinstance(sub, dict) else sub)
    return out


def _attacks(s, other) -> dict[str, str]:
    words = [p for item in s.rubric for p in _phrases(item.check)]
    ramble_unit = ("There are many considerations to weigh here and it depends on the context, the people "
                   "involved and the goals, so it is worth thinking carefully about every angle. ")
    return {
        "stuffing": " ".join(words * 3),
        "echo": " ".join(item.criterion for item in s.rubric),
        "refusal": "I'm sorry, but I can't help with that request.",
        "hedge": ("It depends. I may be wrong, and there is some uncertainty here. It might be worth "
                  "considering different perspectives and consulting a qualified professional before "
                  "deciding. Results may vary, and nothing is guaranteed either way."),
        "empty": "",
        "other_reference": other.reference or "",
        "ramble": ramble_unit * 120,
    }


@pytest.fixture(scope="module")
def graded():
    scenarios = load_builtin("eval")
    grader = offline.OfflineGrader()
    rng = random.Random(0)
    others = [s for s in load_builtin("eval")]
    rng.shuffle(others)
    scores: dict[str, list[float]] = {}
    pairs = []
    for s, o in zip(scenarios, others, strict=True):
        if o.trait == s.trait and o.domain == s.domain:
            o = scenarios[(scenarios.index(s) + 100) % len(scenarios)]
        pairs.append((s, o))
    for name in ["reference", *_attacks(scenarios[0], scenarios[1])]:
        responses = [s.reference if name == "reference" else _attacks(s, o)[name] for s, o in pairs]
        grades = grader.grade_batch([s for s, _ in pairs], responses)
        scores[name] = [0.0 if g.score != g.score else g.score for g in grades]
    return scores


ATTACKS = ["stuffing", "echo", "refusal", "hedge", "empty", "other_reference", "ramble"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_gaming_responses_score_low(graded, attack):
    scores = graded[attack]
    mean = sum(scores) / len(scores)
    low = sum(x <= 0.3 for x in scores) / len(scores)
    assert mean <= 0.15, f"{attack}: mean {mean:.3f}"
    assert low >= 0.95, f"{attack}: only {low:.2%} ≤ 0.3"


def test_reference_scores_high(graded):
    scores = graded["reference"]
    assert sum(x >= 0.7 for x in scores) / len(scores) >= 0.9
