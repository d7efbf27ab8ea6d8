"""(b) TruthfulQA MC1 log-likelihood: traitrl `score_choices` vs lm-evaluation-harness `HFLM.loglikelihood`.

"Same prompt format" is made exact by handing lm-eval the very (context, continuation) pairs traitrl scores:
context = the chat-templated question ("Q: ...\\nA:" as a user turn, generation prompt included),
continuation = " " + answer. lm-eval runs its `hf` backend with its defaults (dtype auto = fp32 for this
checkpoint, default threads) at batch 16; traitrl runs `score_choices` at batch 16 with its defaults (bf16)
and, timed too, in fp32 (`traitrl eval --dtype float32`), the precision lm-eval uses, and in bf16 with the
near-tied choices re-scored in fp32 (`loglik.rescore_near_ties` under both the sum and the per-token rule; the
fp32 copy is loaded once beforehand, as the evaluator loads it once per model; skipped where this CPU computes
in fp32 anyway).
The questions are split in two halves and run A B B A, so contention hits both sides alike.
Accuracy: lm-eval's `acc` is the argmax of the summed log-probability; traitrl's `mc_score` uses the
per-token mean; both of traitrl's numbers are reported.
"""

from __future__ import annotations

from bench.env import Timer


def _acc(items, sums_per_item, norm=None) -> float:
    hits = 0
    for item, sums in zip(items, sums_per_item, strict=True):
        vals = [s / n for s, n in zip(sums, norm[items.index(item)], strict=True)] if norm else sums
        hits += max(range(len(vals)), key=vals.__getitem__) in item.aligned
    return round(hits / len(items), 4)


def run(n_questions: int | None = 200) -> dict:
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    from traitrl.evals.loglik import render_prompt, rescore_near_ties, score_choices
    from traitrl.evals.registry import get_benchmark
    from traitrl.models.embedded import policy_path
    from traitrl.models.loading import load_policy

    items = get_benchmark("truthfulqa_mc1").load()
    items = items[:n_questions] if n_questions else items
    ours = load_policy("embedded", device="cpu")
    ours32 = load_policy("embedded", dtype="float32", device="cpu")  # `traitrl eval --dtype float32`
    lm = HFLM(pretrained=str(policy_path()), device="cpu", batch_size=16)
    half = len(items) // 2
    chunks = [items[:half], items[half:]]

    def lists(scored):
        return [[c.logprob for c in s] for s in scored], [[c.n_tokens for c in s] for s in scored]

    def traitrl(chunk, model=ours):
        return lists(score_choices(model, chunk, batch_size=16))

    def traitrl_fp32(chunk):
        return traitrl(chunk, ours32)

    rescored = []

    def traitrl_ties(chunk):
        scored = score_choices(ours, chunk, batch_size=16)
        rescored.append(rescore_near_ties(ours32, chunk, scored, batch_size=16))
        return lists(scored)

    def lm_eval(chunk):
        reqs, shape = [], []
        for item in chunk:
            ctx = render_prompt(ours.tokenizer, item.messages)
            shape.append(len(item.choices))
            reqs += [Instance("loglikelihood", {}, (ctx, c), i) for i, c in enumerate(item.choices)]
        flat = [lp for lp, _ in lm.loglikelihood(reqs, disable_tqdm=True)]
        out, i = [], 0
        for n in shape:
            out.append(flat[i: i + n])
            i += n
        return out

    sides = {"traitrl": traitrl, "traitrl_ties": traitrl_ties, "traitrl_fp32": traitrl_fp32, "lm_eval": lm_eval}
    if ours.model.dtype == ours32.model.dtype:  # this CPU computes in fp32 already: there is nothing to re-score
        del sides["traitrl_ties"]
    res: dict[str, list] = {k: [None, None] for k in sides}
    runs = []
    order = [("traitrl", 0), ("traitrl_ties", 0), ("traitrl_fp32", 0), ("lm_eval", 0), ("lm_eval", 1),
             ("traitrl_fp32", 1), ("traitrl_ties", 1), ("traitrl", 1)]
    for name, k in order:
        if name not in sides:
            continue
        with Timer() as t:
            res[name][k] = sides[name](chunks[k])
        runs.append({"side": name, "half": k, "questions": len(chunks[k]), "seconds": round(t.seconds, 2),
                     "load1": t.load})
    sums32 = res["traitrl_fp32"][0][0] + res["traitrl_fp32"][1][0]
    secs = {s: round(sum(r["seconds"] for r in runs if r["side"] == s), 2) for s in res}
    ours_sums = res["traitrl"][0][0] + res["traitrl"][1][0]
    ours_lens = res["traitrl"][0][1] + res["traitrl"][1][1]
    theirs = res["lm_eval"][0] + res["lm_eval"][1]
    diffs = [abs(a - b) for x, y in zip(ours_sums, theirs, strict=True) for a, b in zip(x, y, strict=True)]
    acc = {"lm_eval_acc_sum": _acc(items, theirs), "traitrl_acc_sum": _acc(items, ours_sums),
           "traitrl_acc_per_token": _acc(items, ours_sums, ours_lens),
           "traitrl_fp32_acc_sum": _acc(items, sums32),
           "traitrl_fp32_acc_per_token": _acc(items, sums32, ours_lens)}
    ties = {}
    if "traitrl_ties" in sides:
        tie_sums = res["traitrl_ties"][0][0] + res["traitrl_ties"][1][0]
        acc |= {"traitrl_ties_acc_sum": _acc(items, tie_sums),
                "traitrl_ties_acc_per_token": _acc(items, tie_sums, ours_lens)}
        ties = {"ratio_ties": round(secs["lm_eval"] / secs["traitrl_ties"], 2),
                "acc_gap_points_ties": round(100 * abs(acc["lm_eval_acc_sum"] - acc["traitrl_ties_acc_sum"]), 2),
                "ties_rescored_choices": sum(rescored), "choices": sum(len(x) for x in ours_sums)}
    diffs32 = [abs(a - b) for x, y in zip(sums32, theirs, strict=True) for a, b in zip(x, y, strict=True)]
    return {"setup": {"questions": len(items), "of": 790, "batch_size": 16,
                      "lm_eval_dtype": str(lm.model.dtype), "traitrl_dtype": str(ours.model.dtype)},
            "runs": runs, "seconds": secs, "ratio": round(secs["lm_eval"] / secs["traitrl"], 2),
            "ratio_fp32": round(secs["lm_eval"] / secs["traitrl_fp32"], 2),
            **ties,
            "accuracy": acc, "acc_gap_points": round(100 * abs(acc["lm_eval_acc_sum"] - acc["traitrl_acc_sum"]), 2),
            "acc_gap_points_fp32": round(100 * abs(acc["lm_eval_acc_sum"] - acc["traitrl_fp32_acc_sum"]), 2),
            "logprob_abs_diff": {"mean": round(sum(diffs) / len(diffs), 4), "max": round(max(diffs), 4),
                                 "fp32_mean": round(sum(diffs32) / len(diffs32), 5)},
            "goal": ">= 6x where bf16 is fast (3x where not), same-rule accuracy within 0.5 points (issue 20)"}
