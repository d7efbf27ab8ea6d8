"""Measure a grader against the gold set: per-verdict agreement, and what it does to each kind of reply.

`calibrate(gold, grader, split)` grades every gold reply of the split whose rubric is fully labelled and
reports:

- per-verdict accuracy and macro-F1 against the gold verdicts, overall and for template vs written scenarios,
  next to the accuracy of answering "not met" everywhere (the floor a grader must beat) and the share of
  items it left unscored, each with a 95 % CI from a bootstrap over scenarios (a scenario's verdicts are
  not independent: its rubric is read against several replies, and a misread criterion errs on all of them);
- per reply kind (excellent, plain, mediocre, gives_in, harmful, salad, ...): the mean strict score (the held-
  out metric), the mean RL reward (`grading.reward_rule`: the expected score, the rubric's floor for a
  non-reply), the share at >= 0.7 and at <= 0.3 under each, and the
  same strict mean under the gold verdicts themselves;
- the gap between good replies and the best-scoring attack, under the reward;
- pair order: of the pairs of replies to one scenario that the gold verdicts score differently (unclipped),
  the share the reward orders the same way (a tie counts half). GRPO only sees rewards relative to the other
  completions of a prompt, so this is the number an RL reward lives by; also for pairs of short replies
  (both <= 60 words, the length a small policy writes).

    traitrl grade calibrate --grader offline --split test          # the shipped judge on unseen scenarios
    traitrl grade calibrate --gold my_gold/ --grader judge:m@http://localhost:8000/v1
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel

from traitrl.grading.gold import GoldSet, GoldSplit
from traitrl.grading.grade import Grader
from traitrl.grading.reward_rule import reward_score
from traitrl.grading.scoring import mean_score, rubric_score

GOOD_KINDS = ("excellent", "plain")
ATTACK_KINDS = ("salad", "copy_specifics", "gives_in", "harmful_salad", "rubric_echo")
# gold scenario source (and split, for the shipped written scenarios) -> the subset its verdicts are reported under
SUBSETS = {"builtin": "template", "gold-written": "written", "written": "written-eval",
           "written:train": "written-train"}


class Agreement(BaseModel):
    n: int
    accuracy: float
    macro_f1: float
    all_not_met_accuracy: float
    unscored: float
    scenarios: int | None = None  # the clusters the CIs resample
    accuracy_ci: tuple[float, float] | None = None
    macro_f1_ci: tuple[float, float] | None = None


class KindScores(BaseModel):
    n: int
    gold_strict: float
    strict: float
    reward: float
    strict_ge_07: float
    strict_le_03: float
    reward_ge_07: float
    reward_le_03: float


class PairOrder(BaseModel):
    pairs: int
    concordance: float


class CalibrationReport(BaseModel):
    grader: str
    split: str
    agreement: dict[str, Agreement]
    kinds: dict[str, KindScores]
    good_minus_best_attack_reward: float | None
    pair_order: dict[str, PairOrder] = {}


SHORT_WORDS = 60


def pair_order(replies: list[tuple[float, float, int]]) -> PairOrder:
    """replies: (gold score, reward, words) of one scenario's replies; the share of gold-ordered pairs the reward
    orders the same way, ties in reward counting half (NaN when gold orders none)."""
    agree, n = 0.0, 0
    for i, (gold_a, reward_a, _) in enumerate(replies):
        for gold_b, reward_b, _ in replies[i + 1:]:
            if math.isclose(gold_a, gold_b) or math.isnan(reward_a) or math.isnan(reward_b):
                continue
            n += 1
            agree += 0.5 if math.isclose(reward_a, reward_b) else float((gold_a > gold_b) == (reward_a > reward_b))
    return PairOrder(pairs=n, concordance=agree / n if n else math.nan)


def _pooled(orders: list[PairOrder]) -> PairOrder:
    n = sum(o.pairs for o in orders)
    return PairOrder(pairs=n, concordance=sum(o.concordance * o.pairs for o in orders if o.pairs) / n if n
                     else math.nan)


N_BOOTSTRAP = 1000


def _confusion(pairs: Sequence[tuple[bool, bool | None]]) -> np.ndarray:
    """Per verdict: correct, then (tp, fp, fn) for "met" and for "not met"; unscored is wrong for its class."""
    return np.array([[g == p, g and p is True, (not g) and p is True, g and p is not True,
                      (not g) and p is False, g and p is False, (not g) and p is not False] for g, p in pairs],
                    dtype=float).reshape(-1, 7)


def _accuracy_and_macro_f1(counts: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From summed `_confusion` rows (..., 7) and verdict counts: accuracy and macro-F1 (a class with no
    verdicts and no predictions has F1 1, as in `agreement`)."""
    f1s = []
    for tp, fp, fn in (counts[..., 1:4].T, counts[..., 4:7].T):
        denom = 2 * tp + fp + fn
        f1s.append(np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), 1.0))
    return counts[..., 0] / n, (f1s[0] + f1s[1]) / 2


def agreement(pairs: list[tuple[bool, bool | None]], clusters: Sequence[str] | None = None, seed: int = 0,
              n_boot: int = N_BOOTSTRAP) -> Agreement:
    """pairs: (gold, predicted or None when unscored); unscored counts as a wrong answer. `clusters`: the
    scenario of each pair; with two or more, accuracy and macro-F1 get seeded 95 % percentile CIs from a
    bootstrap that resamples whole scenarios."""
    n = len(pairs)
    if not n:
        return Agreement(n=0, accuracy=math.nan, macro_f1=math.nan, all_not_met_accuracy=math.nan, unscored=math.nan)
    rows = _confusion(pairs)
    accuracy, macro_f1 = _accuracy_and_macro_f1(rows.sum(0), np.array(n))
    out = Agreement(n=n, accuracy=float(accuracy), macro_f1=float(macro_f1),
                    all_not_met_accuracy=sum(not g for g, _ in pairs) / n,
                    unscored=sum(p is None for _, p in pairs) / n)
    if clusters is None or len(set(clusters)) < 2:
        return out
    names, index = np.unique(np.asarray(clusters), return_inverse=True)
    per_cluster = np.zeros((len(names), 7))
    np.add.at(per_cluster, index, rows)
    sizes = np.bincount(index).astype(float)
    draws = np.random.default_rng(seed).integers(0, len(names), size=(n_boot, len(names)))
    acc, f1 = _accuracy_and_macro_f1(per_cluster[draws].sum(1), sizes[draws].sum(1))
    lo, hi = 100 * 0.025, 100 * 0.975
    return out.model_copy(update={"scenarios": len(names),
                                  "accuracy_ci": tuple(float(v) for v in np.percentile(acc, [lo, hi])),
                                  "macro_f1_ci": tuple(float(v) for v in np.percentile(f1, [lo, hi]))})


class RaterAgreement(BaseModel):
    n: int
    agreement: float
    cohen_kappa: float


def rater_agreement(pairs: list[tuple[bool, bool]]) -> RaterAgreement:
    """Agreement and Cohen's kappa between two independent reads of the same (reply, criterion) pairs."""
    n = len(pairs)
    if not n:
        return RaterAgreement(n=0, agreement=math.nan, cohen_kappa=math.nan)
    observed = sum(a == b for a, b in pairs) / n
    pa, pb = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    chance = pa * pb + (1 - pa) * (1 - pb)
    kappa = (observed - chance) / (1 - chance) if chance < 1 else 1.0
    return RaterAgreement(n=n, agreement=observed, cohen_kappa=kappa)


def _share(xs: list[float], keep) -> float:
    xs = [x for x in xs if not math.isnan(x)]
    return sum(map(keep, xs)) / len(xs) if xs else math.nan


def calibrate(gold: GoldSet, grader: Grader, split: GoldSplit | None = "test") -> CalibrationReport:
    rows = gold.labelled_replies(split)
    grades = grader.grade_batch([s for s, _, _ in rows], [r.text for _, r, _ in rows])
    pairs: dict[str, list[tuple[bool, bool | None]]] = defaultdict(list)
    clusters: dict[str, list[str]] = defaultdict(list)
    per_kind: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    per_scenario: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for (s, reply, verdicts), g in zip(rows, grades, strict=True):
        subset = SUBSETS.get(f"{s.source}:{s.split}", SUBSETS.get(s.source, "template"))
        for gold_met, item in zip(verdicts, g.items, strict=True):
            for key in ("all", subset):
                pairs[key].append((gold_met, item.met))
                clusters[key].append(s.id)
        gold_strict = rubric_score([i.points for i in s.rubric], verdicts)
        reward = reward_score(g, reply.text)
        per_kind[reply.kind].append((gold_strict, g.score, reward))
        per_scenario[s.id].append((gold_strict, reward, len(reply.text.split())))
    kinds = {}
    for kind, xs in sorted(per_kind.items()):
        strict, reward = [x[1] for x in xs], [x[2] for x in xs]
        kinds[kind] = KindScores(n=len(xs), gold_strict=mean_score(x[0] for x in xs), strict=mean_score(strict),
                                 reward=mean_score(reward), strict_ge_07=_share(strict, lambda v: v >= 0.7),
                                 strict_le_03=_share(strict, lambda v: v <= 0.3),
                                 reward_ge_07=_share(reward, lambda v: v >= 0.7),
                                 reward_le_03=_share(reward, lambda v: v <= 0.3))
    good = [kinds[k].reward for k in GOOD_KINDS if k in kinds]
    attacks = [kinds[k].reward for k in ATTACK_KINDS if k in kinds]
    gap = min(good) - max(attacks) if good and attacks else None
    orders = {"all": _pooled([pair_order(v) for v in per_scenario.values()]),
              "short": _pooled([pair_order([x for x in v if x[2] <= SHORT_WORDS]) for v in per_scenario.values()])}
    return CalibrationReport(grader=grader.name, split=split or "all",
                             agreement={k: agreement(v, clusters[k]) for k, v in sorted(pairs.items())}, kinds=kinds,
                             good_minus_best_attack_reward=gap, pair_order=orders)


def format_report(report: CalibrationReport) -> str:
    def ci(bounds: tuple[float, float] | None) -> str:
        return f"[{bounds[0]:.3f}, {bounds[1]:.3f}]" if bounds else " " * 14

    lines = [f"grader {report.grader} on gold split {report.split} (95 % CIs: bootstrap over scenarios)", "",
             "verdicts     n      scen.  accuracy                 macro-F1                 all-not-met  unscored"]
    for name, a in report.agreement.items():
        lines.append(f"{name:<12} {a.n:<6} {a.scenarios or '':<5}  {a.accuracy:.3f} {ci(a.accuracy_ci)}   "
                     f"{a.macro_f1:.3f} {ci(a.macro_f1_ci)}   {a.all_not_met_accuracy:11.3f}  {a.unscored:8.3f}")
    lines += ["", "kind            n     gold   strict  >=0.7  <=0.3   reward  >=0.7  <=0.3"]
    for kind, k in report.kinds.items():
        lines.append(f"{kind:<15} {k.n:<5} {k.gold_strict:6.3f}  {k.strict:6.3f}  {k.strict_ge_07:5.2f}  "
                     f"{k.strict_le_03:5.2f}  {k.reward:6.3f}  {k.reward_ge_07:5.2f}  {k.reward_le_03:5.2f}")
    if report.good_minus_best_attack_reward is not None:
        lines += ["", f"good replies minus the best attack, reward: {report.good_minus_best_attack_reward:+.3f}"]
    for name, o in report.pair_order.items():
        which = "pairs of replies" if name == "all" else f"pairs of replies of <= {SHORT_WORDS} words"
        lines.append(f"{which} to one scenario that gold orders: {o.pairs}, the reward orders "
                     f"{o.concordance:.3f} of them the same way")
    return "\n".join(lines)
