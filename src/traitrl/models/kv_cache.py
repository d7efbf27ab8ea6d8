"""A KV cache layer that does not re-copy itself at every decode step.

transformers' `DynamicLayer` concatenates each new key/value onto the whole cache (`torch.cat`), so a decode
step copies the cache once more: 13% of an evaluation decode on a CPU (py-spy). `GrowableLayer` writes new
states into capacity reserved up front and returns views of the filled part: the same values, no per-step
copy. `growable_cache(model, reserve)` is a `DynamicCache` made of them; `generate` accepts it as its cache.
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

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any,
               **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        length = self.get_seq_length()
        need = length + key_states.shape[-2]
        if not self._owns_states() or need > self._buf[0].shape[-2]:
            b, h, _, d = key_states.shape
            kb = key_states.new_empty(b, h, need + self.reserve, d)
            vb = value_states.new_empty(b, h, need + self.reserve, value_states.shape[-1])
            if length:
                kb[:, :, :length].copy_(self.keys)
                vb[:, :, :length].copy_(self.values)
            self._buf = (kb, vb)
        kb, vb = self._buf
        kb[:, :, length:need].copy_(key_states)
        vb[:, :, length:need].copy_(value_states)
        self.keys, self.values = kb[:, :, :need], vb[:, :, :need]
        return self.keys, self.values

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
