"""Near-duplicate detection between two text collections: 8-gram shingles and an inverted index.

`max_overlap(a, b)` is the largest Jaccard similarity between the 8-gram shingle set of any text in `a`
and any text in `b`. Shingles are hashed words (lower-cased, punctuation stripped); an inverted index over
`b` counts shared shingles only for pairs that share at least one, so the cost scales with the overlap
actually present rather than with |a|·|b|. Benchmarks reuse it to check for contamination.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from traitrl.text import words

N = 8


def shingles(text: str, n: int = N) -> set[int]:
    """Hashes of the word n-grams of `text` (the whole text as one shingle when shorter than n)."""
    seq = words(text)
    if len(seq) < n:
        return {hash(tuple(seq))} if seq else set()
    return {hash(tuple(seq[i:i + n])) for i in range(len(seq) - n + 1)}


def _index(sets: Sequence[set[int]]) -> dict[int, list[int]]:
    index: dict[int, list[int]] = defaultdict(list)
    for j, s in enumerate(sets):
        for h in s:
            index[h].append(j)
    return index


def overlap_pairs(texts_a: Iterable[str], texts_b: Iterable[str], n: int = N) -> list[tuple[float, int]]:
    """For each text in `a`: (max Jaccard against `b`, index of that text in `b`, or -1)."""
    sets_b = [shingles(t, n) for t in texts_b]
    index = _index(sets_b)
    out: list[tuple[float, int]] = []
    for text in texts_a:
        sa = shingles(text, n)
        counts: Counter[int] = Counter()
        for h in sa:
            hits = index.get(h)
            if hits:
                counts.update(hits)
        best, arg = 0.0, -1
        for j, inter in counts.items():
            jac = inter / (len(sa) + len(sets_b[j]) - inter)
            if jac > best:
                best, arg = jac, j
        out.append((best, arg))
    return out


def max_overlap(texts_a: Iterable[str], texts_b: Iterable[str], n: int = N) -> float:
    """Largest n-gram Jaccard similarity between any text in `a` and any text in `b` (0.0 when empty)."""
    pairs = overlap_pairs(texts_a, texts_b, n)
    return max((p[0] for p in pairs), default=0.0)


def scenario_text(scenario: object) -> str:
    """The text of a scenario's conversation, as compared for overlap."""
    return "\n".join(m.content for m in scenario.messages)  # type: ignore[attr-defined]
