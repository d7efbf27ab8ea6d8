"""A KV cache layer that does not re-copy itself at every decode step.

transformers' `DynamicLayer` concatenates each new key/value onto the whole cache (`torch.cat`), so a decode
step copies the cache once more: 13% of an evaluation decode on a CPU (py-spy). `GrowableLayer` writes new
states into capacity reserved up front and returns views of the filled part: the same values, no per-step
copy. `growable_cache(model, reserve)` is a `DynamicCache` made of them; `generate` accepts it as its cache.
`place_rows` copies a row block prefilled on its own (a shorter, less padded prompt block) into such a cache,
right-aligned, so a large batch can be prefilled in pieces.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers.cache_utils import DynamicCache, DynamicLayer


class GrowableLayer(DynamicLayer):
    """`DynamicLayer` whose keys and values are views into a buffer with `reserve` spare positions."""

    def __init__(self, reserve: int = 256, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reserve = reserve
        self._buf: tuple[torch.Tensor, torch.Tensor] | None = None

    def _owns_states(self) -> bool:
        """False when a base-class method (crop, reorder, repeat) replaced `keys` with a tensor of its own."""
        if self._buf is None:
            return False
        kb = self._buf[0]
        return (self.keys.data_ptr() == kb.data_ptr() and self.keys.shape[0] == kb.shape[0]
                and self.keys.shape[1] == kb.shape[1])

    def _new_buffer(self, keys: torch.Tensor, values: torch.Tensor, rows: int, length: int,
                    zero: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """Key and value buffers shaped like `keys`/`values` with `rows` rows and `length + reserve` positions."""
        make = torch.zeros if zero else torch.empty
        return tuple(make(rows, x.shape[1], length + self.reserve, x.shape[-1], dtype=x.dtype, device=x.device)
                     for x in (keys, values))

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any,
               **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        length = self.get_seq_length()
        need = length + key_states.shape[-2]
        if not self._owns_states() or need > self._buf[0].shape[-2]:
            kb, vb = self._new_buffer(key_states, value_states, key_states.shape[0], need, zero=False)
            if length:
                kb[:, :, :length].copy_(self.keys)
                vb[:, :, :length].copy_(self.values)
            self._buf = (kb, vb)
        kb, vb = self._buf
        kb[:, :, length:need].copy_(key_states)
        vb[:, :, length:need].copy_(value_states)
        self.keys, self.values = kb[:, :, :need], vb[:, :, :need]
        return self.keys, self.values

    def place(self, rows: slice, total_rows: int, width: int, keys: torch.Tensor, values: torch.Tensor) -> None:
        """Write `keys`/`values` of the rows `rows` of a `total_rows` x `width` cache, right-aligned (left
        padded). The buffer is zero-filled when first allocated, so padding never holds NaNs a masked
        attention weight of 0 would turn into NaN outputs."""
        if self._buf is None:
            self.lazy_initialization(keys, values)
            self._buf = self._new_buffer(keys, values, total_rows, width, zero=True)
            self.keys, self.values = self._buf[0][:, :, :width], self._buf[1][:, :, :width]
        n = keys.shape[-2]
        self._buf[0][rows, :, width - n: width].copy_(keys)
        self._buf[1][rows, :, width - n: width].copy_(values)

    def batch_select_indices(self, indices: torch.Tensor) -> None:
        if self.get_seq_length() == 0 or not self._owns_states():
            super().batch_select_indices(indices)
            return
        length = self.get_seq_length()
        self._buf = (self._buf[0][indices], self._buf[1][indices])
        self.keys, self.values = self._buf[0][:, :, :length], self._buf[1][:, :, :length]


def growable_cache(model: Any, reserve: int) -> DynamicCache:
    """The `DynamicCache` transformers would build for `model`, with `GrowableLayer` for each full-attention
    layer (sliding-window and other special layers are kept as they are)."""
    cache = DynamicCache(config=model.config)
    cache.layers = [GrowableLayer(reserve=reserve) if type(layer) is DynamicLayer else layer
                    for layer in cache.layers]
    return cache


def can_place_rows(cache: DynamicCache) -> bool:
    """Whether every layer of `cache` is a `GrowableLayer` (sliding-window layers cannot be stacked)."""
    return all(type(layer) is GrowableLayer for layer in cache.layers)


def place_rows(cache: DynamicCache, part: DynamicCache, rows: slice, total_rows: int, width: int) -> None:
    """Copy the states of `part` (a cache prefilled for the row block `rows` alone, possibly narrower) into
    `cache`, a growable cache of `total_rows` x `width` positions, right-aligned."""
    for layer, src in zip(cache.layers, part.layers, strict=True):
        layer.place(rows, total_rows, width, src.keys, src.values)


def cache_kwarg(model: Any) -> str:
    """`cache` (transformers >= 5.24) or `past_key_values` (earlier), as the model's forward names it."""
    import inspect

    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return "cache" if "cache" in inspect.signature(type(base).forward).parameters else "past_key_values"
