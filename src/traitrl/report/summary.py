"""The headline sentences and `summary.md`: results stated as measured, with CIs, nulls included."""

from __future__ import annotations

import math
from typing import Any

from traitrl.report.paper_table import VERDICT_RULE, render_paper_table
from traitrl.results import Results

PAPER = ("The paper reports trait RL better than the compute-matched baseline on 44/53 benchmarks, 30 "
         "significant after Benjamini–Hochberg, 3 significant regressions, mean +9.1 points.")


def _f(x: Any, nd: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:+.{nd}f}" if isinstance(x, float) else str(x)


def headline_lines(results: Results) -> list[str]:
    """One line per model against the baseline of its seed, then one per arm pooled over its seeds."""
    lines = [f"{arm} beats the compute-matched baseline on {c.improved}/{c.n_benchmarks} benchmarks; "
             f"{c.sig_improved} significant after Benjamini–Hochberg; {c.sig_regressed} significant regressions; "
             f"mean gain {_f(c.mean_gain)}." for arm, c in results.compare.items()]
    for arm, c in results.pooled.items():
        agree = [b.seeds_agree for b in c.per_benchmark.values() if b.seeds_agree is not None]
        lines.append(f"{arm}, pooled over seeds {', '.join(map(str, c.seeds))} (item scores averaged over seeds): "
                     f"better on {c.improved}/{c.n_benchmarks} benchmarks; {c.sig_improved} significant after "
                     f"Benjamini–Hochberg; {c.sig_regressed} significant regressions; mean gain "
                     f"{_f(c.mean_gain)}; every seed has the pooled sign on {agree.count(len(c.seeds))}/"
                     f"{len(agree)} benchmarks.")
    return lines


def _training_lines(results: Results) -> list[str]:
    out = []
    for arm, a in results.arms.items():
        if a.training is None:
            continue
        s = a.training.summary
        out.append(f"- {arm}: mean reward {_f(s.reward_first)} over the first 5 steps → {_f(s.reward_last)} over "
                   f"the last 5; trait reward {_f(s.trait_reward_first)} → {_f(s.trait_reward_last)}; zero-variance "
                   f"groups {_f(s.zero_variance_mean)}; held-out trait score: strict {_f(s.trait_eval_score)}, "
                   f"expected {_f(s.trait_eval_expected)}.")
        if a.training.probe:
            p = a.training.probe
            out[-1] += (f" Held-out probe ({p[0]['n']} scenarios), strict (unclipped mean; training reward; share "
                        "of degenerate replies): " + ", ".join(
                            f"step {r['step']} {_f(r['strict'])} ({_f(r.get('strict_raw'))}; "
                            f"{_f(r.get('reward_raw'))}; {_f(r.get('degenerate'), 2)})" for r in p) + ".")
    return out


def render_summary(results: Results) -> str:
    cfg = results.config
    parts = [f"# traitrl summary: {results.name}", "",
             f"Model `{cfg.get('model')}`, seeds {cfg.get('seeds')}, trait share {cfg.get('trait_share')}, "
             f"{cfg.get('train', {}).get('steps')} RL steps per arm.", ""]
    parts += ["## Headline", ""] + [f"- {line}" for line in headline_lines(results)]
    parts += ["", f"For reference: {PAPER} At this scale the comparison has little power; differences whose "
              "CI includes 0 are not evidence either way.", ""]
    parts += ["## In the paper's shape", "", VERDICT_RULE, "", render_paper_table(results), ""]
    train = _training_lines(results)
    if train:
        parts += ["## Training", ""] + train + [""]
    if results.trait_in_distribution:
        parts += ["## Held-out trait scenarios", "", results.trait_in_distribution, ""]
    if results.persistence.persona:
        parts += ["## Persona persistence", ""]
        for p, arms in results.persistence.persona.items():
            for arm, r in arms.items():
                ci = r.ci or [math.nan, math.nan]
                parts.append(f"- {p} / {arm}: {_f(r.before)} → {_f(r.after)}, degradation {_f(r.degradation)} "
                             f"[{_f(ci[0])}, {_f(ci[1])}]")
        parts.append("")
    sel = results.selective_persistence
    if sel:
        parts += [f"Selective persistence: **{sel.verdict}** — {sel.explanation}", ""]
    approaches = results.approaches.get("text")
    if approaches:
        parts += ["## Trait rubrics vs constitution", "",
                  "Which approach generalised (alignment suite) and persisted (harmful personas) better; a "
                  "winner is named only when the 95% CI excludes 0.", ""]
        parts += [f"- {line}" for line in approaches] + [""]
    ft = results.persistence.finetune
    if ft.get("text"):
        parts += ["## Harmful fine-tuning", "", ft["text"], ""]
    steering = results.persistence.steering
    if steering is not None and steering.text:
        parts += ["## Activation steering", "", steering.text, "", f"Verdict: **{steering.verdict}** — "
                  f"{steering.explanation}", ""]
    if results.notes:
        parts += ["## Notes", ""] + [f"- {n}" for n in results.notes] + [""]
    return "\n".join(parts)
