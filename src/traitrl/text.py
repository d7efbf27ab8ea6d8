"""Words of a text: the one word tokenizer that counts, overlaps and lexical checks share.

A word is a run of letters or digits, with inner apostrophes kept (`don't`, `user’s`); hyphens and other
punctuation split words. Lower-cased unless asked otherwise. Also `is_degenerate`: a reply that is empty or
loops (a collapsed policy's "I'm on 1.1.1.1..." or "I'm 2.2 lbs. I'm 2.2 lbs...").
"""

from __future__ import annotations

import re
import zlib

WORD_PATTERN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def words(text: str, *, lower: bool = True) -> list[str]:
    """The words of `text`, in order."""
    return WORD_PATTERN.findall(text.lower() if lower else text)


# A reply of more than DEGENERATE_MIN_BYTES whose zlib-compressed size is under DEGENERATE_RATIO of its own
# loops. On the gold set (docs/results.md, "Halted at step 152") this flags no written reply of any kind, 0.6 % of
# the base model's sampled replies, and 29 of the 40 replies of the collapsed paper-run policy.
DEGENERATE_RATIO = 0.35
DEGENERATE_MIN_BYTES = 60


def is_degenerate(text: str) -> bool:
    """Whether a reply says nothing a reader could use: empty, or a loop (compresses below `DEGENERATE_RATIO`)."""
    data = text.strip().encode()
    if not data:
        return True
    return len(data) > DEGENERATE_MIN_BYTES and len(zlib.compress(data, 9)) < DEGENERATE_RATIO * len(data)
