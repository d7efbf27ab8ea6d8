"""vLLM as the evaluation backend on GPUs: same items, same scoring, much faster generation.

Imported only with `--backend vllm` (extra `traitrl[vllm]`); never on CPU test paths.

    traitrl eval --backend vllm --model /path/to/merged --suite all --out runs/vllm

- Generation: `LLM.chat` with greedy or seeded sampling, the persona as the system turn (as locally).
- Log-likelihood (`mc`, `mc2`): `prompt_logprobs=1` on `prompt + choice`; the choice tokens are the tokens
  after the prompt's own token count (the chat-templated prompt is tokenised alone first), summed.
- LoRA adapters: pass a merged checkpoint (`traitrl train` with `merge: true` writes `merged/`), or a folder
  with `adapter_config.json`, served through vLLM's `LoRARequest`.
- The fingerprint is the one `load_policy` gives, so results share the cache keys of the transformers path
  only where scores are equal up to kernel numerics; they are kept apart by the `vllm|` prefix.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from traitrl.evals.remote import chat_turns
from traitrl.types import Message


class VLLMModel:
    """Duck-typed serving backend for `evaluate`: `spec`, `fingerprint`, `generate`, `score_choices`."""

    is_backend = True

    def __init__(self, spec: str, *, gpu_memory_utilization: float = 0.85, max_model_len: int = 4096,
                 dtype: str = "auto", **llm_kwargs: Any) -> None:
        from vllm import LLM  # the extra `traitrl[vllm]`

        from traitrl.evals.evaluator import spec_fingerprint
        from traitrl.models.loading import adapter_base, resolve_model_path

        path = resolve_model_path(spec)
        self.spec, self.lora = spec, None
        cfg = Path(path, "adapter_config.json")
        if cfg.exists() and not Path(path, "config.json").exists():
            from vllm.lora.request import LoRARequest

            self.lora = LoRARequest("adapter", 1, path)
            path = adapter_base(path)  # a relative base is read next to the adapter
            llm_kwargs.setdefault("enable_lora", True)
        self.fingerprint = hashlib.sha256(f"vllm|{spec_fingerprint(spec)}".encode()).hexdigest()[:16]
        self.llm = LLM(model=path, dtype=dtype, gpu_memory_utilization=gpu_memory_utilization,
                       max_model_len=max_model_len, **llm_kwargs)
        self.tokenizer = self.llm.get_tokenizer()

    def loglik_note(self) -> str | None:
        return None

    def generate(self, conversations: Sequence[Sequence[Message]], *, max_new_tokens: int = 256,
                 temperature: float = 0.0, top_p: float = 1.0, seed: int = 0,
                 system_prompt: str | None = None) -> list[str]:
        from vllm import SamplingParams

        params = SamplingParams(max_tokens=max_new_tokens, temperature=temperature, top_p=top_p, seed=seed)
        outs = self.llm.chat([chat_turns(c, system_prompt) for c in conversations], params,
                             lora_request=self.lora, use_tqdm=False)
        return [o.outputs[0].text.strip() for o in outs]

    def score_choices(self, items: Sequence[Any], *, system_prompt: str | None = None) -> list[list[Any]]:
        from vllm import SamplingParams

        from traitrl.evals.loglik import ChoiceLoglik, render_prompt

        params = SamplingParams(max_tokens=1, prompt_logprobs=1, temperature=0.0)
        requests, index = [], []
        for i, item in enumerate(items):
            prompt = render_prompt(self.tokenizer, item.messages, system_prompt)
            n_prompt = len(self.tokenizer(prompt, add_special_tokens=False)["input_ids"])
            for choice in item.choices or []:
                ids = self.tokenizer(prompt + choice, add_special_tokens=False)["input_ids"]
                requests.append({"prompt_token_ids": ids})
                index.append((i, n_prompt, ids, len(choice)))
        outs = self.llm.generate(requests, params, lora_request=self.lora, use_tqdm=False)
        result: list[list[Any]] = [[] for _ in items]
        for (i, n_prompt, ids, n_chars), out in zip(index, outs, strict=True):
            lps = [out.prompt_logprobs[t][ids[t]].logprob for t in range(n_prompt, len(ids))]
            result[i].append(ChoiceLoglik(float(sum(lps)), len(lps), n_chars))
        return result
