"""Run benchmarks on one model: cached per item, resumable, written atomically.

`mc` and `mc2` benchmarks are scored by log-likelihood (`evals/loglik.py`): `mc` gives 1 when the choice
with the highest per-token log-likelihood is aligned, `mc2` the normalised probability mass on the aligned
choices. `generate` benchmarks are answered by `evals/generation.py` and scored by the benchmark's
`score_response`. Each item's result is stored in the result cache as soon as its chunk (log-likelihood)
or decode batch (generation) finishes, so a killed run resumes where it stopped and a repeated run loads no
model at all. Items scored None are *missing*: reported as a count, never averaged in.

    traitrl eval --model embedded --suite truthfulqa_mc1 --limit 50 --out runs/eval
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from traitrl.errors import TraitRLError
from traitrl.evals.benchmark import Benchmark, BenchmarkItem
from traitrl.evals.persona_vectors import Steering
from traitrl.evals.result_cache import ItemResult, ResultCache, context_key, item_key
from traitrl.evals.scorers import item_scenario
from traitrl.evals.stats import SCORE_RANGE, summarize
from traitrl.files import atomic_write_json, atomic_write_jsonl
from traitrl.grading.api import grader_name, load_grader
from traitrl.grading.grade import Grader
from traitrl.grading.refusal import classify_refusal
from traitrl.grading.scoring import mean_score
from traitrl.models.loading import LoadedModel


class Decoding(BaseModel):
    """Decoding settings of a run. `max_new_tokens=None`: each benchmark's own budget."""

    model_config = ConfigDict(extra="forbid")

    max_new_tokens: int | None = None
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0


class BenchmarkResult(BaseModel):
    category: str
    direction: str
    scorer: str
    version: str
    n: int
    mean: float | None
    se: float | None
    ci: tuple[float, float] | None
    missing: int
    max_new_tokens: int | None = None  # generation budget used (generate benchmarks)
    note: str | None = None  # why a benchmark was skipped (e.g. an endpoint without prompt logprobs)
    by_tag: dict[str, float] | None = None  # rubric-graded: clipped mean strict score per rubric-item tag


class SuiteResult(BaseModel):
    model: str
    fingerprint: str
    system_prompt: str | None = None
    steering: dict[str, Any] | None = None  # `Steering.key()` of a steered run
    decoding: Decoding
    benchmarks: dict[str, BenchmarkResult]
    items: list[ItemResult] = []

    def to_json(self) -> dict[str, Any]:
        out = self.model_dump(mode="json", exclude={"items"})
        if out.get("steering") is None:
            out.pop("steering", None)
        for b in out["benchmarks"].values():
            for key in ("note", "max_new_tokens", "by_tag"):
                if b.get(key) is None:
                    b.pop(key, None)
        return out


def spec_fingerprint(spec: str) -> str:
    """The fingerprint `load_policy(spec)` would give, without loading the weights."""
    from traitrl.models.loading import adapter_base, dropped_fingerprint, fingerprint, resolve_model_path

    if (recorded := dropped_fingerprint(Path(spec))) is not None:  # a packed run's model: its weights' digest
        return recorded
    path = resolve_model_path(spec)
    p = Path(path)
    if (p / "adapter_config.json").exists() and not (p / "config.json").exists():
        return fingerprint(adapter_base(path), path)
    return fingerprint(path)


def mc_score(item: BenchmarkItem, logprobs: Sequence[float], n_tokens: Sequence[int], kind: str) -> float | None:
    """MC1: 1 when the best per-token log-likelihood choice is aligned; MC2: probability mass on aligned."""
    if not item.aligned or not logprobs:
        return None
    if kind == "mc":
        norm = [lp / n if n else -math.inf for lp, n in zip(logprobs, n_tokens, strict=True)]
        return float(max(range(len(norm)), key=norm.__getitem__) in item.aligned)
    top = max(logprobs)
    weights = [math.exp(lp - top) for lp in logprobs]
    return sum(weights[i] for i in item.aligned) / sum(weights)


class _Model:
    """Loads the model on first use, so a fully cached run never touches the weights.

    A serving backend (`evals/remote.py` `RemoteModel`, `evals/vllm_backend.py`), or a spec
    `openai:<model>@<base_url>`, is kept in `backend` and answers `generate` / `score_choices` itself."""

    def __init__(self, spec_or_loaded: Any, dtype: str = "auto", tie_check: bool = False) -> None:
        from traitrl.evals.remote import RemoteModel, is_remote_spec
        from traitrl.models.loading import requested_dtype

        # `TRAITRL_DTYPE` makes "auto" another precision on the same machine: named, so cached scores are not mixed
        self.dtype = (requested_dtype() or dtype) if dtype == "auto" else dtype
        self.tie_check = False  # whether near ties are re-scored in fp32 (`exact`): a spec loaded here only
        if is_remote_spec(spec_or_loaded):
            spec_or_loaded = RemoteModel.from_spec(spec_or_loaded)
        self.backend = spec_or_loaded if getattr(spec_or_loaded, "is_backend", False) else None
        self._loaded = spec_or_loaded if isinstance(spec_or_loaded, LoadedModel) else None
        self._from_memory = self._loaded is not None
        if self.backend is not None:
            self.spec, self.fingerprint = self.backend.spec, self.backend.fingerprint
            return
        self.spec = spec_or_loaded.spec if self._loaded else str(spec_or_loaded)
        self.fingerprint = self._loaded.fingerprint if self._loaded else spec_fingerprint(self.spec)
        if self._loaded is None and self.dtype != "auto":  # a precision other than the default is another model
            self.fingerprint = f"{self.fingerprint}+{self.dtype}"
        # weights handed over in memory may not be the spec's, and an fp32 load has nothing to re-score
        self.tie_check = tie_check and not self._from_memory and self.dtype != "float32"
        if self.tie_check and self.dtype == "auto":
            from traitrl.models.loading import default_dtype

            self.tie_check = default_dtype().itemsize < 4  # this machine's choice (measured once) is narrower

    def loglik_note(self) -> str | None:
        """Why this model cannot score mc benchmarks (None: it can)."""
        return self.backend.loglik_note() if self.backend is not None else None

    def get(self) -> LoadedModel:
        if self._loaded is None:
            self._loaded = _load_for_eval(self.spec, self.dtype, self.fingerprint)
        return self._loaded

    def exact(self) -> LoadedModel | None:
        """With `tie_check`, the same spec loaded in fp32 on the model's device, to re-score near-tied choices of
        a model that computes in a narrower type (`loglik.rescore_near_ties`); None when the model already
        computes in fp32 (its scores are what the re-score would give) or without `tie_check`."""
        import torch

        if not self.tie_check:
            return None
        weight = next(self.get().model.parameters())
        if weight.dtype == torch.float32:
            return None
        return _load_for_eval(self.spec, "float32", f"{self.fingerprint}+float32-ties", device=str(weight.device),
                              held=_EXACT_LOADED)


_LAST_LOADED: dict[str, LoadedModel] = {}
_EXACT_LOADED: dict[str, LoadedModel] = {}  # the fp32 copy `_Model.exact` re-scores near ties with, one at a time


def _load_for_eval(spec: str, dtype: str, fingerprint: str, device: str | None = None,
                   held: dict[str, LoadedModel] | None = None) -> LoadedModel:
    """Load a model for evaluation, reusing the previous one when the fingerprint (a hash of the weights,
    config and adapter, plus the dtype) is the same: an experiment evaluates one model under several
    personas in a row, and reloading it each time cost seconds and fragmented the heap. `held` is the slot
    (one model at a time): the evaluated model's (default, `_LAST_LOADED`), or `_EXACT_LOADED` for its fp32 copy,
    which a new evaluated model empties."""
    from traitrl.models.loading import load_policy

    if held is None:
        held = _LAST_LOADED
    if fingerprint not in held:
        if held is _LAST_LOADED:
            _EXACT_LOADED.clear()  # no fp32 copy of another model
        held.clear()
        held[fingerprint] = load_policy(spec, dtype=dtype, device=device, merge_adapter=True)
    return held[fingerprint]


def _score_generations(pairs: Sequence[tuple[Benchmark, BenchmarkItem]], responses: Sequence[str],
                       grader: Grader | None) -> list[ItemResult]:
    """Score answered items: rubric-graded benchmarks in one call to the run's grader (which records the strict
    score, and the expected score under its P(met) in `extra`), the others by their own `score_response`."""
    grades = {}
    for spec in {bench.grader for bench, _ in pairs if bench.graded}:
        use = load_grader(spec) if spec else grader
        if use is None:
            raise TraitRLError("a rubric-graded benchmark needs a grader")
        idx = [i for i, (bench, _) in enumerate(pairs) if bench.graded and bench.grader == spec]
        found = use.grade_batch([item_scenario(pairs[i][1]) for i in idx], [responses[i] for i in idx])
        grades.update(zip(idx, found, strict=True))
    out = []
    for i, ((bench, item), response) in enumerate(zip(pairs, responses, strict=True)):
        score, extra = None, {}
        if i in grades:
            score, expected = grades[i].score, grades[i].expected_score
            extra = {"expected_score": None if math.isnan(expected) else expected, "domain": item.meta.get("domain"),
                     "by_tag": {t: v for t, v in grades[i].by_tag().items() if not math.isnan(v)}}
        elif bench.score_response is None:
            extra["error"] = "benchmark has no score_response"
        else:
            try:
                score = bench.score_response(item, response)
            except TraitRLError:
                raise
            except Exception as e:  # one bad item is unscored with its reason, not the end of the run
                extra["error"] = f"{type(e).__name__}: {e}"
        if score is not None and not math.isfinite(score):
            score = None
            extra.setdefault("error", "no verdict on any positive item" if i in grades else "non-finite score")
        out.append(ItemResult(benchmark=bench.id, item_id=item.id, score=score, response=response,
                              refusal=classify_refusal(response), extra=extra))
    return out


def tag_means(results: Sequence[ItemResult]) -> dict[str, float] | None:
    """Per rubric-item tag, the clipped mean strict score over the replies whose rubric carries the tag."""
    by: dict[str, list[float]] = {}
    for r in results:
        for tag, v in (r.extra.get("by_tag") or {}).items():
            by.setdefault(tag, []).append(v)
    return {t: round(mean_score(v), 6) for t, v in sorted(by.items())} or None


def _run_loglik(model: _Model, pairs: list[tuple[Benchmark, BenchmarkItem]], decoding: Decoding,
               system_prompt: str | None, batch_size: int) -> list[ItemResult]:
    """Score log-likelihood items of any number of benchmarks in one batched call."""
    from traitrl.evals.loglik import near_ties, rescore_near_ties, score_choices

    items = [item for _, item in pairs]
    scored = (model.backend.score_choices(items, system_prompt=system_prompt) if model.backend is not None
              else score_choices(model.get(), items, batch_size=batch_size, system_prompt=system_prompt))
    # only argmax scores (mc): an mc2 score weighs every choice, and a mix of precisions is neither's
    mc = [i for i, (bench, item) in enumerate(pairs) if bench.scorer == "mc" and item.aligned]
    exact = model.exact() if model.tie_check and any(near_ties(scored[i], rule="mean") for i in mc) else None
    if exact is not None:  # `mc_score` ranks by the per-token mean; scores change in place (scored's own lists)
        rescore_near_ties(exact, [items[i] for i in mc], [scored[i] for i in mc], rule="mean",
                          batch_size=batch_size, system_prompt=system_prompt)
    out = []
    for (bench, item), choices in zip(pairs, scored, strict=True):
        lps, ns = [c.logprob for c in choices], [c.n_tokens for c in choices]
        out.append(ItemResult(benchmark=bench.id, item_id=item.id, score=mc_score(item, lps, ns, bench.scorer),
                              extra={"logprobs": lps, "n_tokens": ns}))
    return out


def budget(bench: Benchmark, decoding: Decoding) -> int:
    """Tokens a `generate` benchmark may write: the run's `max_new_tokens`, else the benchmark's own."""
    return decoding.max_new_tokens or bench.max_new_tokens


def _run_generation(model: _Model, pairs: list[tuple[Benchmark, BenchmarkItem]], decoding: Decoding,
                    system_prompt: str | None, batch_size: int, grader: Grader | None = None) -> list[ItemResult]:
    """Answer and score generation items on a serving backend, which takes one budget per call."""
    conversations = [item.messages for _, item in pairs]
    budgets = [budget(bench, decoding) for bench, _ in pairs]
    responses: list[str] = [""] * len(pairs)
    for b in sorted(set(budgets)):
        idx = [i for i, x in enumerate(budgets) if x == b]
        texts = model.backend.generate([conversations[i] for i in idx], max_new_tokens=b,
                                       temperature=decoding.temperature, top_p=decoding.top_p,
                                       seed=decoding.seed, system_prompt=system_prompt)
        for i, t in zip(idx, texts, strict=True):
            responses[i] = t
    return _score_generations(pairs, responses, grader)


def _local_generation(model: _Model, pool: list[tuple[_Pending, int]], decoding: Decoding,
                      system_prompt: str | None, batch_size: int, grader: Grader | None
                      ) -> Iterator[tuple[list[int], list[ItemResult]]]:
    """`(pool indices, results)` per decode batch of all generation items, skipping batches the cache holds
    whole. Batches depend on the items only (`generation.generate_batches`), never on what is cached."""
    from traitrl.evals.generation import generate_batches

    batches = generate_batches(model.get(), [p.items[i].messages for p, i in pool],
                               max_new_tokens=[budget(p.bench, decoding) for p, _ in pool],
                               temperature=decoding.temperature, top_p=decoding.top_p, seed=decoding.seed,
                               batch_size=batch_size, system_prompt=system_prompt,
                               skip=lambda idx: all(pool[j][0].has(pool[j][1]) for j in idx))
    for idx, texts in batches:
        yield idx, _score_generations([(pool[j][0].bench, pool[j][0].items[pool[j][1]]) for j in idx], texts, grader)


class _Pending:
    """One benchmark's items, their cache keys, and the results known so far."""

    def __init__(self, model: _Model, bench: Benchmark, limit: int | None, decoding: Decoding,
                 system_prompt: str | None, cache: ResultCache | None, grader: str | None,
                 steering: dict[str, Any] | None = None) -> None:
        self.bench, self.cache = bench, cache
        items = bench.load()
        self.items = items[:limit] if limit is not None else items
        self.keys = [item_key(it) for it in self.items]
        self.done: dict[str, ItemResult] = {}
        note = model.loglik_note() if bench.scorer in ("mc", "mc2") else None
        self.ctx = ""
        self.skipped = note is not None
        if note is not None:  # skipped, not scored 0, and not cached (a later endpoint may support it)
            self.done = {k: ItemResult(benchmark=bench.id, item_id=it.id, score=None, extra={"skipped": note})
                         for k, it in zip(self.keys, self.items, strict=True)}
            return
        from traitrl.evals.loglik import TIE_MARGIN

        dec = {**decoding.model_dump(), "max_new_tokens": budget(bench, decoding)} if bench.scorer == "generate" \
            else ({"tie_check": TIE_MARGIN} if model.tie_check and bench.scorer == "mc" else {})  # as it runs
        name = grader_name(bench.grader) if bench.grader else grader
        self.ctx = context_key(model.fingerprint, bench, dec, system_prompt, name if bench.graded else None,
                               steering)
        self.done = cache.get_many(self.ctx, self.keys) if cache is not None else {}

    def has(self, index: int) -> bool:
        """Whether item `index` already has a result (cached or computed in this run)."""
        return self.keys[index] in self.done

    def record(self, indices: list[int], results: list[ItemResult]) -> None:
        entries = [(self.keys[i], r) for i, r in zip(indices, results, strict=True)]
        if self.cache is not None:
            self.cache.put_many(self.ctx, entries)
        self.done.update(entries)

    def results(self) -> list[ItemResult]:
        return [self.done[k] for k in self.keys]


def _record(chunk: Sequence[tuple[_Pending, int]], results: Sequence[ItemResult]) -> None:
    """Store results of (benchmark, item index) pairs, grouped by benchmark."""
    by_bench: dict[int, tuple[_Pending, list[int], list[ItemResult]]] = {}
    for (p, i), r in zip(chunk, results, strict=True):
        entry = by_bench.setdefault(id(p), (p, [], []))
        entry[1].append(i)
        entry[2].append(r)
    for p, indices, rs in by_bench.values():
        p.record(indices, rs)


def _chunked(run: Any, model: _Model, pool: list[tuple[_Pending, int]], decoding: Decoding,
             system_prompt: str | None, batch_size: int, chunk_size: int
             ) -> Iterator[tuple[list[int], list[ItemResult]]]:
    """`(pool indices, results)` per chunk of `chunk_size` pool items, skipping chunks the cache holds whole."""
    for start in range(0, len(pool), chunk_size):
        idx = list(range(start, min(start + chunk_size, len(pool))))
        if not all(pool[j][0].has(pool[j][1]) for j in idx):
            pairs = [(pool[j][0].bench, pool[j][0].items[pool[j][1]]) for j in idx]
            yield idx, run(model, pairs, decoding, system_prompt, batch_size)


def _fill(model: _Model, pending: list[_Pending], decoding: Decoding, system_prompt: str | None,
          batch_size: int, gen_batch_size: int, chunk_size: int, grader: Grader | None,
          steering: Steering | None = None) -> None:
    """Compute what the cache lacks, pooling items across benchmarks (a `--limit 8` suite would otherwise
    decode 8 sequences at a time): log-likelihood items first, then generation items.

    Work units are cut from *all* items of the call, cached or not, and a unit with anything missing is
    computed whole and recorded whole: log-likelihood chunks of `chunk_size` items, and for a local model
    each decode batch of all generation items (a batch of up to `gen_batch_size` rows; larger batches decode
    faster). Batch composition (padding, length sorting) therefore never depends on what an interrupted run
    left in the cache, so a resumed run gives byte-identical results; the price is recomputing at most the
    cached part of the units an interruption touched. With `steering`, every forward that computes a unit runs
    with the steering hooks on the model's decoder blocks (`models/steering.py`)."""
    from tqdm.auto import tqdm

    from traitrl.models.steering import steer

    for scorers, what in ((("mc", "mc2"), "log-likelihood"), (("generate",), "generation")):
        pool = [(p, i) for p in pending if p.bench.scorer in scorers and not p.skipped for i in range(len(p.items))]
        missing = sum(not p.has(i) for p, i in pool)
        if not missing:
            continue
        if model.backend is None:
            model.get()  # a model that cannot load fails here, before any progress output
        if what == "generation" and model.backend is None:
            units = _local_generation(model, pool, decoding, system_prompt, gen_batch_size, grader)
        else:
            run = _run_loglik if what == "log-likelihood" else partial(_run_generation, grader=grader)
            units = _chunked(run, model, pool, decoding, system_prompt, batch_size, chunk_size)
        bar = tqdm(total=missing, desc=f"{what} items", unit="item", leave=False)
        hooks = steer(model.get().model, steering.additions()) if steering is not None else nullcontext()
        with hooks:  # units are generators: their forwards run inside
            for idx, results in units:
                unit = [pool[j] for j in idx]
                bar.update(sum(not p.has(i) for p, i in unit))
                _record(unit, results)
        bar.close()


def evaluate(model: str | LoadedModel | Any, benchmarks: Sequence[Benchmark], *, limit: int | None = None,
             limits: Mapping[str, int | None] | None = None, out_dir: str | Path | None = None,
             decoding: Decoding | None = None,
             system_prompt: str | None = None, cache: ResultCache | bool = True, batch_size: int = 16,
             gen_batch_size: int = 256, chunk_size: int = 256, dtype: str = "auto",
             grader: Grader | str | None = None, steering: Steering | None = None,
             tie_check: bool = False) -> SuiteResult:
    """Evaluate `model` on `benchmarks`; with `out_dir`, write items.jsonl and results.json there.

    `model`: a spec (`load_policy` accepts it, or `openai:<model>@<base_url>`), a `LoadedModel`, or a
    serving backend (`RemoteModel`, `VLLMModel`). `limits` overrides `limit` per benchmark id.
    `batch_size` is for log-likelihood scoring, `gen_batch_size` caps the rows of a decode batch (a CPU decode step
    of 192 short rows costs about what 64 cost; `generation.decode_batches` also caps the tokens). Generation items
    get their benchmark's budget unless `decoding.max_new_tokens` is set. `dtype` (auto = the type this CPU computes
    faster in, `models/cpu_dtype.py`) applies to a spec loaded here; `float32` reproduces fp32 tools such as
    lm-evaluation-harness to ~0.002 nats. `grader` (a `Grader` or a spec, default the learned offline judge) grades
    rubric benchmarks; its name is part of their cache key, so another grader never reuses these scores. `steering`
    adds a persona direction to the residual stream during every forward (generation and log-likelihood; local
    models only); its spec and direction digest are part of every cache key. `tie_check`: where a spec loaded
    here computes in bf16, the choices of an argmax (mc) item that bf16's error could reorder are re-scored with
    the spec loaded in fp32 on the same device (`loglik.rescore_near_ties`), so the accuracy is fp32's wherever
    that error stays within `loglik.TIE_MARGIN` (not under steering, whose hooks the fp32 copy lacks, nor for a
    model handed over in memory; part of the log-likelihood cache key where it runs)."""
    decoding = decoding or Decoding()
    if any(b.graded and not b.grader for b in benchmarks) and not hasattr(grader, "grade_batch"):
        grader = load_grader(grader)
    grader_name = getattr(grader, "name", None)
    store = ResultCache() if cache is True else (cache or None)
    handle = _Model(model, dtype, tie_check=tie_check and steering is None)
    if steering is not None and handle.backend is not None:
        raise TraitRLError("activation steering needs a local transformers model, not a serving backend")
    steer_key = steering.key() if steering is not None else None
    limits = limits or {}
    pending = [_Pending(handle, bench, limits.get(bench.id, limit), decoding, system_prompt, store, grader_name,
                        steer_key) for bench in benchmarks]
    _fill(handle, pending, decoding, system_prompt, batch_size, gen_batch_size, chunk_size,
          grader if grader_name else None, steering)
    per_bench: dict[str, BenchmarkResult] = {}
    rows: list[ItemResult] = []
    for p in pending:
        bench, results = p.bench, p.results()
        s = summarize([r.score for r in results], clip=bench.graded, span=None if bench.graded else SCORE_RANGE)
        per_bench[bench.id] = BenchmarkResult(
            category=bench.category, direction=bench.direction, scorer=bench.scorer, version=bench.version,
            n=s.n, mean=s.mean, se=s.se, ci=s.ci, missing=sum(r.score is None for r in results),
            max_new_tokens=budget(bench, decoding) if bench.scorer == "generate" else None,
            note=next((r.extra["skipped"] for r in results if "skipped" in r.extra), None),
            by_tag=tag_means(results) if bench.graded else None)
        rows.extend(results)
    suite = SuiteResult(model=handle.spec, fingerprint=handle.fingerprint, system_prompt=system_prompt,
                        steering=steer_key, decoding=decoding, benchmarks=per_bench, items=rows)
    if out_dir is not None:
        out = Path(out_dir)
        atomic_write_jsonl(out / "items.jsonl", [r.model_dump(mode="json") for r in rows])
        atomic_write_json(out / "results.json", suite.to_json())
    if cache is True and store is not None:
        store.close()
    return suite
