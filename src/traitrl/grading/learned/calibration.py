"""Reply-level calibration: P(met) of a rubric item from the reader's logit for it and for the reply's other items.

The reader (`model.py`) reads each criterion alone against the reply. A careful rater reads the whole reply
against the whole rubric: a reply that plainly meets the positive items rarely also does the penalised thing
whose topic it discusses ("don't sign tonight" is not "tells her to sign"), and one that meets none of them
rarely meets a single one. On the gold dev split, the reader alone marked 51 % of the negative items "met" on
excellent replies to written scenarios, because the reply talks about what the criterion names.

So P(met) of item k is a logistic regression over eight numbers, fitted on the dev split (where a plain Platt
scaling was fitted before), with the test split never read:

    z_k, s_k, z_k s_k,                                  its own logit z, its sign s (1 positive, 0 negative)
    mean_same · s_k, mean_same · (1 - s_k),             the mean logit of the reply's other items of its sign
    mean_other · s_k, mean_other · (1 - s_k),           the mean logit of the items of the other sign
    z_k · mean_pos · (1 - s_k)                          a negative item, read beside how well the positives are met

No feature sees the reply's length or wording: only what the reader made of the rubric. Measured on dev
(5-fold cross-validation by scenario) against Platt scaling alone: accuracy 0.860 -> 0.875, macro-F1 0.821 ->
0.840; excellent replies at strict >= 0.7: 54 % -> 88 %; attacks unchanged (docs/grading.md).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

FEATURES = ("logit", "positive", "logit*positive", "mean_same*positive", "mean_same*negative",
            "mean_other*positive", "mean_other*negative", "logit*mean_positive*negative")


class ReplyCalibration(BaseModel):
    """Weights over `FEATURES` and a bias (stored in `reader.json` under `calibration`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    features: list[str] = Field(default_factory=lambda: list(FEATURES))
    weights: list[float]
    bias: float

    def calibrated_logits(self, logits: list[float], points: list[float]) -> list[float]:
        return [sum(w * x for w, x in zip(self.weights, row, strict=True)) + self.bias
                for row in features(logits, points)]


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def features(logits: list[float], points: list[float]) -> list[list[float]]:
    """The eight features of every rubric item of one reply (`FEATURES`, in order)."""
    positive = [z for z, p in zip(logits, points, strict=True) if p > 0]
    negative = [z for z, p in zip(logits, points, strict=True) if p <= 0]
    mean_pos = _mean(positive)
    rows = []
    for z, p in zip(logits, points, strict=True):
        s = 1.0 if p > 0 else 0.0
        same, other = (positive, negative) if s else (negative, positive)
        mean_same = (sum(same) - z) / (len(same) - 1) if len(same) > 1 else 0.0  # the others of its sign
        mean_other = _mean(other)
        rows.append([z, s, z * s, mean_same * s, mean_same * (1 - s), mean_other * s, mean_other * (1 - s),
                     z * mean_pos * (1 - s)])
    return rows


def fit_calibration(replies: list[tuple[list[float], list[float], list[bool]]],
                    l2: float = 1e-3) -> ReplyCalibration:
    """Fit on (reader logits, points, gold verdicts) per reply: log loss plus a small L2 penalty on the weights."""
    import torch

    x = torch.tensor([row for logits, points, _ in replies for row in features(logits, points)])
    y = torch.tensor([m for *_, labels in replies for m in labels], dtype=torch.float32)
    w = torch.zeros(x.shape[1] + 1, dtype=torch.float32)
    w[0] = 1.0  # start at the reader's own logit
    w.requires_grad_(True)
    opt = torch.optim.LBFGS([w], max_iter=500)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w[:-1] + w[-1], y) + l2 * (w[:-1] ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    values = w.detach().tolist()
    return ReplyCalibration(weights=[round(v, 6) for v in values[:-1]], bias=round(values[-1], 6))
