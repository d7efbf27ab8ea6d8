"""(d) Offline grader throughput: gold replies graded per second by the learned judge (the default grader).

Two sets, each graded in one `grade_batch` call as the evaluator and the reward do, after a warm-up batch that
loads the weights: every third gold reply of the test split (about 1,000 of its 3,040, 12 to 380 words, 4-6
criteria each; all of them took 5 minutes a pass for the three-reader judge on the AVX2 EPYC), and the test
split's embedded-model replies (`model_base`, up to 160 tokens: the length the RL reward and the evaluation
grade). The rubric-check grader runs on the first set as a peer (it cannot grade the written scenarios' items,
which have no checks, so it is fast for the wrong reason: the ratio is context, not a goal).
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
    test = [r for r in gold.replies.values() if gold.split_of(r.scenario_id) == "test"]
    sets = {"test_replies": test[::3], "policy_replies": [r for r in test if r.kind.startswith("model_")]}
    judge, out = load_grader("offline"), {}
    for name, chosen in sets.items():
        scenarios, replies = [gold.scenarios[r.scenario_id] for r in chosen], [r.text for r in chosen]
        runs = _rate(judge, scenarios, replies, repeats)
        out[name] = {"replies": len(replies), "words_mean": round(sum(len(t.split()) for t in replies) / len(replies)),
                     "criteria_per_reply": round(sum(len(s.rubric) for s in scenarios) / len(scenarios), 2),
                     "runs": runs, "per_s": sorted(r["per_s"] for r in runs)[len(runs) // 2]}
    scenarios, replies = [gold.scenarios[r.scenario_id] for r in test], [r.text for r in test]
    checks = _rate(load_grader("checks"), scenarios, replies, 1)
    best = min(v["per_s"] for v in out.values())
    return {"sets": out, "checks_peer": checks, "responses_per_s": best,
            "goal": f">= {GOAL:.0f} replies/s on both sets (learned judge)", "met": best >= GOAL}
