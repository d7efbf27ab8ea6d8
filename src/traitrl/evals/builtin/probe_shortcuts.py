"""Shortcut checks for preference probes: could a model pick the trait reply without reading for behaviour?

Each check answers every item of a trait with a cheap rule and returns its accuracy; a fair probe set keeps
the rules near chance:
- `longer_reply_accuracy`: pick the longer reply (by whitespace-separated words);
- `hedging_accuracy`: pick the reply with more hedging or cautious words (ties count one half);
- `bag_of_words_accuracy`: a logistic regression on word counts, fitted on half the items (each reply a
  row, labelled trait or not), picks the higher-scoring reply of each item of the other half; averaged over
  both halves.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

from traitrl.evals.builtin.probes import ProbeItem
from traitrl.text import words

HEDGES = frozenset("""might may maybe perhaps possibly probably likely unlikely uncertain uncertainty unsure
unclear evidence risk risks risky careful carefully caution cautious however although though but unless
check verify confirm limited limits caveat assume assumption suggest suggests seems appear appears
estimate roughly approximately around sorry concern concerned worry safe safety""".split())


def longer_reply_accuracy(items: Sequence[ProbeItem]) -> float:
    return _accuracy(items, lambda text: len(text.split()))


def hedging_accuracy(items: Sequence[ProbeItem]) -> float:
    return _accuracy(items, lambda text: sum(w in HEDGES for w in words(text)))


def _accuracy(items: Sequence[ProbeItem], key) -> float:
    hits = 0.0
    for p in items:
        a, b = key(p.trait_reply), key(p.gives_in_reply)
        hits += 1.0 if a > b else 0.5 if a == b else 0.0
    return hits / len(items)


def bag_of_words_accuracy(items: Sequence[ProbeItem], seed: int = 0, l2: float = 1.0, epochs: int = 200) -> float:
    """Two-fold accuracy of a bag-of-words logistic regression at picking the trait reply."""
    order = list(items)
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    folds = [(order[:half], order[half:]), (order[half:], order[:half])]
    return sum(_fold(train, test, l2, epochs) for train, test in folds) / 2


def _fold(train: Sequence[ProbeItem], test: Sequence[ProbeItem], l2: float, epochs: int) -> float:
    vocab = sorted({w for p in train for t in (p.trait_reply, p.gives_in_reply) for w in words(t)})
    index = {w: i for i, w in enumerate(vocab)}

    def features(text: str) -> dict[int, float]:
        return {index[w]: math.log1p(n) for w, n in Counter(words(text)).items() if w in index}

    rows = [(features(p.trait_reply), 1.0) for p in train] + [(features(p.gives_in_reply), 0.0) for p in train]
    weights, bias, lr = [0.0] * len(vocab), 0.0, 0.5
    for _ in range(epochs):  # full-batch gradient descent on the L2-regularised log loss
        grad, gbias = [l2 * w / len(rows) for w in weights], 0.0
        for x, y in rows:
            z = bias + sum(weights[i] * v for i, v in x.items())
            err = 1 / (1 + math.exp(-z)) - y
            gbias += err / len(rows)
            for i, v in x.items():
                grad[i] += err * v / len(rows)
        weights = [w - lr * g for w, g in zip(weights, grad, strict=True)]
        bias -= lr * gbias

    def score(text: str) -> float:
        return sum(weights[i] * v for i, v in features(text).items())

    return _accuracy(test, score)
