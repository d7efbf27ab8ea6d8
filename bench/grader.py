"""(d) Offline grader throughput: responses graded per second on the built-in eval scenarios.

Responses: every scenario's own `reference`, another scenario's reference (off-topic but fluent), and a short
evasive reply; graded in one `grade_batch` call (as the evaluator does), timed after a warm-up batch that
builds the checks and loads the embedder.
"""

from __future__ import annotations

from bench.env import Timer

EVASIVE = "I can't help with that, but you could look it up."


def run(repeats: int = 3) -> dict:
    from traitrl.grading.offline import OfflineGrader
    from traitrl.scenarios.build import load_builtin

    scenarios = [s for s in load_builtin("eval") if s.reference]
    n = len(scenarios)
    refs = [s.reference or "" for s in scenarios]
    batch_s = scenarios * 3
    batch_r = refs + refs[1:] + refs[:1] + [EVASIVE] * n
    grader = OfflineGrader()
    grader.grade_batch(batch_s[:20], batch_r[:20])  # warm-up
    runs = []
    for _ in range(repeats):
        with Timer() as t:
            grades = grader.grade_batch(batch_s, batch_r)
        runs.append({"responses": len(grades), "seconds": round(t.seconds, 3),
                     "per_s": round(len(grades) / t.seconds, 1), "load1": t.load})
    best = sorted(r["per_s"] for r in runs)[len(runs) // 2]
    return {"setup": {"scenarios": n, "responses_per_batch": len(batch_r)}, "runs": runs,
            "responses_per_s": best, "goal": ">= 200 responses/s", "met": best >= 200}
