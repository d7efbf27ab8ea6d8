"""The sampling policy's log-probabilities of a rollout, kept to stand in for GRPO's old-policy pass.

With `generation_steps` > 1, TRL's `GRPOTrainer` samples several optimizer steps' rollouts at once and then
runs a no-grad forward over the whole generation batch to get the old policy's per-token log-probabilities for
the importance ratio (trl 1.16.0, `_generate_and_score_completions`). That forward recomputes what the decode
loop had in hand when it drew each token: the same policy, the same tokens. `decode(..., logprobs=True)` keeps
them (log-softmax at the sampling temperature, before top-p, as TRL scores), and `SamplingLogProbs` hands
them to the scoring override (`shared_prompt.SharedPromptGRPOTrainer`) in place of that forward, which was
10-23 % of a GRPO step in bench (c)'s shapes on 2 AVX2 cores (docs/performance.md).

Only where the two agree to rounding: the policy computes in fp32 (`SamplingLogProbs.wants`), where the
folded-LoRA decode and the trainer's unfolded forward give log-probabilities within ~1e-5 (tests). In bf16 the
folded weights round the adapters' small update, so the sampled policy is not the scored one to the ratio's
precision; the pass runs there (over the later optimizer steps' rows only: `shared_prompt.py`), and wherever
`fast_generation` falls back to `generate`. The rows must be the ones sampled, in order: a batch whose
completions differ from the record's in any row is scored by the forward, as is every call after the record
has been used once.
"""

from __future__ import annotations

from typing import Any

import torch


def kept_in(dtype: Any) -> bool:
    """Whether a policy computing in `dtype` (a torch dtype or its name) keeps its sampling log-probabilities
    for the old-policy pass: fp32 only (see the module docstring)."""
    return str(dtype).removeprefix("torch.") == "float32"


class SamplingLogProbs:
    """The last rollout's new tokens and their log-probabilities under the policy that sampled them
    (`models.fast_generate.fast_generation(model, sampled=...)` fills it)."""

    def __init__(self) -> None:
        self.tokens: torch.Tensor | None = None
        self.logps: torch.Tensor | None = None

    @staticmethod
    def wants(model: Any) -> bool:
        """Whether `model`'s sampling log-probabilities can stand in for its scoring pass: it computes in fp32."""
        embeddings = model.get_input_embeddings() if hasattr(model, "get_input_embeddings") else None
        return embeddings is not None and kept_in(embeddings.weight.dtype)

    def keep(self, tokens: torch.Tensor, logps: torch.Tensor) -> None:
        """Hold a rollout: `(rows, new)` tokens as decoded (pad after each row's stop) and their log-probabilities."""
        self.tokens, self.logps = tokens.clone(), logps.clone()  # out of inference mode: usable in a loss

    def clear(self) -> None:
        self.tokens = self.logps = None

    def take(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, logits_to_keep: int) -> torch.Tensor | None:
        """Per-token log-probabilities `(rows, logits_to_keep)` of the completions in the last `logits_to_keep`
        columns, 0 where the mask is 0, when every row's completion is its sampled row's (tokens under the mask
        are a prefix of it); else None. Either way the record is used up."""
        tokens, logps = self.tokens, self.logps
        self.clear()
        if tokens is None or logps is None or tokens.shape[0] != input_ids.shape[0]:
            return None
        done = attention_mask[:, -logits_to_keep:].bool()
        width = min(logits_to_keep, tokens.shape[1])
        if bool(done[:, width:].any()):  # a completion longer than its sampled row
            return None
        scored = input_ids[:, -logits_to_keep:][:, :width]
        if not bool(((scored == tokens[:, :width]) | ~done[:, :width]).all()):
            return None
        out = torch.zeros(done.shape, dtype=torch.float32, device=logps.device)
        out[:, :width] = logps[:, :width].masked_fill(~done[:, :width], 0.0)
        return out
