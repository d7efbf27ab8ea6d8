"""OpenAI-compatible endpoints: the one client that the LLM judge, remote models and scenario generation share.

Every call goes through the `openai` SDK, with its own retries (connection errors, timeouts, 408, 409, 429
and 5xx, with exponential backoff and jitter, honouring `Retry-After` up to two minutes; a longer
`Retry-After` fails at once rather than stall a run) and its own per-request timeout. One key policy: the
environment variable a caller names (default `TRAITRL_API_KEY`), else `OPENAI_API_KEY`, else a placeholder
for local servers that need none; the key is read when the client is made and never logged or hashed.
"""

from __future__ import annotations

import os
from typing import Any

API_KEY_ENV = "TRAITRL_API_KEY"
NO_KEY = "EMPTY"


def api_key(env: str = API_KEY_ENV) -> str:
    return os.environ.get(env) or os.environ.get("OPENAI_API_KEY") or NO_KEY


def openai_client(base_url: str, *, timeout: float, max_retries: int, key_env: str = API_KEY_ENV,
                  asynchronous: bool = False, key: str | None = None) -> Any:
    """An `openai.OpenAI` (or `AsyncOpenAI`) client for `base_url`; `key` overrides the environment."""
    from openai import AsyncOpenAI, OpenAI

    cls = AsyncOpenAI if asynchronous else OpenAI
    return cls(base_url=base_url.rstrip("/"), api_key=key or api_key(key_env), timeout=timeout,
               max_retries=max_retries)
