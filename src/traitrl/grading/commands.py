"""`traitrl grade ...`: grade responses against scenario rubrics, compare graders, measure one on the gold set.

    traitrl grade run --scenarios scenarios.jsonl --responses responses.jsonl --grader offline --out g.jsonl
    traitrl grade compare --a offline --b judge:gpt-4.1-mini@https://api.openai.com/v1 \
        --scenarios scenarios.jsonl responses.jsonl
    traitrl grade calibrate --grader offline --split test       # agreement with the gold verdicts
    traitrl grade fit-judge --out DIR                            # refit the learned judge from the gold set

responses.jsonl rows are `{"scenario_id": ..., "response": ...}` (other keys are ignored). Output rows are
`{scenario_id, score, expected_score, items: [{criterion, points, met, probability, evidence}]}`, written
atomically; a JSON summary with `n`, `mean` and `missing` is printed. `--max-missing-fraction` exits 1 when
more item verdicts are missing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import typer
from pydantic import BaseModel, ConfigDict, Field

from traitrl.errors import InputError
from traitrl.files import atomic_write_jsonl, iter_jsonl_rows, read_jsonl
from traitrl.grading.api import GRADER_SPECS, load_grader
from traitrl.grading.compare import compare_grades
from traitrl.grading.grade import Grade
from traitrl.grading.scoring import mean_score
from traitrl.types import Scenario

app = typer.Typer(help="Grade responses against scenario rubrics.", invoke_without_command=True)


class ResponseRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    scenario_id: str = Field(min_length=1)
    response: str


def load_pairs(scenarios_path: Path, responses_path: Path) -> tuple[list[Scenario], list[str]]:
    """Scenarios matched to response rows; an unknown scenario_id names the file and line."""
    from traitrl.scenarios.load import load_scenarios

    by_id = {s.id: s for s in load_scenarios(scenarios_path)}  # duplicate ids refused, naming the line
    rows = read_jsonl(responses_path, ResponseRow)
    if not rows:
        raise InputError("holds no responses", file=str(responses_path))
    linenos = [lineno for lineno, _ in iter_jsonl_rows(responses_path)]  # file lines, blank lines counted
    for lineno, row in zip(linenos, rows, strict=True):
        if row.scenario_id not in by_id:
            raise InputError(f"unknown scenario_id {row.scenario_id!r}", file=str(responses_path),
                             line=lineno, field="scenario_id")
    return [by_id[r.scenario_id] for r in rows], [r.response for r in rows]


def summarise(grades: list[Grade], grader: str) -> dict:
    scores = [g.score for g in grades]
    scored = [s for s in scores if not math.isnan(s)]
    items = sum(len(g.items) for g in grades)
    missing = sum(g.missing for g in grades)
    return {"grader": grader, "n": len(grades), "mean": mean_score(scored) if scored else None,
            "unscored": len(scores) - len(scored), "missing": missing,
            "missing_fraction": missing / items if items else 0.0}


@app.command("run")
def run(scenarios: Path = typer.Option(..., help="Scenarios JSONL."),
        responses: Path = typer.Option(..., help="Responses JSONL: {scenario_id, response} rows."),
        grader: str = typer.Option("offline", help=f"Grader spec: {GRADER_SPECS}."),
        out: Path = typer.Option(..., help="Output grades JSONL."),
        max_missing_fraction: float = typer.Option(1.0, help="Exit 1 if more item verdicts are missing.")
        ) -> None:
    """Grade every response and write one row per response (an LLM judge shows its progress on stderr)."""
    from traitrl.grading.judge import OpenAIJudge

    scen, resp = load_pairs(scenarios, responses)
    g = load_grader(grader)
    if hasattr(g, "validate"):
        g.validate(scen)
    grades = g.grade_batch(scen, resp, progress=True) if isinstance(g, OpenAIJudge) else g.grade_batch(scen, resp)
    atomic_write_jsonl(out, [x.to_row() for x in grades])
    summary = summarise(grades, g.name)
    typer.echo(json.dumps(summary))
    if summary["missing_fraction"] > max_missing_fraction:
        typer.echo(f"error: {summary['missing_fraction']:.1%} of item verdicts missing "
                   f"(limit {max_missing_fraction:.1%})", err=True)
        raise typer.Exit(1)


@app.callback()
def grade_default(ctx: typer.Context,
                  scenarios: Path = typer.Option(None, help="Scenarios JSONL (same as `grade run`)."),
                  responses: Path = typer.Option(None, help="Responses JSONL."),
                  grader: str = typer.Option("offline", help=f"Grader spec: {GRADER_SPECS}."),
                  out: Path = typer.Option(None, help="Output grades JSONL."),
                  max_missing_fraction: float = typer.Option(1.0, help="Exit 1 if more verdicts are missing.")
                  ) -> None:
    """`traitrl grade --scenarios P --responses R --out F` is `traitrl grade run ...`."""
    if ctx.invoked_subcommand is not None:
        return
    if scenarios is None or responses is None or out is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0 if scenarios is None and responses is None and out is None else 2)
    run(scenarios=scenarios, responses=responses, grader=grader, out=out,
        max_missing_fraction=max_missing_fraction)


@app.command("compare")
def compare(responses: Path = typer.Argument(..., help="Responses JSONL."),
            a: str = typer.Option(..., "--a", help="Reference grader spec."),
            b: str = typer.Option(..., "--b", help="Grader spec compared against --a."),
            scenarios: Path = typer.Option(..., help="Scenarios JSONL."),
            out: Path | None = typer.Option(None, help="Write the full report as JSON here.")) -> None:
    """Per-criterion agreement, accuracy of b against a, and Cohen's kappa."""
    scen, resp = load_pairs(scenarios, responses)
    report = compare_grades(load_grader(a).grade_batch(scen, resp), load_grader(b).grade_batch(scen, resp))
    data = {"a": a, "b": b, "overall": report["overall"].model_dump(),
            "by_criterion": {c: s.model_dump() for c, s in report["by_criterion"].items()}}
    text = json.dumps(data, indent=2, default=lambda v: None)
    if out is not None:
        from traitrl.files import atomic_write_text

        atomic_write_text(out, text + "\n")
    typer.echo(json.dumps({"a": a, "b": b, **data["overall"]}, default=lambda v: None))


@app.command("calibrate")
def calibrate_cmd(grader: str = typer.Option("offline", help=f"Grader spec: {GRADER_SPECS}."),
                  gold: Path | None = typer.Option(None, help="Gold folder (default: the shipped gold set)."),
                  split: str = typer.Option("test", help="fit | dev | test | all"),
                  json_out: bool = typer.Option(False, "--json", help="Print the report as JSON.")) -> None:
    """Accuracy and macro-F1 against gold verdicts, and per-kind scores (strict and reward) for a grader."""
    from traitrl.grading.calibrate import calibrate, format_report
    from traitrl.grading.gold import load_gold

    if split not in ("fit", "dev", "test", "all"):
        raise InputError(f"--split must be fit, dev, test or all, not {split!r}", field="split")
    report = calibrate(load_gold(gold), load_grader(grader), None if split == "all" else split)
    typer.echo(report.model_dump_json(indent=1) if json_out else format_report(report))


@app.command("ensemble-judge")
def ensemble_judge_cmd(members: list[Path] = typer.Argument(..., help="Folders of fitted readers (fit-judge --out)."),
                       out: Path = typer.Option(..., help="Folder for the ensemble's reader.json and members."),
                       gold: Path | None = typer.Option(None, help="Gold folder (default: the shipped gold set).")
                       ) -> None:
    """Average the logits of fitted readers into one judge, calibrated on the gold dev split."""
    from traitrl.grading.gold import load_gold
    from traitrl.grading.learned.fit import ensemble_judge

    try:
        meta = ensemble_judge(load_gold(gold), out, members)
    except (ValueError, OSError) as e:
        raise InputError(str(e), field="members") from None
    typer.echo(json.dumps(meta))


@app.command("fit-judge")
def fit_judge_cmd(out: Path = typer.Option(..., help="Folder for reader.safetensors and reader.json."),
                  gold: Path | None = typer.Option(None, help="Gold folder (default: the shipped gold set)."),
                  epochs: int = typer.Option(8, min=1, help="Passes over the fit split."),
                  rank: int = typer.Option(16, min=1, help="LoRA rank."),
                  lr: float = typer.Option(1e-3, min=0.0, help="Learning rate."),
                  seed: int = typer.Option(0, help="Training seed."),
                  reply_length: bool = typer.Option(True, help="Show the reader each reply's word count."),
                  reply_trained_layers: int = typer.Option(
                      0, min=0, max=6, help="Top layers in which the reply side reads with the adapters too."),
                  calibration_only: bool = typer.Option(
                      False, "--calibration-only", help="Keep the weights in --out; refit the calibration on dev."),
                  teacher: Path | None = typer.Option(
                      None, help="A judge folder to distil (e.g. an ensemble judge) into this single reader."),
                  distill: float | None = typer.Option(
                      None, min=0.0, max=1.0, help="Share of each target from the teacher (default 0.5)."),
                  partial: int = typer.Option(
                      0, min=0, help="Unlabelled fit replies cut short or missing a sentence, read by the teacher.")
                  ) -> None:
    """Fit the learned judge on the gold fit split and calibrate it on dev (the test split is not read)."""
    from traitrl.grading.gold import load_gold
    from traitrl.grading.learned.fit import fit_judge, recalibrate
    from traitrl.grading.learned.model import ReaderConfig

    if calibration_only:
        typer.echo(json.dumps(recalibrate(load_gold(gold), out)))
        return
    for name, given in (("--partial", partial), ("--distill", distill is not None)):
        if given and teacher is None:
            raise InputError("needs --teacher (the judge to distil)", field=name)
    meta = fit_judge(load_gold(gold), out, epochs=epochs, lr=lr, seed=seed, teacher=teacher,
                     distill=0.5 if distill is None else distill,
                     partial=partial, config=ReaderConfig(rank=rank, alpha=2.0 * rank, reply_length=reply_length,
                                                          reply_trained_layers=reply_trained_layers))
    typer.echo(json.dumps(meta))
