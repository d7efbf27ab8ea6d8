"""Partial credit for one rubric item: how much of its check the response satisfied, in [0, 1].

Binary verdicts are right for evaluation, but as an RL reward for a small model they are mostly 0: an item
such as "calibrated language AND names the claimant AND mentions the titration" is rarely met whole, so
every completion in a GRPO group scores the same and nothing is learned (DESIGN.md's pilot). The reward
therefore grades each positive item by the fraction of its `all` requirements met, recursively:

- `all`: mean of the children's credit;
- `any`: the best child's credit;
- every other kind (leaves, and `not`, whose meaning is binary): 1.0 if the strict check is met, else 0.0.

A response that meets the item strictly always gets credit 1.0, so partial credit only adds signal below
the strict bar; negative items stay binary (a penalty applies whole or not at all).
"""

from __future__ import annotations

import json
from typing import Any

from traitrl.scenarios.schema import CheckSpec, Message


def _as_dict(spec: CheckSpec | dict[str, Any]) -> dict[str, Any]:
    return spec.model_dump(mode="json") if isinstance(spec, CheckSpec) else spec


def item_credit(spec: CheckSpec | dict[str, Any], response: str, conversation: list[Message]) -> float:
    """Credit in [0, 1] of `spec` on `response` (see the module docstring)."""
    from traitrl.grading.offline import _compiled

    d = _as_dict(spec)
    kind = d["kind"]
    children = d.get("args", {}).get("checks")
    if kind == "all" and children:
        return sum(item_credit(c, response, conversation) for c in children) / len(children)
    if kind == "any" and children:
        return max(item_credit(c, response, conversation) for c in children)
    met, _ = _compiled(json.dumps(d, sort_keys=True))(response, conversation)
    return 1.0 if met else 0.0
