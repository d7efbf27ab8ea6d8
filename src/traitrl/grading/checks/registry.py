"""Check registry: a check `kind` maps to a factory that returns `(response, conversation) -> (met, evidence)`.

A factory is registered with `@check("kind")`; `build_check(spec)` validates the arguments against the
factory's signature once, at load time, and raises `InputError` naming the kind (and the nearest kind when
the name is unknown), so a bad rubric fails before grading starts, never mid-run.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from typing import Any

from traitrl.errors import InputError
from traitrl.types import CheckSpec, Message

CheckFn = Callable[[str, list[Message]], tuple[bool, str]]
Factory = Callable[..., CheckFn]

_REGISTRY: dict[str, Factory] = {}


def check(kind: str) -> Callable[[Factory], Factory]:
    """Register a check factory under `kind`."""

    def register(factory: Factory) -> Factory:
        if kind in _REGISTRY:
            raise ValueError(f"check kind {kind!r} registered twice")
        _REGISTRY[kind] = factory
        return factory

    return register


def check_kinds() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def nearest(name: str, choices: list[str]) -> str:
    """' (did you mean X?)' for the closest choice, or ''."""
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def build_check(spec: CheckSpec | dict[str, Any]) -> CheckFn:
    """Build a check function from a spec; bad kinds or arguments raise InputError."""
    _load_builtins()
    if isinstance(spec, dict):
        try:
            spec = CheckSpec.model_validate(spec)
        except Exception as e:  # pydantic ValidationError
            raise InputError(f"invalid check spec {spec!r}: {e}", field="check") from None
    factory = _REGISTRY.get(spec.kind)
    if factory is None:
        raise InputError(f"unknown check kind {spec.kind!r}{nearest(spec.kind, list(_REGISTRY))}",
                         field="check.kind")
    params = inspect.signature(factory).parameters
    for key in spec.args:
        if key not in params:
            raise InputError(f"check {spec.kind!r}: unknown argument {key!r}{nearest(key, list(params))}; "
                             f"accepted: {', '.join(params) or 'none'}", field="check.args")
    try:
        inspect.signature(factory).bind(**spec.args)
        return factory(**spec.args)
    except InputError:
        raise
    except (TypeError, ValueError) as e:
        raise InputError(f"check {spec.kind!r}: bad arguments ({e})", field="check.args") from None


def check_args_error(kind: str, message: str) -> InputError:
    """An InputError for a factory that rejects its arguments."""
    return InputError(f"check {kind!r}: {message}", field="check.args")


_LOADED = False


def _load_builtins() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from traitrl.grading.checks import (  # noqa: F401  (registration side effects)
        citations,
        compose,
        epistemic,
        format,
        lexicons,
        semantic,
        text,
    )
