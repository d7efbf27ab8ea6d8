"""Matplotlib figures for the report, each returned as a base64 PNG so the HTML stays self-contained."""

from __future__ import annotations

import base64
import io
import math
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from traitrl.results import ArmResult, BenchmarkDiff, SteeringResults  # noqa: E402

CATEGORY_COLORS = {
    "deception_honesty": "#1f77b4", "sycophancy": "#ff7f0e", "reward_hacking": "#2ca02c",
    "corrigibility_power": "#d62728", "harmful_compliance": "#9467bd", "health": "#8c564b",
    "mental_health": "#e377c2", "fairness_bias": "#7f7f7f", "misalignment_spec": "#bcbd22",
    "agentic_misalignment": "#17becf", "in_distribution": "#000000", "capability": "#aaaaaa",
}


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def learning_curves(arms: dict[str, ArmResult]) -> str | None:
    """Reward, trait reward and zero-variance fraction per step, one line per RL arm."""
    series = {a: v.training.metrics if v.training else [] for a, v in arms.items()}
    series = {a: m for a, m in series.items() if m}
    if not series:
        return None
    keys = [("reward", "mean reward"), ("trait_reward", "trait reward (rubric score)"),
            ("zero_variance_fraction", "zero-variance group fraction")]
    probes = {a: v.training.probe for a, v in arms.items() if v.training and v.training.probe}
    probe_keys = [("strict", "held-out probe, strict score"), ("strict_raw", "held-out probe, unclipped mean"),
                  ("reward_raw", "held-out probe, training reward"), ("degenerate", "held-out probe, loops/empty")]
    probe_names = {k for k, _ in probe_keys}
    if probes:  # the held-out learning curve (experiments/probe.py); unclipped: it moves while strict is at 0
        keys += [k for k in probe_keys if any(r.get(k[0]) is not None for rows in probes.values() for r in rows)]
    fig, axes = plt.subplots(1, len(keys), figsize=(4.4 * len(keys), 3.4))
    for ax, (key, title) in zip(axes, keys, strict=True):
        for arm, rows in (probes if key in probe_names else series).items():
            pts = [(r["step"], r[key]) for r in rows if r.get(key) is not None and not _nan(r[key])]
            if pts:
                ax.plot(*zip(*pts, strict=True), marker=".", label=arm)
        ax.set_title(title)
        ax.set_xlabel("step")
    axes[0].legend(fontsize=8)
    return _png(fig)


def forest_plot(per_benchmark: dict[str, BenchmarkDiff], categories: dict[str, str], title: str) -> str | None:
    """Per-benchmark difference with its CI, coloured by category."""
    rows = [(b, d.model_dump()) for b, d in per_benchmark.items() if d.diff is not None and not _nan(d.diff)]
    if not rows:
        return None
    rows.sort(key=lambda r: (categories.get(r[0], ""), r[1]["diff"]))
    fig, ax = plt.subplots(figsize=(8, max(3, 0.22 * len(rows) + 1)))
    for i, (b, d) in enumerate(rows):
        lo, hi = d.get("ci") or (d["diff"], d["diff"])
        color = CATEGORY_COLORS.get(categories.get(b, ""), "#333333")
        ax.plot([lo, hi], [i, i], color=color, lw=1.5)
        ax.plot(d["diff"], i, "o", color=color, ms=4)
    ax.axvline(0, color="#666", lw=0.8, ls="--")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([b for b, _ in rows], fontsize=7)
    ax.set_xlabel("difference (arm − baseline), higher is more aligned")
    ax.set_title(title)
    return _png(fig)


def grouped_bars(groups: dict[str, dict[str, float]], title: str, ylabel: str) -> str | None:
    """Bars per group (e.g. persona) and series (e.g. arm)."""
    if not groups:
        return None
    series = sorted({s for g in groups.values() for s in g})
    fig, ax = plt.subplots(figsize=(max(5, 1.6 * len(groups)), 3.4))
    width = 0.8 / max(1, len(series))
    for j, s in enumerate(series):
        xs = [i + j * width for i in range(len(groups))]
        ys = [_num(groups[g].get(s)) for g in groups]
        ax.bar(xs, ys, width=width, label=s)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(groups))])
    ax.set_xticklabels(list(groups), fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.axhline(0, color="#666", lw=0.8)
    ax.legend(fontsize=8)
    return _png(fig)


def dose_curves(curves: dict[str, dict[str, list[tuple[float, float]]]], title: str) -> str | None:
    """One panel per measure (in-domain, out-of-domain), one line per arm, x = fine-tuning steps."""
    if not curves:
        return None
    fig, axes = plt.subplots(1, len(curves), figsize=(5.5 * len(curves), 3.4), squeeze=False)
    for ax, (measure, by_arm) in zip(axes[0], curves.items(), strict=True):
        for arm, pts in by_arm.items():
            if pts:
                ax.plot(*zip(*sorted(pts), strict=True), marker="o", label=arm)
        ax.set_title(f"{title}: {measure}")
        ax.set_xlabel("harmful fine-tuning steps")
        ax.legend(fontsize=8)
    return _png(fig)


def steering_curves(steering: SteeringResults) -> str | None:
    """One panel per persona direction, one colour per arm: suite-subset score (solid) and held-out trait
    expected score (dashed) vs the steering coefficient; for a direction without a suite subset (the helpful
    control), words per held-out response on a second axis (dotted)."""
    personas = {p: v for p, v in steering.personas.items() if v.arms}
    if not personas:
        return None
    fig, axes = plt.subplots(1, len(personas), figsize=(4.6 * len(personas), 3.4), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (persona, v) in zip(axes[0], personas.items(), strict=True):
        words_ax = None if v.benchmarks else ax.twinx()
        for k, (arm, a) in enumerate(v.arms.items()):
            color = colors[k % len(colors)]
            xs = [p.coef for p in a.curve]
            if v.benchmarks:
                ax.plot(xs, [_num(p.suite) for p in a.curve], "o-", color=color, label=f"{arm} suite subset")
            ax.plot(xs, [_num(p.held_out_expected) for p in a.curve], "s--", color=color, ms=3,
                    label=f"{arm} held-out trait")
            if words_ax is not None:
                words_ax.plot(xs, [_num(p.words) for p in a.curve], "^:", color=color, label=f"{arm} words")
        if words_ax is not None:
            words_ax.set_ylabel("words per response")
        direction = steering.directions.get(persona)
        auroc = "n/a" if direction is None or direction.auroc is None else f"{direction.auroc:.2f}"
        ax.set_title(f"{persona} @ layer {v.layer} (AUROC {auroc})", fontsize=9)
        ax.set_xlabel("steering coefficient")
        ax.set_ylabel("score")
        ax.legend(fontsize=7)
    return _png(fig)


def _num(x: Any) -> float:
    return math.nan if x is None else float(x)


def _nan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)
