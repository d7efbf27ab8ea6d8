"""The decoder body and its output head, for callers that need log-probabilities at a few positions only.

Scoring answer choices (`evals/loglik.py`) and GRPO's per-token log-probabilities (`training/shared_prompt.py`)
run the body over every token but the head only where a token is predicted, and read log-probabilities from
it themselves. That is exact only when the logits are a plain linear map of the final hidden states: a model
that caps or scales its logits (Gemma 2's soft-capping, Granite's logits scaling, Cohere's logit scale) gets
None here and is scored through its own forward.

    split = body_and_head(model)  # (LlamaModel, lm_head) for a (PEFT-wrapped) LlamaForCausalLM
"""

from __future__ import annotations

from typing import Any

_LOGIT_SCALES = ("logit_scale", "output_multiplier", "lm_head_multiplier", "logits_scaling")  # 1 changes nothing


def body_and_head(model: Any) -> tuple[Any, Any] | None:
    """(decoder body, output head) when the logits are the head applied to the body's last hidden states."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    config = getattr(base, "config", None)
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    if getattr(text, "final_logit_softcapping", None) is not None or any(
            getattr(text, name, None) not in (None, 1, 1.0) for name in _LOGIT_SCALES):
        return None
    if not hasattr(base, "get_output_embeddings"):
        return None
    body = getattr(base, getattr(base, "base_model_prefix", "model"), None)
    head = base.get_output_embeddings()
    if body is None or head is None or body is base:
        return None
    return body, head
