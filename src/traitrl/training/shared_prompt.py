"""GRPO scoring that reads each prompt once per group of completions, not once per completion.

TRL's `GRPOTrainer` scores a micro-batch with one forward (and backward) over prompt + completion for every
row. The `num_generations` completions of one prompt share that prompt, so with a P-token prompt and
C-token completions it reads G·(P + C) tokens where P - 1 + G·(C + 1) do: `shared_prompt_log_probs` runs the
prompt once, with gradient, keeps its keys and values, repeats them to the group's rows, and scores the
completions against them. The log-probabilities are the same (to rounding) and so are the gradients: the
repeated cache sums its rows' gradients back into the single prompt pass. TRL also left-pads every prompt of
a generation batch to the longest one and computes the padding; here each group starts at its own first
token (positions stay the column index, so nothing changes for any position encoding). With one 300-token
trait prompt beside 30-token standard prompts, a group of four costs a fraction of what TRL spends on it.

Two small changes make micro-batches hold whole groups:
- `SharedPromptGRPOTrainer` overrides TRL's one scoring method (`_get_per_token_logps_and_entropies`), used
  both for the loss and for the old-policy log-probabilities of a multi-step generation batch;
- `grouped_shuffle` makes TRL shuffle a generation batch group by group instead of row by row before it
  splits it into optimizer steps, so each step sees whole groups (as a generation per step would) and a
  micro-batch of a multiple of `num_generations` rows holds whole groups.
Groups whose prompts are of similar length share one forward (`prompt_bundles`); the old-policy pass, which
has no backward, scores up to `SCORING_TOKENS` padded tokens at once, and only the rows of the batch's later
optimizer steps (`defer_old_pass`: the first step's rows are scored before any update, so the loss's own
log-probabilities, detached, are their old-policy ones, as TRL takes them when steps align). Model families outside
`SHARED_PROMPT_MODELS` (rotary decoders whose cache is keys and values only), multimodal or MoE inputs, and runs
on several processes go to TRL's own method.
Checked against TRL 1.16.0 (`trl/trainer/grpo_trainer.py`, `_get_per_token_logps_and_entropies` and
`_prepare_inputs`; `trl/trainer/utils.py`, `add_fused_lm_head`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
from trl import GRPOTrainer
from trl.extras.profiling import profiling_decorator

from traitrl.models.merged_lora import tuner_layers
from traitrl.training.sampling_logps import SamplingLogProbs


def prompt_groups(input_ids: torch.Tensor, attention_mask: torch.Tensor, prompt_width: int) -> list[torch.Tensor]:
    """Row indices of each set of rows with the same prompt (tokens and mask in the first `prompt_width`
    columns)."""
    key = torch.cat([input_ids[:, :prompt_width], attention_mask[:, :prompt_width].to(input_ids.dtype)], 1)
    _, inverse = torch.unique(key, dim=0, return_inverse=True)
    return [(inverse == g).nonzero().flatten() for g in range(int(inverse.max()) + 1)] if len(key) else []


SCORING_TOKENS = 16_384  # padded tokens per forward of a pass without gradient (old-policy log-probabilities)
PROMPT_PADDING = 0.25  # padded prompt tokens a bundle of groups may add, as a share of its real ones


def prompt_bundles(starts: list[int], prompt_width: int, padding: float = PROMPT_PADDING) -> list[list[int]]:
    """Groups (by their prompts' first real column, `starts`) bundled for one forward each: longest prompts
    first, a bundle grows while its prompts left-padded to its longest stay within `1 + padding` times their
    real tokens (or add at most 16), so a 300-token prompt does not pad thirty-token ones to its length."""
    bundles: list[list[int]] = []
    longest = real = 0
    for g in sorted(range(len(starts)), key=lambda g: starts[g]):
        n = prompt_width - starts[g]
        if bundles and ((len(bundles[-1]) + 1) * longest - (real + n)) <= max(padding * (real + n), 16):
            bundles[-1].append(g)
            real += n
        else:
            bundles.append([g])
            longest = real = n
    return bundles


def shared_prompt_log_probs(model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor, logits_to_keep: int,
                            compute_entropy: bool = False, temperature: float = 1.0, entropy_grad: bool = True,
                            own_head: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Per-token log-probabilities (and entropies) of the last `logits_to_keep` tokens of each row, as TRL's
    fused LM head gives them (`model` patched by `trl.trainer.utils.add_fused_lm_head`), reading each distinct
    prompt once. Rows: prompt (left-padded) + completion; positions are the column index, as in TRL's pass.
    Groups whose prompts are of similar length (`prompt_bundles`) share one forward over their prompts and one
    over their completions (the old-policy pass scores a whole generation batch). Where the logits are a plain
    map of the last hidden states (`body_and_head`) and `own_head`, the head runs here as one product and a
    log-softmax at `temperature`, as TRL's fused head computes it (whose tiles, written for GPUs, took 40-60 %
    more time on a CPU); the entropies then carry a gradient only with `entropy_grad` (TRL's entropy bonus)."""
    from transformers import DynamicCache

    from traitrl.models.kv_cache import cache_kwarg
    from traitrl.models.output_head import body_and_head

    key = cache_kwarg(model)
    split_head = body_and_head(model) if own_head else None
    body_key = cache_kwarg(split_head[0]) if split_head else key
    prompt_width = input_ids.shape[1] - logits_to_keep
    groups = prompt_groups(input_ids, attention_mask, prompt_width)
    starts = []
    for rows in groups:
        real = attention_mask[rows[0], :prompt_width].nonzero()
        starts.append(int(real[0]) if len(real) else max(prompt_width - 1, 0))
    parts: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]] = []
    for bundle in prompt_bundles(starts, prompt_width):
        rows = torch.cat([groups[g] for g in bundle])
        # the bundle's shared left padding is dropped; positions stay the column index, as in TRL's pass
        first = min(starts[g] for g in bundle)
        ids, mask = input_ids[rows, first:], attention_mask[rows, first:]
        positions = torch.arange(first, input_ids.shape[1])[None].expand(len(rows), -1)
        cache, start = {}, 0
        if (split := prompt_width - 1 - first) > 0:  # the prompts but their last token: once per group
            heads = torch.tensor([0] + [len(groups[g]) for g in bundle[:-1]]).cumsum(0)
            kv = DynamicCache(config=model.config)
            model(input_ids=ids[heads, :split], attention_mask=mask[heads, :split],
                  position_ids=positions[heads, :split], use_cache=True, logits_to_keep=1, **{key: kv})
            kv.batch_select_indices(torch.repeat_interleave(torch.tensor([len(groups[g]) for g in bundle])))
            cache, start = {key: kv}, split
        tail = ids[:, start:]
        if split_head is None:
            labels = tail.masked_fill(mask[:, start:] == 0, -100)
            labels[:, :-logits_to_keep] = -100
            out = model(input_ids=tail, attention_mask=mask, position_ids=positions[:, start:], labels=labels,
                        fused_lm_head=True, **cache)
            parts.append((rows, out.log_probs[:, -logits_to_keep:],
                          out.entropy[:, -logits_to_keep:] if compute_entropy else None))
            continue
        body, head = split_head
        hidden = body(input_ids=tail, attention_mask=mask, position_ids=positions[:, start:],
                      **({body_key: cache[key]} if cache else {})).last_hidden_state
        log_probs = torch.log_softmax(head(hidden[:, -logits_to_keep - 1:-1]).float() / temperature, dim=-1)
        padding = mask[:, -logits_to_keep:] == 0  # reads 0, as in TRL's head
        picked = log_probs.gather(-1, tail[:, -logits_to_keep:, None]).squeeze(-1).masked_fill(padding, 0.0)
        entropy = None
        if compute_entropy:
            with torch.set_grad_enabled(torch.is_grad_enabled() and entropy_grad):
                entropy = -(log_probs.exp() * log_probs).sum(-1).masked_fill(padding, 0.0)
        parts.append((rows, picked, entropy))
    back = torch.argsort(torch.cat([rows for rows, _, _ in parts]))  # bundle order -> row order
    log_probs = torch.cat([lp for _, lp, _ in parts])[back]
    return log_probs, torch.cat([ent for _, _, ent in parts])[back] if compute_entropy else None


# Decoder families whose positions are the column index when none are given and whose cache holds only keys and
# values (rotary position embeddings): for these the shared pass is TRL's pass. Others (e.g. OPT, which derives
# positions from the attention mask, or hybrid caches with recurrent states) keep TRL's own pass.
SHARED_PROMPT_MODELS = frozenset({"llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text", "phi3",
                                  "olmo2", "granite", "smollm3"})


def reads_prompts_once(model: Any) -> bool:
    """Whether `model` (a PEFT wrapper or the model itself) is of a family `shared_prompt_log_probs` serves."""
    return getattr(getattr(model, "config", None), "model_type", None) in SHARED_PROMPT_MODELS


class SharedPromptGRPOTrainer(GRPOTrainer):
    """TRL's `GRPOTrainer` whose scoring pass reads each prompt once per group (`shared_prompt_log_probs`).
    With `sampled` (a `SamplingLogProbs` that the rollouts fill), the old-policy pass of a generation batch
    takes the sampling log-probabilities instead of a forward (`training/sampling_logps.py`). Without them
    (bf16), the pass skips the rows of the batch's first optimizer step (`defer_old_pass`)."""

    sampled: SamplingLogProbs | None = None
    # The rows of a generation batch's first optimizer step are scored before any update, so their old-policy
    # log-probabilities are the loss's own, detached: TRL's rule when generation and optimizer steps align.
    # The old-policy pass is then deferred to the first micro-batch (the weights are still the sampling ones)
    # and scores only the later steps' rows: 1/generation_steps of it saved, the same values.
    defer_old_pass: bool = True
    _deferred: bool = False

    def _old_policy_pass(self, model: Any, compute_entropy: bool) -> bool:
        """Whether this call is the old-policy pass of a generation batch (trl 1.16.0 runs it first after the
        rollouts, without gradient, on the policy with its adapters on; the reference pass comes after it), in
        one process (the rows it scores are the ones it sampled)."""
        if torch.is_grad_enabled() or compute_entropy or model is not self.model:
            return False
        generate_every = self.args.steps_per_generation * self.num_iterations
        return (self.accelerator.num_processes == 1 and self.args.gradient_accumulation_steps % generate_every != 0
                and _adapters_on(model))

    def _defers(self) -> bool:
        """Whether the old-policy pass now being asked for can wait for the first micro-batch (see
        `defer_old_pass`): training, one pass over each batch (`num_iterations` 1, no vLLM importance
        correction), whole optimizer steps per generation batch, and a batch sampled at a cycle's start, where
        TRL's `_step` and the optimizer's accumulation agree on which micro-batches make the first step."""
        ga, per_generation = self.args.gradient_accumulation_steps, self.args.steps_per_generation
        return (self.defer_old_pass and self.model.training and self.num_iterations == 1 and not self.use_vllm
                and per_generation % ga == 0 and self._step % per_generation == 0)

    @profiling_decorator
    def _get_per_token_logps_and_entropies(self, model, input_ids, attention_mask, logits_to_keep, batch_size=None,
                                           compute_entropy=False, compute_aux_loss=False, **extra):
        old_pass = self._old_policy_pass(model, compute_entropy)
        sampled = getattr(self, "sampled", None)
        if sampled is not None and old_pass:
            kept = sampled.take(input_ids, attention_mask, logits_to_keep)
            if kept is not None:
                return kept, None, None
        # MoE, multimodal, several processes (DDP/FSDP, where two forwards before one backward is untested here),
        # or a model family outside SHARED_PROMPT_MODELS: TRL's own pass
        if (compute_aux_loss or any(v is not None for v in extra.values()) or self.accelerator.num_processes > 1
                or not reads_prompts_once(model)):
            return super()._get_per_token_logps_and_entropies(
                model, input_ids, attention_mask, logits_to_keep, batch_size=batch_size,
                compute_entropy=compute_entropy, compute_aux_loss=compute_aux_loss, **extra)
        if old_pass and self._defers():  # NaN rows: filled, or taken from the loss, at the first micro-batch
            self._deferred = True
            return input_ids.new_full((input_ids.size(0), logits_to_keep), float("nan"), dtype=torch.float32), \
                None, None
        return self._scores(model, input_ids, attention_mask, logits_to_keep, batch_size, compute_entropy)

    def _scores(self, model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor, logits_to_keep: int,
                batch_size: int | None, compute_entropy: bool) -> tuple[torch.Tensor, torch.Tensor | None, None]:
        batch_size = batch_size or input_ids.size(0)
        if not torch.is_grad_enabled():  # the old-policy pass over a generation batch: no backward to bound it
            group = max(getattr(self, "num_generations", 1), 1)
            batch_size = max(batch_size, SCORING_TOKENS // input_ids.size(1) // group * group)
        log_probs, entropies = [], []
        for start in range(0, input_ids.size(0), batch_size):
            with self.accelerator.autocast():
                lp, ent = shared_prompt_log_probs(model, input_ids[start:start + batch_size],
                                                  attention_mask[start:start + batch_size], logits_to_keep,
                                                  compute_entropy, temperature=getattr(self, "temperature", 1.0),
                                                  entropy_grad=getattr(self, "_entropy_bonus_enabled", True),
                                                  own_head=not getattr(self.args, "cast_lm_head_to_fp32", False))
            log_probs.append(lp)
            entropies.append(ent)
        return torch.cat(log_probs), torch.cat(entropies) if compute_entropy else None, None

    def _compute_loss(self, model, inputs):
        if self._deferred:  # the first micro-batch after a deferred pass: no optimizer step yet
            self._deferred = False
            self._score_later_steps()
        old = inputs.get("old_per_token_logps")
        if old is not None and old.device.type == "cpu" and bool(old.isnan().all()):
            raise RuntimeError("a micro-batch reached the loss with its old-policy pass deferred and never run "
                               "(TRL's batching is not the one SharedPromptGRPOTrainer was checked against)")
        return super()._compute_loss(model, inputs)

    def _score_later_steps(self) -> None:
        """The deferred old-policy pass: the first optimizer step's micro-batches take the loss's own
        log-probabilities (None: TRL detaches them); the rows of every later one are scored in one pass without
        gradient, on the weights that sampled them."""
        ga = self.args.gradient_accumulation_steps
        for chunk in self._buffered_inputs[:ga]:  # the first of them is the micro-batch now in the loss
            chunk["old_per_token_logps"] = None
        later = self._buffered_inputs[ga:]
        if not later:
            return
        ids = torch.cat([torch.cat([c["prompt_ids"], c["completion_ids"]], 1) for c in later])
        mask = torch.cat([torch.cat([c["prompt_mask"], c["completion_mask"]], 1) for c in later])
        with torch.no_grad():
            logps, _, _ = self._scores(self.model, ids, mask, later[0]["completion_ids"].size(1),
                                       self.args.per_device_train_batch_size, False)
        for chunk, part in zip(later, logps.split([c["prompt_ids"].size(0) for c in later]), strict=True):
            chunk["old_per_token_logps"] = part


def _adapters_on(model: Any) -> bool:
    """Whether no PEFT tuner layer of `model` is disabled (TRL's reference pass disables them)."""
    return not any(m.disable_adapters for m in tuner_layers(model))


def group_permutation(batch_size: int, group_size: int) -> torch.Tensor:
    """A random order of `batch_size` rows that moves blocks of `group_size` consecutive rows together."""
    blocks = torch.randperm(batch_size // group_size)
    return (blocks[:, None] * group_size + torch.arange(group_size)).flatten()


@contextlib.contextmanager
def grouped_shuffle(group_size: int) -> Iterator[None]:
    """Within the block, TRL shuffles each generation batch by groups of `group_size` rows (one prompt's
    completions, which TRL's sampler puts next to each other). Batches not made of whole groups are shuffled
    row by row, as TRL does."""
    import trl.trainer.grpo_trainer as grpo_module

    original = grpo_module.shuffle_sequence_dict

    def shuffle(seq_dict: dict[str, Any]) -> dict[str, Any]:
        batch = len(next(v for v in seq_dict.values() if v is not None))
        if group_size <= 1 or batch % group_size:
            return original(seq_dict)
        order = group_permutation(batch, group_size)

        def permute(v: Any) -> Any:
            if v is None or (isinstance(v, torch.Tensor) and v.ndim == 0):
                return v
            return v[order] if isinstance(v, torch.Tensor) else [v[i] for i in order]

        return {k: permute(v) for k, v in seq_dict.items()}

    grpo_module.shuffle_sequence_dict = shuffle
    try:
        yield
    finally:
        grpo_module.shuffle_sequence_dict = original
