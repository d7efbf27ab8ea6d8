"""`traitrl benchmarks`, `traitrl eval` and `traitrl compare`, mounted on the root app by `register`.

    traitrl benchmarks --json
    traitrl eval --model embedded --suite truthfulqa_mc1,xstest --limit 50 --out runs/base
    traitrl compare runs/base runs/trait --json

`compare` pairs items by id from both runs' items.jsonl (paired t-test; Welch when nothing pairs), applies
Benjamini–Hochberg across benchmarks and prints the headline counts the paper reports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel, ValidationError

from traitrl.errors import InputError
from traitrl.evals.result_cache import ItemResult
from traitrl.evals.stats import (
    Comparison,
    adjust,
    compare_scores,
    refusal_adjusted,
    score_span,
    summarize_comparison,
)
from traitrl.files import check_output_folder, loads_strict, read_jsonl_numbered, validation_message

REFUSED = {"full_refusal": True, "partial_refusal": True, "full_compliance": False}


class _RunResults(BaseModel):
    model: str = ""
    benchmarks: dict[str, dict[str, Any]]


def load_run(run_dir: str | Path) -> tuple[_RunResults, list[ItemResult]]:
    """results.json and items.jsonl of an evaluation folder."""
    run_dir = Path(run_dir)
    path = run_dir / "results.json"
    if not path.exists():
        raise InputError("no results.json here; run `traitrl eval --out` first", file=str(run_dir))
    try:
        results = _RunResults.model_validate(loads_strict(path.read_text(encoding="utf-8")))
    except ValidationError as e:
        field, msg = validation_message(e)
        raise InputError(f"invalid results file: {msg}", file=str(path), field=field) from None
    except ValueError as e:
        raise InputError(f"invalid results file ({str(e).splitlines()[0]})", file=str(path)) from None
    items, seen = [], {}
    for line, row in read_jsonl_numbered(run_dir / "items.jsonl", ItemResult):
        key = (row.benchmark, row.item_id)
        if key in seen:  # a paired comparison would silently keep one of the two scores
            raise InputError(f"item {row.item_id!r} of {row.benchmark!r} again (first on line {seen[key]})",
                             file=str(run_dir / "items.jsonl"), line=line, field="item_id")
        seen[key] = line
        items.append(row)
    return results, items


def compare_runs(dir_a: str | Path, dir_b: str | Path) -> dict[str, Any]:
    """B versus A on every benchmark both runs evaluated: headline counts plus per-benchmark statistics."""
    res_a, items_a = load_run(dir_a)
    res_b, items_b = load_run(dir_b)
    shared = [b for b in res_a.benchmarks if b in res_b.benchmarks]
    comps: dict[str, Comparison] = {}
    adjusted: dict[str, Comparison] = {}
    for bench in shared:
        rows_a = {r.item_id: r for r in items_a if r.benchmark == bench}
        rows_b = {r.item_id: r for r in items_b if r.benchmark == bench}
        comp = compare_scores({k: r.score for k, r in rows_a.items()}, {k: r.score for k, r in rows_b.items()},
                              score_span(res_a.benchmarks[bench]))
        comps[bench] = comp.model_copy(update={"category": res_a.benchmarks[bench].get("category")})
        if any(r.refusal for r in rows_a.values()) and any(r.refusal for r in rows_b.values()):
            adjusted[bench] = refusal_adjusted(
                {k: (r.score, REFUSED.get(r.refusal or "")) for k, r in rows_a.items()},
                {k: (r.score, REFUSED.get(r.refusal or "")) for k, r in rows_b.items()},
                score_span(res_a.benchmarks[bench]))
    comps = adjust(comps)
    out = summarize_comparison(comps)
    out["model_a"], out["model_b"] = res_a.model, res_b.model
    out["per_benchmark"] = {
        b: {"diff": c.diff, "ci": list(c.ci) if c.ci else None, "p": c.p, "q": c.q, "paired": c.paired,
            "n_a": c.n_a, "n_b": c.n_b, "category": c.category} for b, c in comps.items()}
    for b, c in adjusted.items():
        out["per_benchmark"][b]["refusal_adjusted"] = {"diff": c.diff, "ci": list(c.ci) if c.ci else None,
                                                       "p": c.p, "n": c.n_a}
    return out


def _select(suite: str | None, files: list[Path]) -> list:
    from traitrl.evals import registry
    from traitrl.evals.user_files import load_benchmark_file

    chosen = [load_benchmark_file(f) for f in files]  # validated before any model loads
    if suite is None:
        suite = "none" if files else "all"
    if suite == "all":
        chosen = [*registry.all_benchmarks().values(), *chosen]
    elif suite == "capability":
        chosen = [*registry.capability_benchmarks().values(), *chosen]
    elif suite != "none":
        chosen = [registry.get_benchmark(b.strip()) for b in suite.split(",") if b.strip()] + chosen
    if not chosen:
        raise InputError("no benchmarks selected", field="suite")
    return chosen


def _contamination(path: Path) -> None:
    from traitrl.evals.contamination import MAX_OVERLAP, benchmark_overlap
    from traitrl.scenarios.load import load_scenarios
    from traitrl.scenarios.overlap import scenario_text

    train = [scenario_text(s) for s in load_scenarios(path) if s.split == "train"]
    per = benchmark_overlap(train)
    worst = max(per.values(), default=0.0)
    typer.echo(json.dumps({"benchmark_overlap": per, "max_benchmark_overlap": worst, "bound": MAX_OVERLAP},
                          sort_keys=True))
    if worst > MAX_OVERLAP:
        raise typer.Exit(1)


def benchmarks_cmd(json_out: bool = typer.Option(False, "--json", help="Print JSON."),
                   contamination: Path = typer.Option(None, "--contamination", help="Scenario file or folder: "
                                                      "8-gram overlap of its train split with every benchmark "
                                                      "(exit 1 above the bound).")) -> None:
    """List the registered benchmarks (alignment suite and capability), or check scenarios against them."""
    from traitrl.errors import TraitRLError
    from traitrl.evals import registry

    if contamination is not None:
        _contamination(contamination)
        return

    rows = []
    for bench in [*registry.all_benchmarks().values(), *registry.capability_benchmarks().values()]:
        try:
            n: int | None = len(bench.load())
        except TraitRLError:
            n = None
        rows.append({"id": bench.id, "category": bench.category, "direction": bench.direction,
                     "scorer": bench.scorer, "source": bench.source, "version": bench.version, "n": n,
                     **({"max_new_tokens": bench.max_new_tokens} if bench.scorer == "generate" else {})})
    if json_out:
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        typer.echo(f"{r['id']:<36} {r['category']:<22} {r['scorer']:<9} n={r['n']}  {r['source']}")


def _check_steer(text: str, model: str, backend: str) -> tuple[str, int | None, float]:
    """`--steer` parsed and checked against the model's layer count (read from its config, no weights)."""
    from traitrl.evals.persona_vectors import check_layer, num_layers, parse_steer
    from traitrl.evals.remote import is_remote_spec

    if backend != "transformers" or is_remote_spec(model):
        raise InputError("steering needs a local transformers model (--backend transformers)", field="--steer")
    persona, layer, coef = parse_steer(text)
    if layer is not None:
        check_layer(layer, num_layers(model))
    return persona, layer, coef


def _steering(model: str, dtype: str, persona: str, layer: int | None, coef: float) -> Any:
    """The `Steering` of `--steer`: the direction is read from the evaluated model itself (cached per model)."""
    from traitrl.evals.evaluator import _Model
    from traitrl.evals.persona_vectors import cached_direction, steering_for

    handle = _Model(model, dtype)  # the weights load only if the direction is not cached yet
    return steering_for(cached_direction(handle.fingerprint, persona, handle.get), persona, layer, coef)


def eval_cmd(
    model: str = typer.Option("embedded", "--model", help="embedded, a checkpoint or PEFT adapter folder, or a "
                              "HF id (cached; `traitrl --online eval ...` downloads one)."),
    suite: str = typer.Option(None, "--suite", help="all | capability | none | ID,ID,... (default all)."),
    benchmark_file: list[Path] = typer.Option([], "--benchmark-file", help="User JSONL benchmark(s)."),
    limit: int = typer.Option(None, "--limit", min=1, help="First N items of each benchmark."),
    out: Path = typer.Option(..., "--out", help="Folder for results.json and items.jsonl."),
    system_prompt: str = typer.Option(None, "--system-prompt", help="Prepend this system message (persona)."),
    max_new_tokens: int = typer.Option(None, "--max-new-tokens", min=1,
                                       help="Tokens per response for every benchmark (default: each benchmark's "
                                       "budget, 128 for chat behaviour and 256 for capability)."),
    temperature: float = typer.Option(0.0, "--temperature", min=0.0, help="Sampling temperature (0: greedy)."),
    seed: int = typer.Option(0, "--seed", help="Sampling seed."),
    batch_size: int = typer.Option(16, "--batch-size", min=1, help="Log-likelihood batch size (rows)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the result cache."),
    backend: str = typer.Option("transformers", "--backend", help="transformers | vllm (GPU, traitrl[vllm])."),
    dtype: str = typer.Option("auto", "--dtype", help="auto (bf16 where this CPU computes it faster; "
                              "TRAITRL_DTYPE) | bfloat16 | float32."),
    tie_check: bool = typer.Option(False, "--tie-check", help="For a model computing in bf16, re-score with the "
                                   "model loaded in fp32 the choices of a multiple-choice item that bf16's error could "
                                   "reorder, so the argmax is fp32's where that error stays within 0.25 nats (a full "
                                   "fp32 copy of the model beside it, about 1.7x the log-likelihood time; not with "
                                   "--steer or a serving backend; docs/performance.md)."),
    grader: str = typer.Option("offline", "--grader", help="Grader of rubric-graded benchmarks: offline (the "
                               "learned judge) | offline@DIR | checks | judge:<model>@<base_url>."),
    steer: str = typer.Option(None, "--steer", help="PERSONA@LAYER:COEF: add COEF x the persona's direction "
                              "(docs/steering.md) after decoder block LAYER (an integer, or auto: the layer "
                              "rule's choice) in every forward; the direction is extracted once per model."),
) -> None:
    """Evaluate a model; rerunning the same command resumes from the result cache."""
    from traitrl.evals.evaluator import Decoding, evaluate
    from traitrl.evals.remote import is_remote_spec
    from traitrl.grading.api import load_grader

    check_output_folder(out)
    steer_spec = _check_steer(steer, model, backend) if steer is not None else None  # before any work
    if backend == "vllm":
        from traitrl.evals.vllm_backend import VLLMModel

        model = VLLMModel(model)
    elif backend != "transformers":
        raise InputError(f"unknown backend {backend!r}; expected transformers or vllm", field="--backend")
    if dtype not in ("auto", "bfloat16", "float32"):
        raise InputError(f"unknown dtype {dtype!r}; expected auto, bfloat16 or float32", field="--dtype")
    benches = _select(suite, benchmark_file)
    judge = load_grader(grader) if any(b.graded for b in benches) else None  # a bad spec fails before any work
    decoding = Decoding(max_new_tokens=max_new_tokens, temperature=temperature, seed=seed)
    steering = _steering(model, dtype, *steer_spec) if steer_spec is not None else None
    if tie_check and steering is not None:
        typer.echo("note: --tie-check is off under --steer (the fp32 copy would not carry the steering)", err=True)
    if tie_check and (backend == "vllm" or is_remote_spec(model)):
        typer.echo("note: --tie-check is off for a serving backend (it scores choices itself)", err=True)
    result = evaluate(model, benches, limit=limit, out_dir=out, decoding=decoding, system_prompt=system_prompt,
                      cache=not no_cache, batch_size=batch_size, dtype=dtype, grader=judge, steering=steering,
                      tie_check=tie_check)
    for bid, r in result.benchmarks.items():
        mean = "n/a" if r.mean is None else f"{r.mean:.3f}"
        typer.echo(f"{bid:<36} {mean}  (n={r.n}, missing={r.missing})")
    typer.echo(f"results: {Path(out) / 'results.json'}")


def compare_cmd(dir_a: Path = typer.Argument(..., help="Baseline run folder."),
                dir_b: Path = typer.Argument(..., help="Candidate run folder."),
                json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Compare two evaluation runs (B − A) with paired tests and Benjamini–Hochberg q-values."""
    out = compare_runs(dir_a, dir_b)
    if json_out:
        typer.echo(json.dumps(out, indent=2))
        return
    typer.echo(f"{out['improved']}/{out['n_benchmarks']} improved, {out['sig_improved']} significantly, "
               f"{out['sig_regressed']} significant regressions, mean gain {out['mean_gain']}")
    for b, c in out["per_benchmark"].items():
        diff = "n/a" if c["diff"] is None else f"{c['diff']:+.3f}"
        q = "n/a" if c["q"] is None else f"{c['q']:.3g}"
        typer.echo(f"  {b:<36} {diff}  q={q}")


def register(app: typer.Typer) -> None:
    """Add `benchmarks`, `eval` and `compare` to the root app."""
    app.command("benchmarks")(benchmarks_cmd)
    app.command("eval")(eval_cmd)
    app.command("compare")(compare_cmd)
