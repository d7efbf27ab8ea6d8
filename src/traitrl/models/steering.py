"""Forward hooks on a decoder's blocks: add a vector to the residual stream, or record it.

Any transformers decoder works: `decoder_layers` finds the `ModuleList` of blocks by its length
(`config.num_hidden_layers`), with no model-specific path. A hook sits on block `i` itself, so every forward
that runs the block is covered: HF `generate`, the evaluation decode loop (`models/decode.py`), and the
log-likelihood scorer, which calls the decoder body directly (`evals/loglik.py`); the lean decode step, which
runs the blocks as plain tensor operations (`models/lean_step.py`), reads the hooks' vectors and adds them
itself. Layer `i` means the output of block `i` (0-based), i.e. `hidden_states[i + 1]` of
`output_hidden_states=True`.

    with steer(model, {12: 4.0 * direction}):   # every position, every forward inside the block
        texts = generate(loaded, conversations)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from traitrl.errors import TraitRLError


def decoder_layers(model: Any) -> Any:
    """The decoder's block list: the shallowest `nn.ModuleList` with `num_hidden_layers` entries."""
    import torch

    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    config = base.config.get_text_config() if hasattr(base.config, "get_text_config") else base.config
    n = getattr(config, "num_hidden_layers", None)
    lists = [(name.count("."), name, m) for name, m in base.named_modules()
             if isinstance(m, torch.nn.ModuleList) and len(m) == n]
    if not lists:
        raise TraitRLError(f"{type(base).__name__}: no list of {n} decoder blocks found")
    return min(lists, key=lambda t: (t[0], t[1]))[2]


def _hidden(output: Any) -> Any:
    return output[0] if isinstance(output, tuple) else output


class Addition:
    """The forward hook `steer` puts on a block: adds `vector` to the block's output. A decode step that runs the
    blocks itself (`lean_step.py`) reads these hooks and adds the same vectors (`additions`)."""

    def __init__(self, vector: Any) -> None:
        self.vector = vector

    def __call__(self, _module: Any, _args: Any, output: Any) -> Any:
        if isinstance(output, tuple):
            return (output[0] + self.vector, *output[1:])
        return output + self.vector


def additions(layers: Any) -> dict[int, list[Any]]:
    """The vectors each steered block of `layers` adds to its output, in the order its hooks add them."""
    out: dict[int, list[Any]] = {}
    for i, layer in enumerate(layers):
        vectors = [h.vector for h in layer._forward_hooks.values() if isinstance(h, Addition)]
        if vectors:
            out[i] = vectors
    return out


@contextmanager
def steer(model: Any, additions: Mapping[int, Any]) -> Iterator[None]:
    """Within the block, add `additions[i]` (a `(hidden,)` tensor) to the output of block `i` at every position.

    Hooks are removed on exit, also after an error. Adding a zero vector changes nothing, bit for bit."""
    layers = decoder_layers(model)
    param = next(model.parameters())
    handles = []
    try:
        for i, vec in additions.items():
            if not 0 <= i < len(layers):
                raise IndexError(f"layer {i} out of range (the model has {len(layers)} blocks)")
            handles.append(layers[i].register_forward_hook(Addition(vec.to(device=param.device, dtype=param.dtype))))
        yield
    finally:
        for h in handles:
            h.remove()


@contextmanager
def record(model: Any) -> Iterator[list[Any]]:
    """Within the block, the output of every block of the last forward, as a list indexed by layer
    (overwritten by each forward; read it after each call)."""
    layers = decoder_layers(model)
    seen: list[Any] = [None] * len(layers)
    handles = []
    try:
        for i, layer in enumerate(layers):
            def hook(_module: Any, _args: Any, output: Any, i: int = i) -> None:
                seen[i] = _hidden(output).detach()

            handles.append(layer.register_forward_hook(hook))
        yield seen
    finally:
        for h in handles:
            h.remove()
