"""(d) Offline grader throughput: gold replies graded per second by the learned judge (the default grader).

Replies: every gold reply of the test split (excellent to phrase salad, 4-6 criteria each), graded in one
`grade_batch` call as the evaluator and the reward do, after a warm-up batch that loads the weights. The
rubric-check grader runs on the same replies as a peer (it cannot grade the written scenarios' items, which
have no checks, so it is fast for the wrong reason: the ratio is context, not a goal).
"""

from __future__ import annotations

from bench.env import Timer

GOAL = 50.0


def _rate(grader, scenarios, replies, repeats: int) -> list[dict]:
    grader.grade_batch(scenarios[:16], replies[:16])  # warm-up
    runs = []
    for _ in range(repeats):
        with Timer() as t:
            grades = grader.grade_batch(scenarios, replies)
        runs.append({"replies": len(grades), "seconds": round(t.seconds, 3),
                     "per_s": round(len(grades) / t.seconds, 1), "load1": t.load})
    return runs


def run(repeats: int = 3) -> dict:
    from traitrl.grading.api import load_grader
    from traitrl.grading.gold import load_gold

    gold = load_gold()
    rows = [(gold.scenarios[r.scenario_id], r.text) for r in gold.replies.values()
            if gold.split_of(r.scenario_id) == "test"]
    scenarios, replies = [s for s, _ in rows], [t for _, t in rows]
    judge = _rate(load_grader("offline"), scenarios, replies, repeats)
    checks = _rate(load_grader("checks"), scenarios, replies, 1)
    best = sorted(r["per_s"] for r in judge)[len(judge) // 2]
    items = sum(len(s.rubric) for s in scenarios) / len(scenarios)
    return {"setup": {"replies": len(replies), "criteria_per_reply": round(items, 2)}, "runs": judge,
            "checks_peer": checks, "responses_per_s": best, "goal": f">= {GOAL:.0f} replies/s (learned judge)",
            "met": best >= GOAL}
