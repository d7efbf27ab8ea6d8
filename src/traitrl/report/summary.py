"""The headline sentences and `summary.md`: results stated as measured, with CIs, nulls included."""

from __future__ import annotations

import math
from typing import Any

PAPER = ("The paper reports trait RL better than the compute-matched baseline on 44/53 benchmarks, 30 "
         "significant after Benjamini–Hochberg, 3 significant regressions, mean +9.1 points.")


def _f(x: Any, nd: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:+.{nd}f}" if isinstance(x, float) else str(x)


def headline_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    for arm, c in results.get("compare", {}).items():
        lines.append(f"{arm} beats the compute-matched baseline on {c['improved']}/{c['n_benchmarks']} "
                     f"benchmarks; {c['sig_improved']} significant after Benjamini–Hochberg; "
                     f"{c['sig_regressed']} significant regressions; mean gain {_f(c.get('mean_gain'))}.")
    return lines


def _training_lines(results: dict[str, Any]) -> list[str]:
    out = []
    for arm, a in results.get("arms", {}).items():
        s = a.get("training", {}).get("summary")
        if not s:
            continue
        out.append(f"- {arm}: mean reward {_f(s.get('reward_first'))} over the first 5 steps → "
                   f"{_f(s.get('reward_last'))} over the last 5; trait reward {_f(s.get('trait_reward_first'))} → "
                   f"{_f(s.get('trait_reward_last'))}; zero-variance groups {_f(s.get('zero_variance_mean'))}; "
                   f"held-out trait score: strict {_f(s.get('trait_eval_score'))}, expected "
                   f"{_f(s.get('trait_eval_expected'))}.")
    return out


def render_summary(results: dict[str, Any]) -> str:
    cfg = results.get("config", {})
    parts = [f"# traitrl summary: {results.get('name', 'experiment')}", "",
             f"Model `{cfg.get('model')}`, seeds {cfg.get('seeds')}, trait share {cfg.get('trait_share')}, "
             f"{cfg.get('train', {}).get('steps')} RL steps per arm.", ""]
    parts += ["## Headline", ""] + [f"- {line}" for line in headline_lines(results)]
    parts += ["", f"For reference: {PAPER} At this scale the comparison has little power; differences whose "
              "CI includes 0 are not evidence either way.", ""]
    train = _training_lines(results)
    if train:
        parts += ["## Training", ""] + train + [""]
    trait_id = results.get("trait_in_distribution")
    if trait_id:
        parts += ["## Held-out trait scenarios", "", trait_id, ""]
    persona = results.get("persistence", {}).get("persona", {})
    if persona:
        parts += ["## Persona persistence", ""]
        for p, arms in persona.items():
            for arm, r in arms.items():
                ci = r.get("ci") or [math.nan, math.nan]
                parts.append(f"- {p} / {arm}: {_f(r.get('before'))} → {_f(r.get('after'))}, degradation "
                             f"{_f(r.get('degradation'))} [{_f(ci[0])}, {_f(ci[1])}]")
        parts.append("")
    sel = results.get("selective_persistence")
    if sel:
        parts += [f"Selective persistence: **{sel.get('verdict')}** — {sel.get('explanation')}", ""]
    approaches = (results.get("approaches") or {}).get("text")
    if approaches:
        parts += ["## Trait rubrics vs constitution", "",
                  "Which approach generalised (alignment suite) and persisted (harmful personas) better; a "
                  "winner is named only when the 95% CI excludes 0.", ""]
        parts += [f"- {line}" for line in approaches] + [""]
    ft = results.get("persistence", {}).get("finetune", {})
    if ft.get("text"):
        parts += ["## Harmful fine-tuning", "", ft["text"], ""]
    if results.get("notes"):
        parts += ["## Notes", ""] + [f"- {n}" for n in results["notes"]] + [""]
    return "\n".join(parts)
