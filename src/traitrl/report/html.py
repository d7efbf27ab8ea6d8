"""Render an experiment's `results.json` into one self-contained `report.html` and a short `summary.md`.

Jinja with autoescape: model text only ever reaches the page as a variable, so a response carrying
`<script>` shows as text. Figures are inline base64 PNGs; nothing is loaded from a CDN.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from traitrl.files import atomic_write_text
from traitrl.report import figures
from traitrl.report.paper_table import VERDICT_RULE, paper_rows
from traitrl.report.summary import headline_lines, render_summary
from traitrl.results import Results


def fmt(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def fmt_ci(ci: Any) -> str:
    if not ci or any(x is None for x in ci):
        return ""
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def _benchmark_rows(results: Results) -> list[dict]:
    ids: dict[str, dict] = {}
    for arm, a in results.arms.items():
        for b, score in a.suite.items():
            row = ids.setdefault(b, {"id": b, "category": score.category, "n": score.n, "scores": {}})
            row["scores"][arm] = score.model_dump()
    return sorted(ids.values(), key=lambda r: (r["category"], r["id"]))


def _figures(results: Results, rows: list[dict]) -> dict[str, Any]:
    categories = {r["id"]: r["category"] for r in rows}
    out: dict[str, Any] = {"learning": figures.learning_curves(results.arms), "forest": {}}
    for arm, c in results.compare.items():
        out["forest"][arm] = figures.forest_plot(c.per_benchmark, categories, f"{arm} − baseline")
    persona = results.persistence.persona
    out["persona"] = figures.grouped_bars(
        {p: {a: math.nan if r.degradation is None else r.degradation for a, r in arms.items()}
         for p, arms in persona.items()}, "degradation under persona prompts (before − after)", "degradation")
    finetune = results.persistence.finetune
    out["finetune"] = figures.dose_curves(finetune.get("curves", {}), "score") if finetune else None
    steering = results.persistence.steering
    out["steering"] = figures.steering_curves(steering) if steering else None
    out["refusal"] = figures.grouped_bars({"refusal rate": results.refusal}, "refusal rate on the suite",
                                          "fraction refused") if results.refusal else None
    panels = results.transfer.panels
    out["transfer"] = figures.grouped_bars(panels, "domain transfer: held-out trait score", "score") if panels else None
    return out


def build_report(results: Results | dict[str, Any], out_dir: Path) -> Path:
    """Write report.html and summary.md into `out_dir`; return the report path. A mapping is validated as
    `Results` first (unknown or mistyped keys are refused)."""
    if not isinstance(results, Results):
        results = Results.model_validate(results)
    env = Environment(loader=PackageLoader("traitrl.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    rows = _benchmark_rows(results)
    training_rows = [(a, v.training.summary.model_dump()) for a, v in results.arms.items() if v.training]
    persona = {p: {a: r.model_dump() for a, r in arms.items()} for p, arms in results.persistence.persona.items()}
    selective = results.selective_persistence.model_dump() if results.selective_persistence else None
    html = env.get_template("report.html.j2").render(
        name=results.name, config=results.config, git_revision=results.git_revision,
        created=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        headlines=headline_lines(results), figures=_figures(results, rows), training_rows=training_rows,
        benchmark_rows=rows, arm_names=list(results.arms),
        compare={**{a: c.model_dump() for a, c in results.compare.items()},
                 **{f"{a} (pooled)": c.model_dump() for a, c in results.pooled.items()}},
        paper_rows=paper_rows(results), verdict_rule=VERDICT_RULE,
        transfer=results.transfer.model_dump(), transfer_text=results.transfer.text, persona=persona or None,
        selective=selective, approaches=results.approaches.get("text"), capability=results.capability,
        steering=results.persistence.steering.model_dump() if results.persistence.steering else None,
        samples=[x.model_dump() for x in results.samples], fmt=fmt, fmt_ci=fmt_ci,
        held_out={a: {k: h.model_dump() for k, h in v.held_out_trait.items()}
                  for a, v in results.arms.items() if v.held_out_trait})
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    atomic_write_text(path, html)
    atomic_write_text(out_dir / "summary.md", render_summary(results))
    return path
