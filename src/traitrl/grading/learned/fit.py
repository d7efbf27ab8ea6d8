"""Fit the learned judge on the gold set: LoRA + head on the fit split, calibration on dev, test untouched.

Training examples are the gold verdicts of the `fit` split, one reply with all its labelled criteria per
sequence, and extra negatives that teach what a label cannot say often enough: a reply judged against the
rubric of a scenario from another trait (nothing in that rubric is met: off-topic help is not the trait).
Loss: binary cross-entropy per criterion.

Distillation (`teacher`, e.g. an ensemble judge): every target becomes `(1 - distill) * label + distill *
P_teacher`, with P_teacher the sigmoid of the teacher readers' mean raw logit, and `partial` more fit replies,
cut short or missing a sentence (`partial_rows`), are read against their own rubric with the teacher's reading
as their only target: replies no label covers, so the student learns how the teacher reads between the labels.
A distilled reader is a single reader: it grades at the cost of one member of the ensemble.

After training, the reply-level calibration (`calibration.py`: each item's logit read beside the reply's other
items, nine numbers) is fitted on the `dev` split, on the weights as shipped (fp16).
The `test` split is never read here.

    traitrl grade fit-judge --out DIR                                     # 80 min on 2 cores (bf16, 8 epochs)
    traitrl grade fit-judge --out DIR --calibration-only                  # refit the calibration only (3 min)
    traitrl grade fit-judge --out DIR --rank 32 --epochs 6 --teacher TEACHER --partial 2000 --seed 4
                                                                           # distil a judge into one (1.5 h, Xeon)

The shipped reader is such a distillation: its `reader.json` records the teacher's digest (`fit.teacher`), and
docs/grading.md gives the commands that rebuild the teacher and the reader.

A fit writes `fit-checkpoint.pt` into `out` after every epoch and, run again with the same gold data and
settings, resumes after the last finished epoch (the reply states are encoded again, 4 min on AVX2).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from traitrl.errors import InputError
from traitrl.files import atomic_write_text
from traitrl.grading.gold import GoldSet
from traitrl.grading.learned.judge import (
    load_fitted_reader,
    member_folders,
    read_meta,
    reader_dtype,
    reply_context,
    weights_digest,
)
from traitrl.grading.learned.model import (
    ReaderConfig,
    criterion_batch,
    is_trained,
    reply_batch,
    stack_states,
    tokenize_replies,
)

Row = tuple[str, str, list[str], list[float], list[bool]]  # context, reply, criteria, points, labels ([] if none)


def gold_rows(gold: GoldSet, split: str) -> list[Row]:
    """(context, reply, criteria, points, labels) for every reply with gold verdicts in `split`."""
    by_reply: dict[str, list[tuple[int, bool]]] = {}
    for (rid, item), met in gold.gold_verdicts().items():
        if gold.split_of(gold.replies[rid].scenario_id) == split:
            by_reply.setdefault(rid, []).append((item, met))
    rows = []
    for rid in sorted(by_reply):
        reply = gold.replies[rid]
        s = gold.scenarios[reply.scenario_id]
        items = sorted(by_reply[rid])
        rows.append((reply_context(s), reply.text, [s.rubric[i].criterion for i, _ in items],
                     [s.rubric[i].points for i, _ in items], [m for _, m in items]))
    return rows


def mismatched_rows(gold: GoldSet, split: str, n: int, seed: int) -> list[Row]:
    """Replies paired with another trait's rubric: every criterion not met."""
    rng = random.Random(seed)
    replies = [r for r in gold.replies.values() if gold.split_of(r.scenario_id) == split]
    scenarios = [s for s in gold.scenarios.values() if s.meta["gold_split"] == split]
    rows = []
    for reply in rng.sample(replies, min(n, len(replies))):
        own = gold.scenarios[reply.scenario_id]
        other = rng.choice([s for s in scenarios if s.trait != own.trait and s.domain != own.domain])
        rows.append((reply_context(own), reply.text, [i.criterion for i in other.rubric],
                     [i.points for i in other.rubric], [False] * len(other.rubric)))
    return rows


def partial_rows(gold: GoldSet, split: str, n: int, seed: int) -> list[Row]:
    """`n` replies of `split` of three or more sentences, each cut after a random sentence or missing one, read
    against their own rubric; unlabelled (a distilling fit takes the teacher's reading as their target)."""
    rng = random.Random(seed)
    pool, rows = gold_rows(gold, split), []
    for context, reply, criteria, points, _ in rng.sample(pool, len(pool)):
        if len(rows) >= n:
            break
        sentences = re.split(r"(?<=[.!?])\s+", reply.strip())
        if len(sentences) < 3:
            continue
        if rng.random() < 0.5:
            kept = sentences[:rng.randrange(1, len(sentences))]
        else:
            drop = rng.randrange(len(sentences))
            kept = sentences[:drop] + sentences[drop + 1:]
        rows.append((context, " ".join(kept), criteria, points, []))
    return rows


def check_teacher(teacher: Path, config: ReaderConfig) -> list[Path]:
    """The teacher judge's reader folders, each checked to hold fitted weights, read replies as a student with
    `config` does, and need no reply state the student does not cache (bad input names the reader.json)."""
    members = member_folders(teacher)
    for folder in members:
        path = folder / "reader.json"
        if not (folder / "reader.safetensors").is_file():
            raise InputError("no fitted reader here (reader.safetensors missing)", file=str(folder))
        try:
            theirs = ReaderConfig(**read_meta(folder)["config"])
        except (KeyError, TypeError, ValidationError):
            raise InputError("missing or not a reader config", file=str(path), field="config") from None
        if theirs.reading() != config.reading():
            raise InputError("reads replies differently from the student (context, lengths or word count)",
                             file=str(path), field="config")
        if theirs.reply_trained_layers < config.reply_trained_layers:
            raise InputError(f"reads the reply's top {config.reply_trained_layers - theirs.reply_trained_layers} "
                             "layers with frozen weights, which the student does not cache",
                             file=str(path), field="config.reply_trained_layers")
    return members


def teacher_logits(teacher: Path, config: ReaderConfig, tokenizer: Any, cache: dict[tuple[str, str], list],
                   rows: list[Row]) -> list[list[float]]:
    """The mean raw logit of the teacher judge's readers for every criterion of every row, read on the cached
    reply states (`check_teacher`)."""
    order = sorted(range(len(rows)), key=lambda j: len(rows[j][1]) + sum(map(len, rows[j][2])))  # less padding
    members = check_teacher(teacher, config)
    total = [0.0] * sum(len(r[2]) for r in rows)
    for folder in members:
        member, _ = load_fitted_reader(folder)
        total = [a + b for a, b in zip(total, _logits(member, tokenizer, cache, [rows[j] for j in order]), strict=True)]
    flat = iter(total)
    out: list[list[float]] = [[] for _ in rows]
    for j in order:
        out[j] = [next(flat) / len(members) for _ in rows[j][2]]
    return out


def fit_targets(rows: list[Row], teacher: list[list[float]] | None, distill: float) -> list[list[float]]:
    """Each criterion's training target: its label, moved `distill` of the way to the teacher's P(met); the
    teacher's P(met) alone for an unlabelled row."""
    if teacher is None:
        return [[float(m) for m in r[4]] for r in rows]
    out = []
    for r, z in zip(rows, teacher, strict=True):
        p = [1 / (1 + math.exp(-x)) for x in z]
        out.append([(1 - distill) * m + distill * q for m, q in zip(r[4], p, strict=True)] if r[4] else p)
    return out


def length_batches(rows: list[Row], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length (less padding), in random order, each shuffled within a pool of 8 batches."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    pool = batch_size * 8
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start:start + pool], key=lambda j: len(rows[j][1]) + sum(map(len, rows[j][2])))
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def cache_reply_states(reader, tokenizer, rows: list[Row], batch_size: int = 32) -> dict[tuple[str, str], list]:
    """The frozen reply side's per-layer states of every distinct (context, reply), computed once."""
    import torch

    keys = sorted({(r[0], r[1]) for r in rows}, key=lambda k: len(k[1]))
    cache: dict[tuple[str, str], list] = {}
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16,
                                                enabled=reader_dtype() == torch.bfloat16):
        for i in range(0, len(keys), batch_size):
            part = keys[i:i + batch_size]
            seqs = tokenize_replies(tokenizer, reader.config, part)
            states = reader.encode_one_by_one(reply_batch(seqs, tokenizer.pad_token_id))
            cache.update({k: [x.to(torch.bfloat16).clone() for x in st] for k, st in zip(part, states, strict=True)})
    return cache


def _read(reader, tokenizer, cache: dict, rows: list[Row]):
    states, valid = stack_states([cache[(r[0], r[1])] for r in rows])
    crit = criterion_batch(tokenizer, reader.config, [int(v) for v in valid.sum(1)], [r[2] for r in rows],
                           [r[3] for r in rows])
    return reader.read(states, valid, crit)


def _logits(reader, tokenizer, cache: dict, rows: list[Row], batch_size: int = 64) -> list[float]:
    import torch

    out: list[float] = []
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16,
                                                enabled=reader_dtype() == torch.bfloat16):
        for i in range(0, len(rows), batch_size):
            out += _read(reader, tokenizer, cache, rows[i:i + batch_size]).tolist()
    return out


def recalibrate(gold: GoldSet, folder: Path, progress: bool = True) -> dict:
    """Fit the reply-level calibration of the judge in `folder` on the gold dev split; rewrites `reader.json`."""
    from traitrl.grading.learned.calibration import fit_calibration
    from traitrl.grading.learned.judge import LearnedJudge

    started = time.time()
    judge = LearnedJudge._build(folder)  # the weights as stored, not a cached copy
    rows = gold.labelled_replies("dev")
    logits = judge.logits([s for s, _, _ in rows], [r.text for _, r, _ in rows])
    fitted = [(z, [i.points for i in s.rubric], verdicts)
              for (s, _, verdicts), z in zip(rows, logits, strict=True) if z is not None]
    calibration = fit_calibration(fitted)
    meta = read_meta(folder)
    meta["calibration"] = calibration.model_dump()
    meta["calibration_fit"] = {"split": "dev", "replies": len(fitted), "verdicts": sum(len(f[2]) for f in fitted),
                               "gold_sha256": gold_digest(gold), "seconds": round(time.time() - started)}
    atomic_write_text(folder / "reader.json", json.dumps(meta, indent=1) + "\n")
    if progress:
        print(f"fit-judge: calibration fitted on {len(fitted)} dev replies ({time.time() - started:.0f} s)", flush=True)
    return meta


def ensemble_judge(gold: GoldSet, out: Path, members: list[Path], progress: bool = True) -> dict:
    """A judge in `out` that averages the logits of fitted readers (copied in as `m0`, `m1`, ...), with its own
    reply-level calibration fitted on dev over the averaged logits. The members are `fit-judge` outputs: each
    reproducible from the gold set with the seed and settings its `reader.json` records."""
    import shutil

    from traitrl.grading.learned.judge import weights_digest

    if len(members) < 2:
        raise ValueError("an ensemble needs at least two fitted readers")
    metas = [read_meta(folder) for folder in members]  # every member checked before anything is written
    for folder, meta in zip(members, metas, strict=True):
        if "members" in meta or not (folder / "reader.safetensors").is_file():  # one reader, not an ensemble
            raise InputError("not a single fitted reader (reader.safetensors and reader.json)", file=str(folder))
    out.mkdir(parents=True, exist_ok=True)
    names, sources = [], []
    for i, (folder, meta) in enumerate(zip(members, metas, strict=True)):
        (out / f"m{i}").mkdir(exist_ok=True)
        for name in ("reader.safetensors", "reader.json"):
            shutil.copyfile(folder / name, out / f"m{i}" / name)
        names.append(f"m{i}")
        sources.append({"folder": str(folder), "reader": weights_digest(folder), "fit": meta.get("fit", {}),
                        "gold_sha256": meta.get("gold_sha256")})
    meta = {"members": names, "calibration": {"scale": 1.0, "shift": 0.0},  # until recalibrate
            "gold_sha256": gold_digest(gold), "ensemble": sources}
    atomic_write_text(out / "reader.json", json.dumps(meta, indent=1) + "\n")
    return recalibrate(gold, out, progress)


def fit_judge(gold: GoldSet, out: Path, *, epochs: int = 8, lr: float = 1e-3, batch_size: int = 16,
              seed: int = 0, config: ReaderConfig | None = None, teacher: Path | None = None,
              distill: float = 0.5, partial: int = 0, progress: bool = True) -> dict:
    """Train, calibrate on dev, write `reader.safetensors` + `reader.json` into `out`; returns the metadata.
    `teacher` (a judge folder), `distill` and `partial`: see the module docstring."""
    import torch
    from safetensors.torch import save_file

    from traitrl.grading.learned.pretrained import load_reader

    config = config or ReaderConfig()
    if partial and teacher is None:
        raise ValueError("unlabelled partial replies need a teacher")
    if teacher is not None:
        check_teacher(teacher, config)  # before minutes of encoding
    reader, tokenizer = load_reader(config, seed=seed)
    fit = gold_rows(gold, "fit")
    mismatched, partials = mismatched_rows(gold, "fit", len(fit) // 4, seed), partial_rows(gold, "fit", partial, seed)
    train = fit + mismatched + partials
    params = [p for p in reader.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    steps = epochs * ((len(train) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    rng = random.Random(seed)
    use_bf16 = reader_dtype() == torch.bfloat16
    started, step, recent = time.time(), 0, []
    dev = gold_rows(gold, "dev")
    dev_labels = [m for r in dev for m in r[4]]
    reader.eval()
    cache = cache_reply_states(reader, tokenizer, train + dev)
    if progress:
        print(f"fit-judge: encoded {len(cache)} replies ({time.time() - started:.0f} s)", flush=True)
    read = teacher_logits(teacher, config, tokenizer, cache, train) if teacher is not None else None
    targets = fit_targets(train, read, distill)
    if progress and teacher is not None:
        print(f"fit-judge: read {len(train)} rows with the teacher {teacher} ({time.time() - started:.0f} s)",
              flush=True)
    history: list[dict] = []  # the reader stays in eval mode: no dropout (weight decay regularises; ~15% faster)
    checkpoint, digest = out / "fit-checkpoint.pt", gold_digest(gold)
    distilled = ({"teacher": weights_digest(teacher), "distill": distill, "partial": len(partials)}
                 if teacher is not None else {})
    settings = {"gold_sha256": digest, "config": config.model_dump(), "epochs": epochs, "lr": lr,
                "batch_size": batch_size, "seed": seed, **distilled}
    first = _resume(checkpoint, settings, reader, opt, sched, rng, history)
    if progress and first:
        print(f"fit-judge: resumed after epoch {first} ({checkpoint})", flush=True)
    step = first * (steps // epochs)
    for epoch in range(first, epochs):
        epoch_started = time.time()
        for batch in length_batches(train, batch_size, rng):
            rows = [train[j] for j in batch]
            labels = torch.tensor([t for j in batch for t in targets[j]], dtype=torch.float32)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bf16):
                logits = _read(reader, tokenizer, cache, rows)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            recent = [*recent[-19:], loss.item()]
            if progress and step % 20 == 0:
                print(f"fit-judge: epoch {epoch + 1}/{epochs} step {step}/{steps} loss (last 20) "
                      f"{sum(recent) / len(recent):.3f} ({time.time() - started:.0f} s)", flush=True)
        dev_logits = _logits(reader, tokenizer, cache, dev)
        accuracy = sum((x > 0) == y for x, y in zip(dev_logits, dev_labels, strict=True)) / len(dev_labels)
        history.append({"epoch": epoch + 1, "dev_accuracy": round(accuracy, 4),
                        "seconds": round(time.time() - epoch_started)})
        if progress:
            print(f"fit-judge: epoch {epoch + 1} dev accuracy {accuracy:.3f} (uncalibrated)", flush=True)
        out.mkdir(parents=True, exist_ok=True)
        torch.save({"settings": settings, "epoch": epoch + 1, "history": history, "rng": rng.getstate(),
                    "reader": {k: v for k, v in reader.state_dict().items() if is_trained(k)},  # full precision
                    "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict()}, checkpoint.with_suffix(".tmp"))
        checkpoint.with_suffix(".tmp").replace(checkpoint)
    save_file(reader.trained_state(), str(out / "reader.safetensors"))
    meta = {"config": config.model_dump(), "calibration": {"scale": 1.0, "shift": 0.0},  # until recalibrate
            "gold_sha256": digest, "fit": {"replies": len(fit), "mismatched": len(mismatched),
                                                      "epochs": epochs, "lr": lr, "batch_size": batch_size,
                                                      "seed": seed, **distilled,
                                                      "seconds": round(time.time() - started),
                                                      "epoch_seconds": sum(h.get("seconds", 0) for h in history),
                                                      "history": history}}
    atomic_write_text(out / "reader.json", json.dumps(meta, indent=1) + "\n")
    checkpoint.unlink(missing_ok=True)
    return recalibrate(gold, out, progress)


def _resume(checkpoint: Path, settings: dict, reader, opt, sched, rng: random.Random, history: list[dict]) -> int:
    """Load the state after the last finished epoch if `checkpoint` was written by a fit with the same gold data
    and settings; returns the number of epochs already done (0 when starting afresh)."""
    import torch

    if not checkpoint.exists():
        return 0
    state = torch.load(checkpoint, weights_only=False)
    if state["settings"] != settings:
        print(f"fit-judge: {checkpoint} is from another fit (gold data or settings differ); starting afresh",
              flush=True)
        return 0
    reader.load_state_dict(state["reader"], strict=False)
    opt.load_state_dict(state["optimizer"])
    sched.load_state_dict(state["scheduler"])
    rng.setstate(state["rng"])
    history += state["history"]
    return int(state["epoch"])


def gold_digest(gold: GoldSet) -> str:
    """Digest of what a fit reads: the primary verdicts of the fit and dev splits, with each reply's split
    (second reads and the test split do not count: adding test data does not change what a fit reproduces)."""
    h = hashlib.sha256()
    for (rid, item), met in sorted(gold.gold_verdicts().items()):
        split = gold.split_of(gold.replies[rid].scenario_id)
        if split != "test":
            h.update(f"{rid}:{item}:{met}:{split}\n".encode())
    return h.hexdigest()[:16]
