"""Entry point: `python -m bench.run` (what `make bench` runs). Writes bench/results.json, prints a table.

    python -m bench.run                      # (a) generation, (b) MC log-likelihood, (c) GRPO step, (d) grader,
                                             # (g) contention
    python -m bench.run --only a,d           # a subset
    python -m bench.run --mc-questions 0     # all 790 TruthfulQA questions (default: the first 200)
    python -m bench.run --demo               # also (e) the full `traitrl demo` (tens of minutes)
    python -m bench.run --only f             # (f) evaluation prefill in row blocks vs whole (needs TRAITRL_DATA)
    python -m bench.run --only g             # (g) slowdown beside a CPU-bound process, idle vs contended

Ratios are what matter: both sides of a comparison run in this process, interleaved, so other processes'
load hits both. Every result carries the 1-minute load average it ran under.
"""

from __future__ import annotations

import argparse
import json
import time
import traceback
from pathlib import Path

from bench import env

RESULTS = Path(__file__).with_name("results.json")


def _table(res: dict) -> str:
    rows = [("comparison", "traitrl", "baseline", "ratio", "goal", "load1")]
    a, b, c, d, e, f, g = (res.get(k) or {} for k in ["a_generation", "b_loglik", "c_grpo", "d_grader", "e_demo",
                                                       "f_prefill", "g_contention"])
    if "ratio" in a:
        m = a["median_tok_s"]
        roof = a.get("roofline_fraction", {}).get("traitrl")
        model = a.get("roofline_model", {}).get("fraction", {}).get("traitrl")
        bound = f"; {model:.0%} of the {a['roofline_model']['bound']}-bound roofline" if model else ""
        rows.append(("(a) generate 32x64 tok/s", f"{m['traitrl']:.0f} ({roof:.1%} of {a.get('dtype', '')} peak{bound})",
                     f"{m['transformers_default']:.0f}", f"{a['ratio']:.2f}x", a["goal"],
                     f"{min(r['load1'] for v in a['runs'].values() for r in v)}-"
                     f"{max(r['load1'] for v in a['runs'].values() for r in v)}"))
    if "ratio" in b:
        s, acc = b["seconds"], b["accuracy"]
        rows.append((f"(b) TruthfulQA MC1 {b['setup']['questions']}q s", f"{s['traitrl']:.1f}",
                     f"{s['lm_eval']:.1f}", f"{b['ratio']:.1f}x", b["goal"].split(",")[0],
                     "-".join(str(x) for x in sorted({min(r['load1'] for r in b['runs']),
                                                     max(r['load1'] for r in b['runs'])}))))
        rows.append(("    acc (sum / per-token / fp32 sum)",
                     f"{acc['traitrl_acc_sum']:.3f} / {acc['traitrl_acc_per_token']:.3f} / "
                     f"{acc['traitrl_fp32_acc_sum']:.3f}", f"{acc['lm_eval_acc_sum']:.3f}",
                     f"gap {b['acc_gap_points']} pt", "<= 0.5 pt", ""))
        if "ratio_ties" in b:
            rows.append((f"    --tie-check ({b['ties_rescored_choices']}/{b['choices']} choices in fp32)",
                         f"{s['traitrl_ties']:.1f}", f"{s['lm_eval']:.1f}",
                         f"{b['ratio_ties']:.1f}x, gap {b['acc_gap_points_ties']} pt", ">= 6x, <= 0.5 pt", ""))
        if "ratio_fp32" in b:
            rows.append(("    --dtype float32 (lm-eval's precision)", f"{s['traitrl_fp32']:.1f}", f"{s['lm_eval']:.1f}",
                         f"{b['ratio_fp32']:.1f}x, gap {b['acc_gap_points_fp32']} pt", ">= 3x, <= 0.5 pt", ""))
    if "ratio" in c:
        m = c["median_step_s"]
        loads = [x for v in c["runs"].values() for r in v for x in r["load1"]]
        rows.append(("(c) GRPO step s (8x48)", f"{m['traitrl']:.1f}", f"{m['trl_default']:.1f}",
                     f"{c['ratio']:.2f}x", "<= 0.35x", f"{min(loads)}-{max(loads)}"))
        if "ratio_best_trl" in c:
            rows.append(("    vs TRL with bf16=False", f"{m['traitrl']:.1f}", f"{m['trl_fp32']:.1f}",
                         f"{c['ratio_best_trl']:.2f}x (best TRL)", "<= 0.35x", ""))
    if "responses_per_s" in d:
        peer = max(r["per_s"] for r in d["checks_peer"])
        for name, v in d["sets"].items():
            rows.append((f"(d) judge replies/s, {name} ({v['words_mean']} words)", f"{v['per_s']:.0f}",
                         f"{peer:.0f} (checks)", f"{v['per_s'] / peer:.2f}x", ">= 50",
                         str(max(r["load1"] for r in v["runs"]))))
    if "ratio" in f:
        m = f["median_s"]
        rows.append((f"(f) eval prefill s ({f['setup']['prompt_tokens']} tok)", f"{m['blocks']:.1f}",
                     f"{m['whole']:.1f}", f"{f['ratio']:.2f}x", "< 1x",
                     str(max(r["load1"] for v in f["runs"].values() for r in v))))
    if "slowdown" in g:
        for kind in ("eval_batch", "train_step"):
            rows.append((f"(g) {kind} contended / idle", f"{g['slowdown']['traitrl_default'][kind]:.2f}x",
                         f"{g['slowdown']['spinning'][kind]:.2f}x (spinning)", "-", "<= 2x",
                         str(g["runs"]["traitrl_default_contended"]["load1"])))
    if "wall_s" in e:
        rows.append(("(e) traitrl demo", f"{e['wall_s'] / 60:.1f} min, {e['peak_rss_gb']} GB", "-", "-",
                     "<= 20 min, 8 GB", str(e["load_end"][0])))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)) for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="a,b,c,d,g", help="comma-separated subset of a,b,c,d,f,g")
    ap.add_argument("--mc-questions", type=int, default=200, help="TruthfulQA questions (0 = all 790)")
    ap.add_argument("--grpo-steps", type=int, default=4, help="steps per GRPO run (the first is a warm-up)")
    ap.add_argument("--demo", action="store_true", help="also time `traitrl demo` (long)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    res: dict = {"machine": env.machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    bf16, fp32 = env.matmul_peak_gflops("bfloat16"), env.matmul_peak_gflops("float32")
    res["matmul_gflops"] = {"bf16": round(bf16, 1), "fp32_2048": round(fp32, 1), "load1": env.load()[0]}
    res["memory_read_gbs"] = round(env.memory_read_gbs(), 2)
    peak = bf16 if res["machine"]["dtype_in_use"] == "bfloat16" else fp32  # the roofline of the dtype in use
    jobs = []
    if "a" in only:
        from bench import generation
        jobs.append(("a_generation", lambda: generation.run(peak_gflops=peak, memory_gbs=res["memory_read_gbs"])))
    if "b" in only:
        from bench import loglik
        jobs.append(("b_loglik", lambda: loglik.run(args.mc_questions or None)))
    if "c" in only:
        from bench import grpo
        jobs.append(("c_grpo", lambda: {**grpo.run(args.grpo_steps), "breakdown": grpo.breakdown()}))
    if "d" in only:
        from bench import grader
        jobs.append(("d_grader", grader.run))
    if "f" in only:
        from bench import prefill
        jobs.append(("f_prefill", prefill.run))
    if "g" in only:
        from bench import contention
        jobs.append(("g_contention", contention.run))
    if args.demo:
        from bench import demo
        jobs.append(("e_demo", demo.run))
    for name, job in jobs:
        t = time.perf_counter()
        try:
            res[name] = job()
        except Exception as e:  # one failing comparison must not lose the others' numbers
            res[name] = {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()[-2000:]}
        res[name]["bench_seconds"] = round(time.perf_counter() - t, 1)
        RESULTS.write_text(json.dumps(res, indent=1))
        print(f"[bench] {name} done in {res[name]['bench_seconds']} s, load {env.load()}", flush=True)
    res["load_at_end"] = env.load()
    RESULTS.write_text(json.dumps(res, indent=1))
    m = res["machine"]
    print(f"\n{m['cpu']}, {m['cores']} cores, torch {m['libraries']['torch']}, transformers "
          f"{m['libraries']['transformers']}, trl {m['libraries']['trl']}, lm-eval {m['libraries']['lm-eval']}; "
          f"bf16 matmul {res['matmul_gflops']['bf16']} GFLOP/s, fp32 {res['matmul_gflops']['fp32_2048']}, "
          f"memory read {res.get('memory_read_gbs')} GB/s; "
          f"ISA {', '.join(k for k, v in m['isa'].items() if v) or 'none'}; dtype in use {m['dtype_in_use']}")
    print(_table(res))
    print(f"\nfull results: {RESULTS}")


if __name__ == "__main__":
    main()
