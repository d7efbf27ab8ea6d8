"""Offline check primitives: `build_check(spec)` returns `(response, conversation) -> (met, evidence)`.

Kinds: lexicon, phrases, regex, contradicts, asks_question, stated_confidence, invented_citation,
unsupported_number, word_count, bullet_count, numbered_steps, similar_to, all, any, not.
"""

from traitrl.grading.checks.registry import CheckFn, build_check, check, check_kinds

__all__ = ["CheckFn", "build_check", "check", "check_kinds"]
