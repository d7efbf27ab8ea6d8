"""Composition: `all`, `any` and `not` over nested check specs (built once, at load time)."""

from __future__ import annotations

from typing import Any

from traitrl.grading.checks.registry import CheckFn, build_check, check
from traitrl.types import CheckSpec, Message


def _build_all(checks: list[CheckSpec | dict[str, Any]]) -> list[CheckFn]:
    if not checks:
        raise ValueError("checks must hold at least one nested check spec")
    return [build_check(c) for c in checks]


@check("all")
def all_of(checks: list[CheckSpec | dict[str, Any]]) -> CheckFn:
    """Met when every nested check is met; evidence from the first that fails (or all)."""
    built = _build_all(checks)

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        notes = []
        for fn in built:
            met, why = fn(response, conversation)
            if not met:
                return False, f"all: failed: {why}"
            notes.append(why)
        return True, "all: " + " | ".join(notes)

    return run


@check("any")
def any_of(checks: list[CheckSpec | dict[str, Any]]) -> CheckFn:
    """Met when at least one nested check is met."""
    built = _build_all(checks)

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        notes = []
        for fn in built:
            met, why = fn(response, conversation)
            if met:
                return True, f"any: {why}"
            notes.append(why)
        return False, "any: none met: " + " | ".join(notes)

    return run


@check("not")
def not_(check: CheckSpec | dict[str, Any]) -> CheckFn:
    """Met when the nested check is not met."""
    inner = build_check(check)

    def run(response: str, conversation: list[Message]) -> tuple[bool, str]:
        met, why = inner(response, conversation)
        return not met, f"not: {why}"

    return run
