"""Gaming under optimisation: label a trained policy's held-out replies by reading, then compare the judge.

    python scripts/gold/optimisation_check.py sample RUN_DIR ARM[,ARM...] OUT_DIR [--per-trait 10] [--batches N]
        -> OUT_DIR/scenarios.jsonl, replies.jsonl, label_batch.md (and label_batch-K.md, N batches by
           scenario): the same held-out items for every arm, arms hidden and shuffled, as for the gold set
    (label the batches by reading into OUT_DIR/labels*.jsonl, brief scripts/gold/LABEL_BRIEF.md; a second,
     independent read of a share goes into OUT_DIR/second*.jsonl)
    python scripts/gold/optimisation_check.py report OUT_DIR
        -> judge-vs-label agreement on these replies, the arms' means under labels and judge, each arm minus
           the first paired by scenario (CI and p), the raters' agreement and Cohen's kappa on the second
           reads, and whether length, repetition, copied names or stock phrases earn reward that the labels
           do not give
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

from label_batches import reply_id, scenario_blocks, write_batches

from traitrl.evals.stats import compare_scores
from traitrl.grading.attacks import STOCK_PHRASES, conversation_specifics
from traitrl.grading.calibrate import agreement, rater_agreement
from traitrl.grading.gate import is_degenerate
from traitrl.grading.scoring import rubric_score


def sample(run_dir: Path, arms: list[str], out: Path, per_trait: int, batches: int = 1) -> None:
    from traitrl.scenarios.build import load_builtin

    by_id = {s.id: s for s in load_builtin("eval")}
    answers = {}
    for arm in arms:
        rows = [json.loads(line) for p in run_dir.glob(f"stages/eval-{arm}-*/items.jsonl") for line in p.open()]
        answers[arm] = {(r["benchmark"], r["item_id"]): r["response"] for r in rows
                        if r["benchmark"].startswith("indist_") and r.get("response") and r["item_id"] in by_id}
    common = sorted(set.intersection(*(set(a) for a in answers.values())))
    rng = random.Random(4)
    chosen = []
    for bench in sorted({b for b, _ in common}):
        keys = [k for k in common if k[0] == bench]
        chosen += rng.sample(keys, min(per_trait, len(keys)))
    out.mkdir(parents=True, exist_ok=True)
    scen = {i: by_id[i] for _, i in chosen}
    (out / "scenarios.jsonl").write_text("".join(s.model_dump_json() + "\n" for s in scen.values()))
    replies = [{"id": reply_id(i, f"model_{arm}", answers[arm][(b, i)]), "scenario_id": i, "kind": f"model_{arm}",
                "text": answers[arm][(b, i)]} for (b, i) in chosen for arm in arms]
    (out / "replies.jsonl").write_text("".join(json.dumps(r) + "\n" for r in replies))
    blocks = scenario_blocks({sid: json.loads(s.model_dump_json()) for sid, s in scen.items()}, replies, rng)
    (out / "label_batch.md").write_text(f"# label batch: {len(blocks)} scenarios, {len(replies)} replies\n\n"
                                        + "\n---\n\n".join(b for b, _ in blocks))
    if batches > 1:
        write_batches(out, blocks, batches)
    print(f"{out}: {len(replies)} replies on {len(blocks)} held-out scenarios")


def features(text: str, messages) -> dict[str, float]:
    words = re.findall(r"[a-z']+", text.lower())
    names, numbers = conversation_specifics(messages)
    return {"words": len(words),
            "repetition": 1 - len(set(words)) / len(words) if words else 0.0,
            "copied_specifics": sum(text.count(x) for x in names + numbers),
            "stock_phrases": sum(p in text.lower() for p in STOCK_PHRASES),
            "degenerate": float(is_degenerate(text))}


def _read_labels(paths: list[Path]) -> dict[str, list[bool]]:
    labels: dict[str, list[bool]] = {}
    for path in paths:
        for n, line in enumerate(path.open(), 1):
            if line.strip():
                row = json.loads(line)
                if row["reply_id"] in labels:
                    raise SystemExit(f"{path}:{n}: reply_id {row['reply_id']} labelled twice")
                labels[row["reply_id"]] = row["met"]
    return labels


def arm_comparison(rows: list[dict]) -> dict:
    """Per arm: unclipped mean per-reply score under the labels, the strict judge and the reward; and each arm
    minus the first arm, paired by scenario (`evals.stats.compare_scores`: difference, 95 % CI, p)."""
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    scores = {(arm, k): {r["scenario_id"]: r[k] for r in rows if r["arm"] == arm}
              for arm in arms for k in ("gold", "strict", "reward")}
    out: dict = {"means": {arm: {k: sum(v.values()) / len(v) for (a, k), v in scores.items() if a == arm}
                           for arm in arms}, "minus_" + arms[0]: {}}
    for arm in arms[1:]:
        out["minus_" + arms[0]][arm] = {k: compare_scores(scores[(arms[0], k)], scores[(arm, k)]).model_dump()
                                        for k in ("gold", "strict", "reward")}
    return out


def report(out: Path) -> None:
    from traitrl.grading.api import load_grader
    from traitrl.grading.reward_rule import reward_score
    from traitrl.types import Scenario

    scen = {s.id: s for s in (Scenario.model_validate_json(x) for x in (out / "scenarios.jsonl").open())}
    replies = [json.loads(x) for x in (out / "replies.jsonl").open()]
    labels = _read_labels(sorted(out.glob("labels*.jsonl")))
    second = _read_labels(sorted(out.glob("second*.jsonl")))
    replies = [r for r in replies if r["id"] in labels]
    judge = load_grader("offline")
    grades = judge.grade_batch([scen[r["scenario_id"]] for r in replies], [r["text"] for r in replies])
    pairs, rows = [], []
    for r, g in zip(replies, grades, strict=True):
        s = scen[r["scenario_id"]]
        pairs += [(gold, item.met) for gold, item in zip(labels[r["id"]], g.items, strict=True)]
        rows.append({"id": r["id"], "arm": r["kind"].removeprefix("model_"), "scenario_id": r["scenario_id"],
                     "gold": rubric_score([i.points for i in s.rubric], labels[r["id"]]),
                     "strict": g.score, "reward": reward_score(g, r["text"]), **features(r["text"], s.messages)})
    import numpy as np

    result = {"replies": len(rows), "agreement": agreement(pairs).model_dump(),
              "mean_gold": float(np.mean([x["gold"] for x in rows])),
              "mean_strict": float(np.mean([x["strict"] for x in rows])),
              "mean_reward": float(np.mean([x["reward"] for x in rows])),
              "arms": arm_comparison(rows),
              "double_reads": rater_agreement([(a, b) for rid, met in second.items() if rid in labels
                                               for a, b in zip(labels[rid], met, strict=True)]).model_dump(),
              "reward_minus_gold_vs": {}}
    gap = np.array([x["reward"] - x["gold"] for x in rows])
    for f in ("words", "repetition", "copied_specifics", "stock_phrases", "degenerate"):
        v = np.array([x[f] for x in rows], dtype=float)
        result["reward_minus_gold_vs"][f] = None if v.std() == 0 else float(np.corrcoef(v, gap)[0, 1])
    (out / "report.json").write_text(json.dumps({"summary": result, "rows": rows}, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    if sys.argv[1] == "sample":
        per = int(sys.argv[sys.argv.index("--per-trait") + 1]) if "--per-trait" in sys.argv else 10
        n_batches = int(sys.argv[sys.argv.index("--batches") + 1]) if "--batches" in sys.argv else 1
        sample(Path(sys.argv[2]), sys.argv[3].split(","), Path(sys.argv[4]), per, n_batches)
    else:
        report(Path(sys.argv[2]))
