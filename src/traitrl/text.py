"""Words of a text: the one word tokenizer that counts, overlaps and lexical checks share.

A word is a run of letters or digits, with inner apostrophes kept (`don't`, `user’s`); hyphens and other
punctuation split words. Lower-cased unless asked otherwise.
"""

from __future__ import annotations

import re

WORD_PATTERN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def words(text: str, *, lower: bool = True) -> list[str]:
    """The words of `text`, in order."""
    return WORD_PATTERN.findall(text.lower() if lower else text)
