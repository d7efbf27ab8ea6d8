"""HealthBench JSONL import and export.

A HealthBench row is `{prompt_id, prompt: [{role, content}], rubrics: [{criterion, points, tags}],
example_tags}`. Export keeps everything traitrl needs that HealthBench has no field for (trait, domain,
family, split, reference, meta and each item's offline check) under an extra `traitrl` key, so
build → export → import reproduces identical scenarios. Plain HealthBench rows (no `traitrl` key) import
with `source="healthbench"`, trait and domain read from `example_tags` like `trait:...`/`domain:...`
(defaults: human_protective_helpfulness, health) and no offline checks; their `example_tags` are kept as they
are in `meta["example_tags"]`, which export writes back as the row's `example_tags`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from traitrl.errors import InputError
from traitrl.files import atomic_write_jsonl, iter_jsonl_rows, validation_message
from traitrl.types import Scenario

DEFAULT_TRAIT = "human_protective_helpfulness"


def to_healthbench(s: Scenario) -> dict[str, Any]:
    return {
        "prompt_id": s.id,
        "prompt": [m.model_dump() for m in s.messages],
        "rubrics": [{"criterion": r.criterion, "points": r.points, "tags": list(r.tags)} for r in s.rubric],
        "example_tags": list(tags) if isinstance(tags := s.meta.get("example_tags"), list) else
        [f"trait:{s.trait}", f"domain:{s.domain}"] + [f"pressure:{p}" for p in s.pressures],
        "ideal_completions_data": {"ideal_completion": s.reference} if s.reference else None,
        "traitrl": {
            "trait": s.trait, "domain": s.domain, "pressures": s.pressures, "family": s.family,
            "split": s.split, "source": s.source, "reference": s.reference, "meta": s.meta,
            "checks": [r.check.model_dump() if r.check else None for r in s.rubric],
        },
    }


class HealthBenchItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    criterion: str
    points: float
    tags: list[str] | None = None


class HealthBenchRow(BaseModel):
    """The shape of a HealthBench row, checked before it is read (so a wrong type names its field)."""

    model_config = ConfigDict(extra="allow")

    prompt_id: str | int
    prompt: list[dict[str, Any]]
    rubrics: list[HealthBenchItem]
    example_tags: list[str] | None = None
    ideal_completions_data: dict[str, Any] | None = None
    traitrl: dict[str, Any] | None = None


def _tag(tags: list[str], prefix: str, default: str) -> str:
    return next((t.split(":", 1)[1] for t in tags if t.startswith(prefix + ":")), default)


def from_healthbench(row: dict[str, Any]) -> Scenario:
    """One HealthBench row → `Scenario` (raises pydantic `ValidationError` or `ValueError`)."""
    HealthBenchRow.model_validate(row)
    extra = row.get("traitrl") or {}
    tags = list(row.get("example_tags") or [])
    checks = extra.get("checks") or [None] * len(row["rubrics"])
    if not isinstance(checks, list) or len(checks) != len(row["rubrics"]):
        raise ValueError("traitrl.checks: expected a list as long as rubrics")
    rubric = [{**{k: r[k] for k in ("criterion", "points")}, "tags": list(r.get("tags") or []),
               **({"check": c} if c else {})} for r, c in zip(row["rubrics"], checks, strict=True)]
    ideal = (row.get("ideal_completions_data") or {}).get("ideal_completion")
    data = {
        "id": str(row["prompt_id"]),
        "trait": extra.get("trait", _tag(tags, "trait", DEFAULT_TRAIT)),
        "domain": extra.get("domain", _tag(tags, "domain", "health")),
        "pressures": extra.get("pressures", [t.split(":", 1)[1] for t in tags if t.startswith("pressure:")]),
        "family": extra.get("family", "healthbench"),
        "messages": row["prompt"],
        "rubric": rubric,
        "split": extra.get("split", "eval"),
        "source": extra.get("source", "healthbench"),
        "reference": extra.get("reference", ideal),
        "meta": extra.get("meta", {"example_tags": tags} if tags else {}),
    }
    return Scenario.model_validate(data)


def read_healthbench(path: str | Path) -> list[Scenario]:
    out: list[Scenario] = []
    for lineno, row in iter_jsonl_rows(path):
        try:
            if not isinstance(row, dict):
                raise ValueError("row is not a JSON object")
            out.append(from_healthbench(row))
        except ValidationError as e:
            field, msg = validation_message(e)
            raise InputError(msg, file=str(path), line=lineno, field=field) from None
        except KeyError as e:
            raise InputError("missing field", file=str(path), line=lineno, field=str(e.args[0])) from None
        except ValueError as e:
            raise InputError(str(e), file=str(path), line=lineno) from None
    return out


def write_healthbench(scenarios: list[Scenario], path: str | Path) -> None:
    atomic_write_jsonl(path, [to_healthbench(s) for s in scenarios])
