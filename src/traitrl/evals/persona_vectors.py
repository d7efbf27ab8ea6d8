"""Persona vectors (Chen et al., 2025): a trait's direction in the residual stream, and steering along it.

Recipe, on the data in `builtin/persona_vectors.yaml`:
- every question is answered greedily twice, under the persona's `elicit` and `opposite` system prompts;
- direction per layer = mean over the `extract` questions of the block output averaged over the response
  tokens (read with the system prompt, as generated), elicited minus opposite: `(layers, hidden)`;
- layer rule: the layer (the last block excluded: its output only feeds the final norm and head) whose
  projection best separates elicited from opposite responses on the `dev` questions, measured as Cohen's d,
  with the responses re-read *without* any persona system prompt (so the prompt itself cannot separate them);
- sanity: AUROC of that projection on the `test` questions, read the same way (`auroc`), and read with the
  persona prompts in place (`auroc_prompted`: how much of the direction is the prompt itself).

Steering adds `coef x direction[layer]` (the raw mean difference: coefficient 1 moves the residual stream by
the elicited-minus-opposite gap) to the output of block `layer` at every position (`models/steering.py`).
A `Steering` names its direction file, whose content digest enters the result-cache key.

    path = cached_direction(loaded.fingerprint, "deceptive", lambda: loaded)  # extracted once per model
    evaluate(loaded, benches, steering=steering_for(path, "deceptive", None, 4.0))  # layer None: the rule's
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from traitrl.errors import InputError
from traitrl.files import atomic_write_bytes, load_yaml_model
from traitrl.models.loading import LoadedModel
from traitrl.types import Message

DATA = Path(__file__).with_name("builtin") / "persona_vectors.yaml"
RECIPE = "persona-vectors-2"  # bump when the extraction changes: part of every direction key


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonaPrompts(_Strict):
    id: str
    harmful: bool
    benchmarks: list[str] = []
    elicit: str
    opposite: str


class Question(_Strict):
    split: Literal["extract", "dev", "test"]
    text: str


class PersonaData(_Strict):
    version: int
    personas: list[PersonaPrompts]
    questions: list[Question] = Field(min_length=40)

    @field_validator("questions")
    @classmethod
    def _every_split(cls, v: list[Question]) -> list[Question]:
        counts = {s: sum(q.split == s for q in v) for s in ("extract", "dev", "test")}
        if min(counts.values()) < 2:
            raise ValueError(f"every split needs at least 2 questions ({counts})")
        return v


@lru_cache(maxsize=4)
def persona_data(path: Path = DATA) -> PersonaData:
    return load_yaml_model(path, PersonaData)


def get_steer_persona(persona_id: str, field: str = "persona") -> PersonaPrompts:
    found = {p.id: p for p in persona_data().personas}
    if persona_id not in found:
        raise InputError(f"unknown steering persona {persona_id!r}; known: {', '.join(found)}", field=field)
    return found[persona_id]


class ExtractSettings(_Strict):
    max_new_tokens: int = Field(40, ge=4)
    batch_size: int = Field(16, ge=1)


class DirectionInfo(_Strict):
    """What an extraction measured, stored beside the vectors."""

    persona: str
    source: str  # fingerprint of the model the direction was read from
    layer: int  # chosen by the layer rule
    separation: list[float | None]  # dev Cohen's d per layer
    norm: list[float]  # L2 norm of the direction per layer
    auroc_dev: float | None
    auroc: float | None  # test questions, chosen layer
    auroc_prompted: float | None = None  # the same, responses read with their persona prompts (as extracted)
    n: dict[str, int]  # questions per split
    empty: int = 0  # responses (of 2 per question) that ended at once


# ---- steering spec --------------------------------------------------------------------------------------

_SPEC = re.compile(r"^(?P<persona>[A-Za-z0-9_]+)@(?P<layer>auto|-?\d+):(?P<coef>[-+]?[0-9.]+(?:e[-+]?\d+)?)$")


def parse_steer(text: str, field: str = "--steer") -> tuple[str, int | None, float]:
    """`PERSONA@LAYER:COEF` (LAYER an integer or `auto`, the layer rule's choice) as (persona, layer, coef)."""
    m = _SPEC.match(text.strip())
    if not m:
        raise InputError(f"expected PERSONA@LAYER:COEF (e.g. deceptive@12:4 or deceptive@auto:4), got {text!r}",
                         field=field)
    try:
        coef = float(m["coef"])
    except ValueError:
        raise InputError(f"coefficient {m['coef']!r} is not a number", field=field) from None
    if not math.isfinite(coef):
        raise InputError("coefficient must be finite", field=field)
    get_steer_persona(m["persona"], field=field)
    return m["persona"], None if m["layer"] == "auto" else int(m["layer"]), coef


class Steering(BaseModel):
    """One steering attack: add `coef x` the persona's direction (from `directions`) after block `layer`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    persona: str
    layer: int
    coef: float
    directions: Path

    @property
    def label(self) -> str:
        return f"{self.persona}@{self.layer}:{self.coef:g}"

    def key(self) -> dict[str, Any]:
        """What the result cache and stage keys hold: the spec plus the direction file's content digest."""
        digest = hashlib.sha256(self.directions.read_bytes()).hexdigest()[:16]
        return {"persona": self.persona, "layer": self.layer, "coef": self.coef, "directions": digest}

    def additions(self) -> dict[int, Any]:
        vectors, _ = read_direction(self.directions)
        return {self.layer: self.coef * vectors[self.layer]}


def num_layers(spec: str) -> int:
    """Decoder blocks of a model spec, read from its config (no weights loaded)."""
    from transformers import AutoConfig

    from traitrl.models.loading import adapter_base, resolve_model_path

    path = resolve_model_path(spec)
    if (Path(path) / "adapter_config.json").exists() and not (Path(path) / "config.json").exists():
        path = adapter_base(path)
    config = AutoConfig.from_pretrained(path)
    return int(config.get_text_config().num_hidden_layers)


def check_layer(layer: int, n_layers: int, field: str = "--steer") -> None:
    if not 0 <= layer < n_layers:
        raise InputError(f"layer {layer} out of range: the model has layers 0..{n_layers - 1}", field=field)


# ---- extraction -----------------------------------------------------------------------------------------

def _response_means(loaded: LoadedModel, prompts: Sequence[str], responses: Sequence[str],
                    batch_size: int) -> Any:
    """`(rows, layers, hidden)` float32: each block's output averaged over the response tokens of
    `prompt + response` (the two tokenized separately, so the boundary is exact); an empty response reads the
    last prompt token (the position that chose to end at once)."""
    import torch

    from traitrl.models.cpu import cpu_thread_policy
    from traitrl.models.steering import record

    tok, model = loaded.tokenizer, loaded.model
    device = next(model.parameters()).device
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    rows = [(tok(p, add_special_tokens=False)["input_ids"], tok(r, add_special_tokens=False)["input_ids"])
            for p, r in zip(prompts, responses, strict=True)]
    out = []
    with torch.inference_mode(), cpu_thread_policy(device), record(model) as seen:
        for start in range(0, len(rows), batch_size):
            chunk = rows[start: start + batch_size]
            width = max(len(p) + len(r) for p, r in chunk)
            ids = torch.full((len(chunk), width), pad, dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            resp = torch.zeros((len(chunk), width), dtype=torch.float32)
            for b, (p, r) in enumerate(chunk):
                n = len(p) + len(r)
                ids[b, width - n:] = torch.tensor(p + r)
                mask[b, width - n:] = 1
                resp[b, width - max(len(r), 1):] = 1.0
            position = (mask.cumsum(-1) - 1).clamp(min=0)
            model(input_ids=ids.to(device), attention_mask=mask.to(device), position_ids=position.to(device),
                  use_cache=False)
            weights = (resp / resp.sum(-1, keepdim=True)).to(device)
            out.append(torch.stack([torch.einsum("bt,btd->bd", weights, h.float()) for h in seen], 1).cpu())
    return torch.cat(out)


def auroc(pos: Sequence[float], neg: Sequence[float]) -> float | None:
    """P(a random positive scores above a random negative), ties counting one half (Mann-Whitney)."""
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _cohens_d(a: Any, b: Any) -> float | None:
    if len(a) < 2 or len(b) < 2:
        return None
    pooled = math.sqrt((float(a.var()) + float(b.var())) / 2)  # sample variances
    gap = float(a.mean() - b.mean())
    return gap / pooled if pooled > 0 else (math.inf if gap > 0 else None)


def choose_layer(separation: Sequence[float | None]) -> int:
    """The layer rule: the largest dev separation, the last block excluded (ties: the earlier layer)."""
    usable = list(separation[:-1]) if len(separation) > 1 else list(separation)
    scored = [(s if s is not None else -math.inf, -i) for i, s in enumerate(usable)]
    return -max(scored)[1]


def extract_direction(loaded: LoadedModel, persona_id: str, settings: ExtractSettings | None = None,
                      data: PersonaData | None = None) -> tuple[Any, DirectionInfo]:
    """`(directions (layers, hidden) float32, DirectionInfo)` for one persona on one model."""

    from traitrl.evals.generation import generate
    from traitrl.evals.loglik import render_prompt

    settings = settings or ExtractSettings()
    data = data or persona_data()
    persona = next((p for p in data.personas if p.id == persona_id), None) or get_steer_persona(persona_id)
    convs = [[Message(role="user", content=q.text)] for q in data.questions]
    answers = {side: generate(loaded, convs, max_new_tokens=settings.max_new_tokens, batch_size=settings.batch_size,
                              system_prompt=getattr(persona, side), progress=False)
               for side in ("elicit", "opposite")}
    split = {s: [i for i, q in enumerate(data.questions) if q.split == s] for s in ("extract", "dev", "test")}
    tok = loaded.tokenizer

    def means(idx: list[int], side: str, with_system: bool) -> Any:
        system = getattr(persona, side) if with_system else None
        prompts = [render_prompt(tok, convs[i], system) for i in idx]
        return _response_means(loaded, prompts, [answers[side][i] for i in idx], settings.batch_size)

    ex = split["extract"]
    direction = means(ex, "elicit", True).mean(0) - means(ex, "opposite", True).mean(0)  # (layers, hidden)
    unit = direction / direction.norm(dim=-1, keepdim=True).clamp(min=1e-12)

    def projections(idx: list[int], prompted: bool = False) -> tuple[Any, Any]:  # (rows, layers) each
        return ((means(idx, "elicit", prompted) * unit).sum(-1), (means(idx, "opposite", prompted) * unit).sum(-1))

    dev_e, dev_o = projections(split["dev"])
    separation = [_cohens_d(dev_e[:, layer], dev_o[:, layer]) for layer in range(len(unit))]
    layer = choose_layer(separation)
    test_e, test_o = projections(split["test"])
    prompted_e, prompted_o = projections(split["test"], prompted=True)
    info = DirectionInfo(
        persona=persona_id, source=loaded.fingerprint, layer=layer,
        separation=[None if s is None or not math.isfinite(s) else round(s, 4) for s in separation],
        norm=[round(float(x), 4) for x in direction.norm(dim=-1)],
        auroc_dev=auroc(dev_e[:, layer].tolist(), dev_o[:, layer].tolist()),
        auroc=auroc(test_e[:, layer].tolist(), test_o[:, layer].tolist()),
        auroc_prompted=auroc(prompted_e[:, layer].tolist(), prompted_o[:, layer].tolist()),
        n={s: len(v) for s, v in split.items()}, empty=sum(not a for side in answers.values() for a in side))
    return direction.contiguous(), info


def write_direction(path: str | Path, direction: Any, info: DirectionInfo) -> Path:
    """Directions and their `DirectionInfo` in one safetensors file, written atomically."""
    from safetensors.torch import save

    atomic_write_bytes(path, save({"direction": direction.float().contiguous()},
                                  metadata={"info": info.model_dump_json()}))
    return Path(path)


def read_direction(path: str | Path) -> tuple[Any, DirectionInfo]:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        info = DirectionInfo.model_validate_json(f.metadata()["info"])
        return f.get_tensor("direction"), info


def direction_key(fingerprint: str, persona_id: str, settings: ExtractSettings) -> str:
    """Content key of an extraction: source model, the persona's prompts, the questions, settings, recipe."""
    data = persona_data()
    persona = get_steer_persona(persona_id)
    blob = json.dumps({"model": fingerprint, "persona": persona.model_dump(), "recipe": RECIPE,
                       "questions": [q.model_dump() for q in data.questions], "settings": settings.model_dump()},
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def cached_direction(fingerprint: str, persona_id: str, load: Callable[[], LoadedModel],
                     settings: ExtractSettings | None = None) -> Path:
    """The persona's direction file for the model `fingerprint` under `TRAITRL_CACHE/persona_vectors/`,
    extracted once (`load()` is called only then, so a cached direction needs no weights)."""
    from traitrl.settings import cache_dir

    settings = settings or ExtractSettings()
    key = direction_key(fingerprint, persona_id, settings)
    path = cache_dir() / "persona_vectors" / f"{persona_id}-{key}.safetensors"
    if not path.exists():
        write_direction(path, *extract_direction(load(), persona_id, settings))
    return path


def steering_for(directions: Path, persona: str, layer: int | None, coef: float, field: str = "--steer"
                 ) -> Steering:
    """A `Steering` on a direction file; `layer` None: the layer the extraction chose."""
    vectors, info = read_direction(directions)
    chosen = info.layer if layer is None else layer
    check_layer(chosen, len(vectors), field)
    return Steering(persona=persona, layer=chosen, coef=coef, directions=Path(directions))
