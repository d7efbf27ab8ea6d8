"""The learned offline judge as a grader: P(met) for every rubric item, read from the criterion text.

It grades any HealthBench-style rubric (imported ones included) with no hand-written check: the criterion is
read by `CriterionReader` (see `model.py`) against the reply and the last user turn. Each `ItemGrade` carries
`probability` = P(met) after the reply-level calibration fitted on the gold dev split (`calibration.py`: the
item's logit read beside the reply's other items), and `met = probability >= 0.5`.
The RL reward is the expected score under those probabilities (`Grade.expected_score`), the held-out metric
the strict score (`Grade.score`); one judge, two readings of it.

A judge folder holds one fitted reader (`reader.safetensors`, `reader.json`: config, calibration, the gold data
hash and the fit metrics; `traitrl grade fit-judge` rebuilds them from the gold set) or names several in
`reader.json` (`members`; `traitrl grade ensemble-judge`): their logits are averaged and the calibration is
fitted on the average. The shipped judge in `grading/learned/weights/` is one reader distilled from four
(docs/grading.md: 1.85x the three-reader judge's rate on gold dev, per-verdict agreement within 0.005 on test).
An empty reply meets nothing. Runs on the CPU in the type its products run faster in (`models/cpu_dtype.py`:
bf16 where the CPU computes it natively, else fp32).

    from traitrl.grading.learned.judge import LearnedJudge
    grades = LearnedJudge.load().grade_batch(scenarios, responses)
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from traitrl.errors import InputError, ModelLoadError
from traitrl.grading.grade import Grade, item_grade
from traitrl.grading.learned.calibration import FEATURES, ReplyCalibration
from traitrl.types import Scenario

if TYPE_CHECKING:
    import torch

    from traitrl.grading.learned.model import CriterionBatch, ReplyBatch

WEIGHTS_DIR = Path(__file__).parent / "weights"
# padded tokens (reply side + criterion side) per reader batch: products of ~6k rows ran 8 % faster end to end
# than of 16k on the AVX-512 EPYC (a 16k x 384 -> 1536 product: 263 GFLOP/s, 4k: 353); verdicts move by bf16
# rounding with the batch (8 of 16,285 gold test verdicts flipped, |dp| <= 0.025)
BATCH_TOKENS = 6_000
_lock = threading.Lock()
_loaded: dict[str, LearnedJudge] = {}


def reply_context(scenario: Scenario) -> str:
    """What the judge reads besides the reply: the last user turn."""
    return scenario.messages[-1].content


class LearnedJudge:
    """Grader backed by a fitted `CriterionReader`; `name` records the weights' digest."""

    def __init__(self, readers: list, tokenizer, calibration: ReplyCalibration, digest: str) -> None:
        self.readers = [r.eval() for r in readers]  # one, or an ensemble whose logits are averaged
        self.reader = self.readers[0]  # its config tokenizes for all of them (checked when built)
        self.tokenizer = tokenizer
        self.calibration = calibration
        self.name = f"offline-judge(reader={digest})"  # = judge_name(folder)

    @classmethod
    def load(cls, weights_dir: Path | None = None) -> LearnedJudge:
        folder = Path(weights_dir or WEIGHTS_DIR)
        with _lock:
            if str(folder) not in _loaded:
                _loaded[str(folder)] = cls._build(folder)
            return _loaded[str(folder)]

    @classmethod
    def _build(cls, folder: Path) -> LearnedJudge:
        meta_path = folder / "reader.json"
        meta = read_meta(folder)
        loaded = [load_fitted_reader(m) for m in member_folders(folder)]
        if len({r.config.reading() for r, _ in loaded}) > 1:
            raise ModelLoadError(f"{meta_path}: members read replies differently (context, lengths or word count)")
        return cls([r for r, _ in loaded], loaded[0][1], read_calibration(meta["calibration"]),
                   weights_digest(folder))

    def probabilities(self, scenarios: list[Scenario], responses: list[str]) -> list[list[float]]:
        """P(met) per rubric item of every (scenario, response); an empty reply meets nothing."""
        import torch

        out = []
        for s, logits in zip(scenarios, self.logits(scenarios, responses), strict=True):
            if logits is None:
                out.append([0.0] * len(s.rubric))
            else:
                z = self.calibration.calibrated_logits(logits, [it.points for it in s.rubric])
                out.append(torch.sigmoid(torch.tensor(z)).tolist())
        return out

    def logits(self, scenarios: list[Scenario], responses: list[str]) -> list[list[float] | None]:
        """The reader's own logit per rubric item, before calibration (None for an empty reply)."""
        import torch

        from traitrl.grading.learned.model import criterion_batch, reply_batch, tokenize_replies

        out: list[list[float] | None] = [None] * len(scenarios)
        todo = [i for i, r in enumerate(responses) if r.strip()]
        seqs = dict(zip(todo, tokenize_replies(self.tokenizer, self.reader.config,
                                               [(reply_context(scenarios[i]), responses[i]) for i in todo]),
                        strict=True))
        crit_tokens = self._criterion_tokens([scenarios[i] for i in todo])
        for idx in plan_batches(todo, [len(seqs[i]) for i in todo], crit_tokens):
            rows = [seqs[i] for i in idx]
            crit = criterion_batch(self.tokenizer, self.reader.config, [len(q) for q in rows],
                                   [[it.criterion for it in scenarios[i].rubric] for i in idx],
                                   [[it.points for it in scenarios[i].rubric] for i in idx])
            with torch.inference_mode():
                logits = self._read(reply_batch(rows, self.tokenizer.pad_token_id), crit)
            flat = logits.float().tolist()
            k = 0
            for i in idx:
                n = len(scenarios[i].rubric)
                out[i] = flat[k:k + n]
                k += n
        return out

    def _read(self, replies: ReplyBatch, crit: CriterionBatch) -> torch.Tensor:
        """The mean of the readers' logits. Readers whose reply side is frozen read the same keys and values of
        the reply (the pretrained weights), so an ensemble encodes each reply once."""
        shared = None
        total: torch.Tensor | int = 0
        for reader in self.readers:
            if reader.config.reply_trained_layers:
                total = total + reader(replies, crit)
                continue
            shared = shared if shared is not None else reader.encode_reply_kv(replies)
            total = total + reader.read([], replies.valid, crit, kv=shared)
        return total / len(self.readers)

    def _criterion_tokens(self, scenarios: list[Scenario]) -> list[int]:
        """The criterion side's length for each scenario ([CLS] criterion [SEP] per item, cut as the reader cuts)."""
        cap = self.reader.config.max_criterion_tokens
        texts = sorted({it.criterion for s in scenarios for it in s.rubric})
        ids = self.tokenizer(texts, add_special_tokens=False)["input_ids"] if texts else []
        size = {c: min(len(i), cap) + 2 for c, i in zip(texts, ids, strict=True)}
        return [sum(size[it.criterion] for it in s.rubric) for s in scenarios]

    def grade_batch(self, scenarios: list[Scenario], responses: list[str]) -> list[Grade]:
        if len(scenarios) != len(responses):
            raise ValueError(f"{len(scenarios)} scenarios but {len(responses)} responses")
        probs = self.probabilities(scenarios, responses)
        return [Grade(scenario_id=s.id, grader=self.name,
                      items=[item_grade(item, p >= 0.5, probability=p) for item, p in zip(s.rubric, ps, strict=True)])
                for s, ps in zip(scenarios, probs, strict=True)]


def plan_batches(ids: list[int], reply_tokens: list[int], criterion_tokens: list[int],
                 budget: int = BATCH_TOKENS, window: int = 4) -> list[list[int]]:
    """`ids` cut into batches whose padded reply side and criterion side are both near their real sizes.

    Sorted by reply tokens, then cut into windows of about `window` batches, each window sorted by criterion
    tokens, and each batch filled while (rows) x (widest reply + widest criterion side) stays within `budget`.
    Sorting by the reply alone left the criterion side 63 % padding on the gold test replies (a reply's rubric
    can be 4 short criteria or 6 long ones)."""
    order = sorted(range(len(ids)), key=lambda k: reply_tokens[k])
    batches: list[list[int]] = []
    start = 0
    while start < len(order):
        end, used = start, 0
        while end < len(order) and (used < window * budget or end == start):
            used += reply_tokens[order[end]] + criterion_tokens[order[end]]
            end += 1
        chunk = sorted(order[start:end], key=lambda k: criterion_tokens[k])
        batch: list[int] = []
        widest_reply = widest_crit = 0
        for k in chunk:
            r, c = max(widest_reply, reply_tokens[k]), max(widest_crit, criterion_tokens[k])
            if batch and (len(batch) + 1) * (r + c) > budget:
                batches.append([ids[j] for j in batch])
                batch, r, c = [], reply_tokens[k], criterion_tokens[k]
            batch.append(k)
            widest_reply, widest_crit = r, c
        if batch:
            batches.append([ids[j] for j in batch])
        start = end
    return batches


def load_fitted_reader(folder: Path):
    """One fitted reader (adapters folded, in the judge's dtype) and its tokenizer, from `folder`."""
    import torch
    from safetensors.torch import load_file

    from traitrl.grading.learned.model import ReaderConfig
    from traitrl.grading.learned.pretrained import load_reader

    weights_path = folder / "reader.safetensors"
    meta = read_meta(folder)
    if not weights_path.exists():
        raise no_weights(folder)
    if not isinstance(meta.get("config"), dict):
        raise InputError("missing or not an object", file=str(folder / "reader.json"), field="config")
    reader, tokenizer = load_reader(ReaderConfig(**meta["config"]))
    missing = set(reader.trained_state()) - set(state := load_file(str(weights_path)))
    if missing:
        raise ModelLoadError(f"{weights_path}: missing weights {sorted(missing)[:3]}")
    reader.load_state_dict(state, strict=False)
    reader.merge_adapters()
    if reader_dtype() == torch.bfloat16:
        reader.to(torch.bfloat16)
    return reader, tokenizer


def member_folders(folder: Path) -> list[Path]:
    """The folders of a judge's fitted readers: its `members`, or the folder itself for a single reader."""
    return [folder / m for m in read_meta(folder).get("members", [])] or [folder]


def read_calibration(data: dict) -> ReplyCalibration:
    """`reader.json`'s calibration; an older judge's Platt scaling {scale, shift} is the same rule with the
    reader's logit as its only feature."""
    if "weights" in data:
        return ReplyCalibration(**data)
    return ReplyCalibration(weights=[data["scale"]] + [0.0] * (len(FEATURES) - 1), bias=data["shift"])


def no_weights(folder: Path) -> ModelLoadError:
    return ModelLoadError(f"no judge weights in {folder}: run `traitrl grade fit-judge --out {folder}`")


def _meta_bytes_and_dict(folder: Path) -> tuple[bytes, dict]:
    """A judge folder's `reader.json`, raw and parsed: a missing one is a `ModelLoadError`, a broken one bad
    input naming it."""
    path = folder / "reader.json"
    if not path.is_file():
        raise no_weights(folder)
    raw = path.read_bytes()
    try:
        meta = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(f"not valid JSON ({e})", file=str(path)) from None
    if not isinstance(meta, dict):
        raise InputError("expected a JSON object", file=str(path))
    return raw, meta


def read_meta(folder: Path) -> dict:
    """A judge folder's parsed `reader.json` (see `_meta_bytes_and_dict`)."""
    return _meta_bytes_and_dict(folder)[1]


def weights_digest(folder: Path | None = None) -> str:
    """Content digest of a judge's weights and metadata (its recorded name), without loading it."""
    folder = Path(folder or WEIGHTS_DIR)
    raw, meta = _meta_bytes_and_dict(folder)
    members = meta.get("members", [])
    try:
        data = b"".join((folder / m / "reader.safetensors").read_bytes() + (folder / m / "reader.json").read_bytes()
                        for m in members) if members else (folder / "reader.safetensors").read_bytes()
    except OSError:
        raise no_weights(folder) from None
    return hashlib.sha256(data + raw).hexdigest()[:12]


def judge_name(folder: Path | None = None) -> str:
    return f"offline-judge(reader={weights_digest(folder)})"


def reader_dtype():
    """The CPU's measured compute type (`models.cpu_dtype`): bf16 where it is fast, fp32 elsewhere."""
    from traitrl.models.cpu_dtype import cpu_compute_dtype

    return cpu_compute_dtype()
