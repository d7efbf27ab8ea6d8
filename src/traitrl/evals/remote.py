"""A policy behind an OpenAI-compatible endpoint (vLLM, SGLang, `transformers serve`, a hosted API).

    traitrl eval --model openai:<model>@http://127.0.0.1:8000/v1 --suite xstest,sycophancy_feedback --out runs/r

Requests go through the project's one client (`traitrl.endpoints`: the `openai` SDK, its retries and timeouts;
the key from `TRAITRL_API_KEY`, else `OPENAI_API_KEY`, else a placeholder for servers that need none).

- `generate` benchmarks and persona attacks go through chat completions: the server applies its own chat
  template; a persona is sent as the system message, replacing any system turn of the item (as locally).
- `mc` / `mc2` benchmarks need the log-likelihood of each choice after the prompt. That only exists where
  the completions API returns *prompt* logprobs (`echo=True, logprobs=1, max_tokens=0`; vLLM does). The
  prompt is rendered with the model's chat template, from a tokenizer loaded locally (the model name when
  it is a local folder or a cached hub id, or `TRAITRL_REMOTE_TOKENIZER`). The first mc benchmark probes
  the endpoint once; where it gives no prompt logprobs, or no tokenizer is available, mc benchmarks are
  *skipped* with that reason in `results.json` — never scored 0.
- Requests are bounded: `timeout` per call, `max_retries` (the SDK's) on 429/5xx/connection errors, then
  the error propagates (generation) or the item is unscored with the reason.

The fingerprint (result-cache key) hashes the base URL and model name: weights behind an endpoint cannot be
hashed from here, so serve a new checkpoint under a new name.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Any

from traitrl.endpoints import openai_client
from traitrl.errors import ConfigError, TraitRLError
from traitrl.types import Message

SPEC_PREFIX = "openai:"
NO_LOGLIK_NOTE = "skipped: the endpoint returns no prompt logprobs (completions echo+logprobs), needed for mc"


class RemoteError(TraitRLError):
    """The endpoint failed after bounded retries."""


def is_remote_spec(spec: object) -> bool:
    return isinstance(spec, str) and spec.startswith(SPEC_PREFIX)


def parse_remote_spec(spec: str) -> tuple[str, str]:
    """`openai:<model>@<http(s)://base_url>` -> (model, base_url); the model name may itself contain '@'."""
    body = spec[len(SPEC_PREFIX):]
    model, sep, base_url = body.rpartition("@")
    if not sep or not model or not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"bad remote model {spec!r}: expected openai:<model>@<http(s)://base_url>", field="model")
    return model, base_url.rstrip("/")


def chat_turns(messages: Sequence[Message], system_prompt: str | None) -> list[dict[str, str]]:
    """Messages as OpenAI chat turns; a persona replaces the item's own system turns (as `render_prompt`)."""
    turns = [{"role": m.role, "content": m.content} for m in messages]
    if system_prompt is not None:
        turns = [{"role": "system", "content": system_prompt}] + [t for t in turns if t["role"] != "system"]
    return turns


class RemoteModel:
    """Duck-typed like a loaded policy for `evaluate`: `spec`, `fingerprint`, `generate`, `score_choices`."""

    is_backend = True  # evaluate() calls generate/score_choices instead of loading weights

    def __init__(self, model: str, base_url: str, api_key: str | None = None, *, timeout: float = 120.0,
                 max_retries: int = 3, tokenizer: str | None = None, concurrency: int = 4) -> None:
        self.model, self.base_url = model, base_url.rstrip("/")
        self.client = openai_client(self.base_url, timeout=timeout, max_retries=max_retries, key=api_key)
        self.concurrency = concurrency
        self.tokenizer_spec = tokenizer or os.environ.get("TRAITRL_REMOTE_TOKENIZER") or model
        self.spec = f"{SPEC_PREFIX}{model}@{self.base_url}"
        self.fingerprint = hashlib.sha256(f"remote|{self.base_url}|{model}".encode()).hexdigest()[:16]
        self._loglik_note: str | None | bool = False  # False: not probed yet; None: supported; str: why not
        self._tokenizer: Any = None

    @classmethod
    def from_spec(cls, spec: str, **kwargs: Any) -> RemoteModel:
        model, base_url = parse_remote_spec(spec)
        return cls(model, base_url, **kwargs)

    # -- HTTP ---------------------------------------------------------------------------------------------
    def _call(self, what: str, fn: Any, **kwargs: Any) -> Any:
        import openai

        try:
            return fn(**kwargs)
        except openai.OpenAIError as e:  # after the SDK's retries
            raise RemoteError(f"{self.spec} {what}: {type(e).__name__}: {e}") from None

    # -- generation ---------------------------------------------------------------------------------------
    def chat(self, turns: list[dict[str, str]], *, max_new_tokens: int, temperature: float, top_p: float,
             seed: int) -> str:
        extra = {"top_p": top_p} if top_p < 1.0 else {}
        reply = self._call("chat", self.client.chat.completions.create, model=self.model, messages=turns,
                           max_tokens=max_new_tokens, temperature=temperature, seed=seed, **extra)
        return str(reply.choices[0].message.content or "").strip()

    def generate(self, conversations: Sequence[Sequence[Message]], *, max_new_tokens: int = 256,
                 temperature: float = 0.0, top_p: float = 1.0, seed: int = 0,
                 system_prompt: str | None = None) -> list[str]:
        """One chat completion per conversation (a few in flight at once), in input order."""
        from concurrent.futures import ThreadPoolExecutor

        def one(conv: Sequence[Message]) -> str:
            return self.chat(chat_turns(conv, system_prompt), max_new_tokens=max_new_tokens,
                             temperature=temperature, top_p=top_p, seed=seed)

        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            return list(pool.map(one, conversations))

    # -- log-likelihood -----------------------------------------------------------------------------------
    def _load_tokenizer(self) -> Any:
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(self.tokenizer_spec)
        return self._tokenizer

    def prompt_logprobs(self, text: str) -> tuple[list[float | None], list[int]]:
        """Per-token logprobs of `text` and the character offset of each token (completions, echo)."""
        reply = self._call("completions", self.client.completions.create, model=self.model, prompt=text,
                           max_tokens=0, echo=True, logprobs=1, temperature=0.0)
        lp = reply.choices[0].logprobs if reply.choices else None
        tokens, offsets = (lp.token_logprobs or [], lp.text_offset or []) if lp is not None else ([], [])
        if not tokens or len(tokens) != len(offsets):
            raise RemoteError(f"{self.spec}: the completions response carries no prompt logprobs")
        return list(tokens), [int(o) for o in offsets]

    def loglik_note(self) -> str | None:
        """None when mc scoring works here; otherwise why not (probed once per model)."""
        if self._loglik_note is False:
            try:
                self._load_tokenizer()
            except (OSError, ValueError) as e:
                self._loglik_note = (f"skipped: no tokenizer for the chat template ({type(e).__name__}); "
                                     "set TRAITRL_REMOTE_TOKENIZER")
                return self._loglik_note
            try:
                self.prompt_logprobs("The sky is blue.")
                self._loglik_note = None
            except RemoteError:
                self._loglik_note = NO_LOGLIK_NOTE
        return self._loglik_note  # type: ignore[return-value]

    def score_choices(self, items: Sequence[Any], *, system_prompt: str | None = None) -> list[list[Any]]:
        """`ChoiceLoglik`s per item, like `evals.loglik.score_choices`: sum of the choice tokens' logprobs."""
        from traitrl.evals.loglik import ChoiceLoglik, render_prompt

        tok = self._load_tokenizer()
        out = []
        for item in items:
            prompt = render_prompt(tok, item.messages, system_prompt)
            row = []
            for choice in item.choices or []:
                lps, offsets = self.prompt_logprobs(prompt + choice)
                picked = [lp for lp, o in zip(lps, offsets, strict=True) if o >= len(prompt) and lp is not None]
                row.append(ChoiceLoglik(float(sum(picked)), len(picked), len(choice)))
            out.append(row)
        return out
