"""`traitrl data ...`: build, validate, inspect, filter, export, import and generate trait scenarios.

    traitrl data build --out data/scenarios                      # the written scenarios
    traitrl data build --out data/templates --source templates --seed 0
    traitrl data validate data/scenarios
    traitrl data stats data/scenarios --json
    traitrl data export data/scenarios --format verl --split train --out verl/ --exclude-domains health,science
    traitrl data import healthbench.jsonl --format healthbench --out hb.jsonl
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Optional

import typer

from traitrl.errors import InputError
from traitrl.files import atomic_write_jsonl
from traitrl.scenarios.build import SOURCES, load_builtin
from traitrl.scenarios.export import FORMATS, SPLITS, export_scenarios
from traitrl.scenarios.filters import filter_scenarios
from traitrl.scenarios.load import check_files, load_scenarios
from traitrl.scenarios.overlap import max_overlap, scenario_text
from traitrl.scenarios.stats import compute_stats

app = typer.Typer(help="Trait scenario data: build, validate, stats, overlap, export, import, generate.",
                  no_args_is_help=True)

DOMAINS_OPT = typer.Option(None, "--domains", help="Comma-separated domain ids to keep.")
EXCLUDE_OPT = typer.Option(None, "--exclude-domains", help="Comma-separated domain ids to drop.")
TRAITS_OPT = typer.Option(None, "--traits", help="Comma-separated trait ids or headline names to keep.")

# the CLI's fixed value sets as choices: `--help` lists them and a bad value exits 2 naming the option
ExportFormat = StrEnum("ExportFormat", {f: f for f in FORMATS})
ImportFormat = StrEnum("ImportFormat", {"healthbench": "healthbench"})
ExportSplitChoice = StrEnum("ExportSplitChoice", {s: s for s in SPLITS})


@app.command()
def build(out: Path = typer.Option(..., "--out", help="Folder for train.jsonl and eval.jsonl."),
          seed: int = typer.Option(0, "--seed", help="Seed of the template fills."),
          source: str = typer.Option("written", "--source", help="written | templates | mixed (written plus as "
                                     "many template fills per cell, at most)."),
          domains: Optional[str] = DOMAINS_OPT,  # noqa: UP045
          exclude_domains: Optional[str] = EXCLUDE_OPT, traits: Optional[str] = TRAITS_OPT) -> None:  # noqa: UP045
    """Write the built-in dataset: the written scenarios, or template fills built deterministically from SEED."""
    if source not in SOURCES:
        raise InputError(f"unknown --source {source!r}; expected one of {', '.join(SOURCES)}", field="--source")
    for split in ("train", "eval"):
        rows = filter_scenarios(load_builtin(split, seed, source), domains, exclude_domains, traits)
        atomic_write_jsonl(out / f"{split}.jsonl", rows)
        typer.echo(f"{out / f'{split}.jsonl'}: {len(rows)} scenarios")


@app.command()
def validate(path: Path = typer.Argument(..., help="Scenarios JSONL file or folder.")) -> None:
    """Check every row; print `file:line: field: message` per problem and exit 2 if any."""
    scenarios, errors = check_files(path)
    for err in errors:
        typer.echo(err.render(), err=True)
    if errors:
        raise typer.Exit(code=InputError.exit_code)
    typer.echo(f"ok: {len(scenarios)} scenarios")


@app.command()
def stats(path: Path = typer.Argument(..., help="Scenarios JSONL file or folder."),
          as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
          similarity: bool = typer.Option(True, "--similarity/--no-similarity",
                                          help="Largest eval-train MiniLM cosine (about a minute).")) -> None:
    """Counts per cell and source, conversation shape, rubric form, distinctness and eval↔train similarity."""
    result = compute_stats(load_scenarios(path), similarity=similarity)
    if as_json:
        typer.echo(json.dumps(result, sort_keys=True))
        return
    for key, value in result.items():
        if key != "cells":
            typer.echo(f"{key}: {value}")


@app.command()
def overlap(path: Path = typer.Argument(..., help="Scenarios JSONL file or folder.")) -> None:
    """Largest 8-gram Jaccard overlap between eval and train scenarios (exit 1 above 0.2). Overlap of training
    scenarios with benchmark items: `traitrl benchmarks --contamination PATH`."""
    scenarios = load_scenarios(path)
    ev = [scenario_text(s) for s in scenarios if s.split == "eval"]
    tr = [scenario_text(s) for s in scenarios if s.split == "train"]
    result: dict = {"max_eval_train_overlap": max_overlap(ev, tr) if ev and tr else None}
    typer.echo(json.dumps(result, sort_keys=True))
    if (result["max_eval_train_overlap"] or 0.0) > 0.2:
        raise typer.Exit(1)


@app.command("export")
def export_cmd(path: Path = typer.Argument(..., help="Scenarios JSONL file or folder."),
               fmt: ExportFormat = typer.Option(..., "--format", help="Output format."),
               out: Path = typer.Option(..., "--out", help="A file (jsonl, healthbench) or a folder (hf, verl: "
                                        "train.parquet / eval.parquet)."),
               split: ExportSplitChoice = typer.Option("all", "--split", help="Scenarios to write; train and "
                                                       "eval are always written apart."),
               domains: Optional[str] = DOMAINS_OPT,  # noqa: UP045
               exclude_domains: Optional[str] = EXCLUDE_OPT, traits: Optional[str] = TRAITS_OPT) -> None:  # noqa: UP045
    """Export scenarios as traitrl JSONL, an HF dataset folder (train/eval), verl parquet or HealthBench JSONL."""
    rows = filter_scenarios(load_scenarios(path), domains, exclude_domains, traits)
    for name, p in export_scenarios(rows, fmt.value, out, split.value).items():
        n = len(rows) if name == "all" else sum(s.split == name for s in rows)
        typer.echo(f"{p}: {n} scenarios ({fmt.value}, {name})")


@app.command("import")
def import_cmd(path: Path = typer.Argument(..., help="External scenarios file (HealthBench JSONL)."),
               fmt: ImportFormat = typer.Option("healthbench", "--format", help="Input format."),
               out: Path = typer.Option(..., "--out", help="traitrl scenarios JSONL to write.")) -> None:
    """Import external scenarios (HealthBench JSONL) into traitrl JSONL."""
    from traitrl.scenarios.healthbench import read_healthbench

    rows = read_healthbench(path)
    atomic_write_jsonl(out, rows)
    typer.echo(f"{out}: {len(rows)} scenarios")


@app.command()
def generate(base_url: str = typer.Option(..., "--base-url", help="OpenAI-compatible endpoint URL."),
             model: str = typer.Option(..., "--model", help="Model name at that endpoint."),
             trait: str = typer.Option(..., "--trait", help="Trait id."),
             domain: str = typer.Option(..., "--domain", help="Domain id."),
             n: int = typer.Option(10, "-n", "--n", min=1, help="Scenarios to generate."),
             out: Path = typer.Option(..., "--out", help="Scenarios JSONL to write."),
             max_attempts: Optional[int] = typer.Option(  # noqa: UP045
                 None, "--max-attempts", help="Endpoint calls allowed in all (default: 3 × n).")) -> None:
    """Generate scenarios with an OpenAI-compatible endpoint; prints a JSON summary."""
    from traitrl.catalog import DOMAINS, TRAITS
    from traitrl.scenarios.generate import generate_scenarios

    if trait not in TRAITS:
        raise InputError(f"unknown trait {trait!r}", field="--trait")
    if domain not in DOMAINS:
        raise InputError(f"unknown domain {domain!r}", field="--domain")
    if not base_url.startswith(("http://", "https://")):
        raise InputError(f"expected an http(s):// URL, got {base_url!r}", field="--base-url")
    rows, summary = generate_scenarios(base_url, model, trait, domain, n, max_attempts=max_attempts)
    atomic_write_jsonl(out, rows)
    summary.out = str(out)
    typer.echo(summary.model_dump_json())
