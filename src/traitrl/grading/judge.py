"""LLM judges: one yes/no verdict per rubric item, points applied in code.

`OpenAIJudge` talks to any OpenAI-compatible endpoint (OpenAI, vLLM, SGLang, llama.cpp) over httpx with
bounded concurrency (a semaphore) and bounded retries: timeouts, connection errors, 429 (honouring
Retry-After) and 5xx are retried with exponential backoff, up to `max_retries`; after that the item is
missing with the reason. The API key is read from the environment variable named in the config (default
`TRAITRL_API_KEY`) at request time and never stored in the name, the cache or a log line. Verdicts are cached
in SQLite (`grading/cache.py`), so a rerun makes no HTTP calls.

`TransformersJudge(model, tokenizer)` runs any transformers chat model in-process with greedy decoding.

    traitrl grade run --grader judge:gpt-4.1-mini@https://api.openai.com/v1 --scenarios s.jsonl r.jsonl
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import threading
import time
from collections.abc import Coroutine
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field

from traitrl.grading.cache import JudgeCache, verdict_key
from traitrl.grading.grade import Grade, ItemGrade, item_grade
from traitrl.grading.judge_prompt import PROMPT_VERSION, parse_score, parse_verdict, render_judge_prompt
from traitrl.types import RubricItem, Scenario

T = TypeVar("T")
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class JudgeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1)
    base_url: str = Field(min_length=1)
    api_key_env: str = "TRAITRL_API_KEY"
    mode: Literal["verdict", "expected_score"] = "verdict"
    max_concurrency: int = Field(default=8, ge=1, le=512)
    max_retries: int = Field(default=4, ge=0, le=20)
    timeout_s: float = Field(default=60.0, gt=0)
    backoff_s: float = Field(default=1.0, ge=0)
    max_backoff_s: float = Field(default=60.0, ge=0)
    temperature: float = 0.0
    max_tokens: int = Field(default=512, ge=1)
    cache_path: str | None = None
    use_cache: bool = True


class JudgeCallError(Exception):
    """The endpoint gave no usable reply after the allowed retries."""


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, even when an event loop is already running (e.g. Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: box.update(result=asyncio.run(coro)))
    thread.start()
    thread.join()
    return box["result"]


def retry_after_s(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


class OpenAIJudge:
    """Rubric grader backed by an OpenAI-compatible chat-completions endpoint."""

    def __init__(self, config: JudgeConfig, cache: JudgeCache | None = None) -> None:
        self.config = config
        self.name = f"judge(model={config.model},base_url={config.base_url},prompt={PROMPT_VERSION}," \
                    f"mode={config.mode})"
        self.cache = cache if cache is not None else (JudgeCache(config.cache_path) if config.use_cache else None)
        self.http_requests = 0

    def __repr__(self) -> str:
        return f"OpenAIJudge({self.name})"

    def grade_batch(self, scenarios: list[Scenario], responses: list[str]) -> list[Grade]:
        return run_sync(self.agrade_batch(scenarios, responses))

    async def agrade_batch(self, scenarios: list[Scenario], responses: list[str]) -> list[Grade]:
        if len(scenarios) != len(responses):
            raise ValueError(f"{len(scenarios)} scenarios but {len(responses)} responses")
        sem = asyncio.Semaphore(self.config.max_concurrency)
        async with self._client() as client:
            rows = await asyncio.gather(*[
                asyncio.gather(*[self._grade_item(client, sem, s, r, item) for item in s.rubric])
                for s, r in zip(scenarios, responses, strict=True)])
        return [Grade(scenario_id=s.id, items=list(items), grader=self.name)
                for s, items in zip(scenarios, rows, strict=True)]

    async def _grade_item(self, client: httpx.AsyncClient, sem: asyncio.Semaphore, scenario: Scenario,
                          response: str, item: RubricItem) -> ItemGrade:
        key = verdict_key(self.config.model, PROMPT_VERSION, self.config.mode, scenario.messages, response,
                          item.criterion, item.points)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            return item_grade(item, hit[0], hit[1])
        expected = self.config.mode == "expected_score"
        prompt = render_judge_prompt(scenario.messages, response, item.criterion, item.points, expected)
        try:
            async with sem:
                text, top = await self.complete(client, prompt, logprobs=expected)
        except JudgeCallError as e:
            return item_grade(item, None, f"judge error: {e}")
        if expected:
            p, why = parse_score(text, top)
            met = None if p is None else p >= 0.5
        else:
            met, why = parse_verdict(text)
        if met is not None and self.cache is not None:
            self.cache.put(key, met, why)
        return item_grade(item, met, why)

    def _client(self) -> httpx.AsyncClient:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.config.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return httpx.AsyncClient(base_url=self.config.base_url.rstrip("/") + "/", headers=headers,
                                 timeout=self.config.timeout_s)

    async def complete(self, client: httpx.AsyncClient, prompt: str,
                       logprobs: bool = False) -> tuple[str, list[dict[str, Any]] | None]:
        """One chat completion with bounded retries: (content, first-token top logprobs or None)."""
        body: dict[str, Any] = {"model": self.config.model, "temperature": self.config.temperature,
                                "max_tokens": self.config.max_tokens,
                                "messages": [{"role": "user", "content": prompt}]}
        if logprobs:
            body.update(logprobs=True, top_logprobs=20, max_tokens=4)
        last = "no attempt"
        for attempt in range(self.config.max_retries + 1):
            wait = min(self.config.max_backoff_s, self.config.backoff_s * 2 ** attempt)
            try:
                self.http_requests += 1
                resp = await client.post("chat/completions", json=body)
            except (httpx.TimeoutException, httpx.TransportError) as e:
                last = f"{type(e).__name__}"
            else:
                if resp.status_code == 200:
                    return _read_completion(resp)
                last = f"HTTP {resp.status_code}"
                if resp.status_code not in RETRY_STATUS:
                    raise JudgeCallError(f"{last}: {resp.text[:200]}")
                if resp.status_code == 429:
                    hinted = retry_after_s(resp.headers.get("retry-after"))
                    wait = min(self.config.max_backoff_s, hinted) if hinted is not None else wait
            if attempt < self.config.max_retries:
                await asyncio.sleep(wait)
        raise JudgeCallError(f"gave up after {self.config.max_retries + 1} attempts ({last})")


def _read_completion(resp: httpx.Response) -> tuple[str, list[dict[str, Any]] | None]:
    try:
        choice = resp.json()["choices"][0]
        content = choice["message"].get("content") or ""
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as e:
        raise JudgeCallError(f"malformed completion body ({type(e).__name__})") from None
    top = None
    lp = choice.get("logprobs") or {}
    if isinstance(lp, dict) and lp.get("content"):
        top = lp["content"][0].get("top_logprobs")
    return content, top


class TransformersJudge:
    """Rubric grader running a transformers chat model in-process (greedy decoding)."""

    def __init__(self, model: Any, tokenizer: Any, max_new_tokens: int = 96, batch_size: int = 8) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.max_new_tokens, self.batch_size = max_new_tokens, batch_size
        ident = getattr(getattr(model, "config", None), "_name_or_path", "") or type(model).__name__
        self.name = f"judge(model={ident},backend=transformers,prompt={PROMPT_VERSION})"

    def _encode(self, prompt: str) -> str:
        if getattr(self.tokenizer, "chat_template", None):
            return self.tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                                      add_generation_prompt=True)
        return prompt + "\n"

    def complete_many(self, prompts: list[str]) -> list[str]:
        import torch

        tok = self.tokenizer
        tok.padding_side = "left"
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token
        out: list[str] = []
        for i in range(0, len(prompts), self.batch_size):
            batch = tok([self._encode(p) for p in prompts[i:i + self.batch_size]], return_tensors="pt",
                        padding=True, add_special_tokens=False)
            with torch.no_grad():
                gen = self.model.generate(**batch, max_new_tokens=self.max_new_tokens, do_sample=False,
                                          pad_token_id=tok.pad_token_id)
            out += tok.batch_decode(gen[:, batch["input_ids"].shape[1]:], skip_special_tokens=True)
        return out

    def grade_batch(self, scenarios: list[Scenario], responses: list[str]) -> list[Grade]:
        jobs = [(s, r, item) for s, r in zip(scenarios, responses, strict=True) for item in s.rubric]
        replies = self.complete_many([render_judge_prompt(s.messages, r, it.criterion, it.points)
                                      for s, r, it in jobs])
        verdicts = iter(parse_verdict(text) for text in replies)
        return [Grade(scenario_id=s.id, grader=self.name,
                      items=[item_grade(item, *next(verdicts)) for item in s.rubric]) for s in scenarios]
