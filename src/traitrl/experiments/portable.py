"""A run's finished stages without their weights, small enough to commit, and restorable on another machine.

`traitrl experiment pack RUN DEST` (or `experiment run --pack-to DEST`, stage by stage as each finishes) copies
every published stage of RUN into DEST minus what only a later stage
could need: training checkpoints and the weights of every model folder (a trained adapter, a fine-tuning dose,
a merged SFT model). Each such folder keeps its small JSON files and gains `weights-dropped.json`, which records
the fingerprint its weights had, so the stages that evaluated it keep their keys. `traitrl experiment restore
DEST RUN` copies those stages into a run folder (never over one it has), and rerunning the experiment skips them.

A packed model is only loaded when some stage that reads it is not done yet (say, a stage the config gained
later); loading raises `WeightsDroppedError`, and `run_experiment` then discards the stage that made the model
and computes that model's stages again (`experiments/run.py`).
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from pydantic import BaseModel

from traitrl.errors import InputError
from traitrl.experiments.stages import published
from traitrl.files import atomic_write_json
from traitrl.models.loading import WEIGHTS_DROPPED, is_model_folder

TOP_LEVEL = ("results.json", "summary.md", "report.html", "config.yaml", "plan.json", "timings.json")
KEEP_IN_MODEL = (".json", ".jinja", ".txt", ".md")  # configs and tokenizer files; no weights
MAX_MODEL_FILE = 64 * 1024  # a tokenizer.json (several MB) is the embedded model's, not the stage's
GZIP_ABOVE = 64 * 1024  # larger .jsonl files are packed gzipped (and unzipped on restore)
PACKED = "packed.json"  # written last into a packed stage: what was left out


class PackSummary(BaseModel):
    stages: int
    models: int
    bytes_kept: int
    bytes_dropped: int


def pack_run(run: Path, dest: Path) -> PackSummary:
    """Copy RUN's published stages (and its top-level results) into DEST without checkpoints or weights."""
    stages = sorted(p for p in (Path(run) / "stages").glob("*") if (p / "DONE.json").exists() and published(p))
    if not stages:
        raise InputError("no finished stage to pack", file=str(run))
    counts = [pack_stage(stage, Path(dest) / "stages") for stage in stages]
    for name in TOP_LEVEL:
        if (Path(run) / name).exists():
            shutil.copy2(Path(run) / name, Path(dest) / name)
    return PackSummary(stages=len(stages), models=sum(c[0] for c in counts), bytes_kept=sum(c[1] for c in counts),
                       bytes_dropped=sum(c[2] for c in counts))


def pack_stage(stage: Path, dest: Path, refresh: bool = True) -> tuple[int, int, int]:
    """Pack one published stage into DEST/<its name>: written beside its place and renamed in, `packed.json`
    last, so a killed pack leaves no stage half-copied. Returns (models, bytes kept, bytes left out); with
    `refresh=False` a stage already packed there is left as it is."""
    from traitrl.evals.evaluator import spec_fingerprint

    target = Path(dest) / stage.name
    if not refresh and (target / PACKED).exists():
        return 0, 0, 0
    work = target.with_name(target.name + ".packing")
    shutil.rmtree(work, ignore_errors=True)
    kept = dropped = models = 0
    left_out: list[str] = []
    for folder in sorted({stage, *(p for p in stage.rglob("*") if p.is_dir())}):
        rel = folder.relative_to(stage)
        if "checkpoints" in rel.parts:  # training checkpoints: only a resumed training reads them
            dropped += sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
            left_out += [str(rel)] if rel.name == "checkpoints" else []
            continue
        model = is_model_folder(folder)
        models += model
        (work / rel).mkdir(parents=True, exist_ok=True)
        for f in sorted(p for p in folder.iterdir() if p.is_file()):
            if model and (f.suffix not in KEEP_IN_MODEL or f.stat().st_size > MAX_MODEL_FILE):
                dropped += f.stat().st_size
                left_out.append(str(rel / f.name))
                continue
            if f.suffix == ".jsonl" and f.stat().st_size > GZIP_ABOVE:  # item rows: text compresses ~5x
                with f.open("rb") as src, (work / rel / f"{f.name}.gz").open("wb") as raw, \
                        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:  # mtime 0: same rows, same bytes
                    shutil.copyfileobj(src, out)
                kept += (work / rel / f"{f.name}.gz").stat().st_size
            else:
                shutil.copy2(f, work / rel / f.name)
                kept += f.stat().st_size
        if model:
            atomic_write_json(work / rel / WEIGHTS_DROPPED, {"fingerprint": spec_fingerprint(str(folder))})
    atomic_write_json(work / PACKED, {"left_out": left_out})
    if target.exists():
        shutil.rmtree(target)
    work.rename(target)
    return models, kept, dropped


def restore_run(packed: Path, run: Path) -> list[str]:
    """Copy the packed stages RUN does not have (finished or partial) into RUN; returns their names. The plan
    (`plan.json`) comes too when RUN has none, so a sized run keeps its sizes."""
    src = Path(packed) / "stages"
    if not src.is_dir():
        raise InputError("not a packed run (no stages/ folder)", file=str(packed))
    packed_stages = sorted(p for p in src.iterdir() if (p / PACKED).exists() and published(p))
    if not packed_stages:  # a wrong folder or an interrupted pack, not "nothing left to restore"
        raise InputError("holds no packed stages", file=str(src))
    (Path(run) / "stages").mkdir(parents=True, exist_ok=True)
    restored = []
    for stage in packed_stages:
        target = Path(run) / "stages" / stage.name
        if target.exists() or target.with_name(target.name + ".partial").exists():
            continue
        tmp = target.with_name(target.name + ".restoring")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(stage, tmp)
        for packed_rows in tmp.rglob("*.jsonl.gz"):
            try:
                with gzip.open(packed_rows, "rb") as src, packed_rows.with_suffix("").open("wb") as out:
                    shutil.copyfileobj(src, out)
            except (OSError, EOFError) as e:  # not gzip, or cut short: this stage is not restored, nothing is left
                shutil.rmtree(tmp, ignore_errors=True)
                raise InputError(f"cannot unpack ({e})", file=str(stage / packed_rows.relative_to(tmp))) from None
            packed_rows.unlink()
        tmp.rename(target)
        restored.append(stage.name)
    if (Path(packed) / "plan.json").exists() and not (Path(run) / "plan.json").exists():
        shutil.copy2(Path(packed) / "plan.json", Path(run) / "plan.json")
    return restored
