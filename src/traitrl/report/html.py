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
from traitrl.report.summary import headline_lines, render_summary


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


def _benchmark_rows(arms: dict[str, Any]) -> list[dict]:
    ids: dict[str, dict] = {}
    for arm, a in arms.items():
        for b, s in a.get("suite", {}).items():
            row = ids.setdefault(b, {"id": b, "category": s.get("category", ""), "n": s.get("n"), "scores": {}})
            row["scores"][arm] = s
    return sorted(ids.values(), key=lambda r: (r["category"], r["id"]))


def _figures(results: dict[str, Any], rows: list[dict]) -> dict[str, Any]:
    categories = {r["id"]: r["category"] for r in rows}
    out: dict[str, Any] = {"learning": figures.learning_curves(results.get("arms", {})), "forest": {}}
    for arm, c in results.get("compare", {}).items():
        out["forest"][arm] = figures.forest_plot(c.get("per_benchmark", {}), categories, f"{arm} − baseline")
    persona = results.get("persistence", {}).get("persona", {})
    out["persona"] = figures.grouped_bars(
        {p: {a: r.get("degradation", math.nan) for a, r in arms.items()} for p, arms in persona.items()},
        "degradation under persona prompts (before − after)", "degradation")
    finetune = results.get("persistence", {}).get("finetune", {})
    out["finetune"] = figures.dose_curves(finetune.get("curves", {}), "score") if finetune else None
    refusal = results.get("refusal", {})
    out["refusal"] = figures.grouped_bars({"refusal rate": refusal}, "refusal rate on the suite",
                                          "fraction refused") if refusal else None
    transfer = results.get("transfer", {})
    out["transfer"] = figures.grouped_bars(transfer.get("panels", {}), "domain transfer: held-out trait score",
                                           "score") if transfer.get("panels") else None
    return out


def build_report(results: dict[str, Any], out_dir: Path) -> Path:
    """Write report.html and summary.md into `out_dir`; return the report path."""
    env = Environment(loader=PackageLoader("traitrl.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    rows = _benchmark_rows(results.get("arms", {}))
    arm_names = list(results.get("arms", {}))
    training_rows = [(a, v["training"]["summary"]) for a, v in results.get("arms", {}).items()
                     if v.get("training", {}).get("summary")]
    html = env.get_template("report.html.j2").render(
        name=results.get("name", "experiment"), config=results.get("config", {}),
        git_revision=results.get("git_revision", "unknown"),
        created=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        headlines=headline_lines(results), figures=_figures(results, rows), training_rows=training_rows,
        benchmark_rows=rows, arm_names=arm_names, compare=results.get("compare", {}),
        transfer=results.get("transfer"), transfer_text=results.get("transfer", {}).get("text", ""),
        persona=results.get("persistence", {}).get("persona"), selective=results.get("selective_persistence"),
        approaches=(results.get("approaches") or {}).get("text"),
        capability=results.get("capability"), samples=results.get("samples", []), fmt=fmt, fmt_ci=fmt_ci,
        held_out={a: v["held_out_trait"] for a, v in results.get("arms", {}).items() if v.get("held_out_trait")})
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    atomic_write_text(path, html)
    atomic_write_text(out_dir / "summary.md", render_summary(results))
    return path
