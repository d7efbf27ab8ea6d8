"""LLM judges: one yes/no verdict per rubric item, points applied in code.

`OpenAIJudge` talks to any OpenAI-compatible endpoint (OpenAI, vLLM, SGLang, llama.cpp) through the project's
one client (`traitrl.endpoints`: the `openai` SDK's retries and timeouts, up to `max_retries`), with bounded
concurrency (a semaphore); after the retries the item is missing with the reason. A 200 whose body or
verdict cannot be read is not asked again (temperature 0 would give the same). The API key is read from the
environment variable named in the config (default `TRAITRL_API_KEY`) and never stored in the name, the
cache or a log line. Verdicts are cached in SQLite (`grading/cache.py`), so a rerun makes no HTTP calls.

`TransformersJudge(model, tokenizer)` runs any transformers chat model in-process with greedy decoding.

    traitrl grade run --grader judge:gpt-4.1-mini@https://api.openai.com/v1 --scenarios s.jsonl r.jsonl
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from traitrl.endpoints import API_KEY_ENV, openai_client
from traitrl.grading.cache import JudgeCache, verdict_key
from traitrl.grading.grade import Grade, ItemGrade, item_grade
from traitrl.grading.judge_prompt import PROMPT_VERSION, parse_score, parse_verdict, render_judge_prompt
from traitrl.types import RubricItem, Scenario

T = TypeVar("T")
RETRIED = frozenset({408, 409, 429})  # and 5xx: the statuses the SDK retries
MAX_RETRY_AFTER_S = 120  # the SDK waits out a Retry-After up to this long, and gives up at once beyond


class JudgeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1)
    base_url: str = Field(min_length=1)
    api_key_env: str = API_KEY_ENV
    mode: Literal["verdict", "expected_score"] = "verdict"
    max_concurrency: int = Field(default=8, ge=1, le=512)
    max_retries: int = Field(default=4, ge=0, le=20)
    timeout_s: float = Field(default=60.0, gt=0)
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


class OpenAIJudge:
    """Rubric grader backed by an OpenAI-compatible chat-completions endpoint."""

    def __init__(self, config: JudgeConfig, cache: JudgeCache | None = None) -> None:
        self.config = config
        self.name = f"judge(model={config.model},base_url={config.base_url},prompt={PROMPT_VERSION}," \
                    f"mode={config.mode})"
        self.cache = cache if cache is not None else (JudgeCache(config.cache_path) if config.use_cache else None)

    def __repr__(self) -> str:
        return f"OpenAIJudge({self.name})"

    def grade_batch(self, scenarios: list[Scenario], responses: list[str], progress: bool = False) -> list[Grade]:
        """One `Grade` per response; `progress`: a bar of rubric items graded on stderr."""
        return run_sync(self.agrade_batch(scenarios, responses, progress))

    async def agrade_batch(self, scenarios: list[Scenario], responses: list[str],
                           progress: bool = False) -> list[Grade]:
        from tqdm.auto import tqdm

        if len(scenarios) != len(responses):
            raise ValueError(f"{len(scenarios)} scenarios but {len(responses)} responses")
        sem = asyncio.Semaphore(self.config.max_concurrency)
        bar = tqdm(total=sum(len(s.rubric) for s in scenarios), desc="judge items", unit="item",
                   disable=not progress)

        async def counted(item: Coroutine[Any, Any, ItemGrade]) -> ItemGrade:
            done = await item
            bar.update(1)
            return done

        try:
            async with self._client() as client:
                rows = await asyncio.gather(*[
                    asyncio.gather(*[counted(self._grade_item(client, sem, s, r, item)) for item in s.rubric])
                    for s, r in zip(scenarios, responses, strict=True)])
        finally:
            bar.close()
        return [Grade(scenario_id=s.id, items=list(items), grader=self.name)
                for s, items in zip(scenarios, rows, strict=True)]

    async def _grade_item(self, client: Any, sem: asyncio.Semaphore, scenario: Scenario,
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

    def _client(self) -> Any:
        """An async SDK client (use as `async with`): its retries and timeout come from the config."""
        return openai_client(self.config.base_url, timeout=self.config.timeout_s,
                             max_retries=self.config.max_retries, key_env=self.config.api_key_env,
                             asynchronous=True)

    async def complete(self, client: Any, prompt: str,
                       logprobs: bool = False) -> tuple[str, list[dict[str, Any]] | None]:
        """One chat completion (the SDK retries): (content, first-token top logprobs or None)."""
        import openai

        extra: dict[str, Any] = {"logprobs": True, "top_logprobs": 20, "max_tokens": 4} if logprobs else {}
        try:
            reply = await client.chat.completions.create(**{
                "model": self.config.model, "temperature": self.config.temperature,
                "max_tokens": self.config.max_tokens, "messages": [{"role": "user", "content": prompt}], **extra})
        except (openai.APIConnectionError, openai.APIStatusError) as e:  # timeouts are connection errors
            status = getattr(e, "status_code", None)
            wait = e.response.headers.get("retry-after") if isinstance(e, openai.APIStatusError) else None
            if status == 429 and wait and wait.replace(".", "", 1).isdigit() and float(wait) > MAX_RETRY_AFTER_S:
                raise JudgeCallError(f"HTTP 429 asking to wait {wait} s: not waited for") from None
            if status is not None and status not in RETRIED and status < 500:
                raise JudgeCallError(f"HTTP {status} (not retried)") from None
            why = f"HTTP {status}" if status else type(e).__name__
            raise JudgeCallError(f"gave up after {self.config.max_retries + 1} attempts ({why})") from None
        except (openai.OpenAIError, ValueError) as e:  # a 200 whose body is not a completion
            raise JudgeCallError(f"malformed completion body ({type(e).__name__})") from None
        return _read_completion(reply)


def _read_completion(reply: Any) -> tuple[str, list[dict[str, Any]] | None]:
    try:
        choice = reply.choices[0]
        content = choice.message.content or ""
    except (AttributeError, IndexError, TypeError) as e:
        raise JudgeCallError(f"malformed completion body ({type(e).__name__})") from None
    top = None
    lp = getattr(choice, "logprobs", None)
    if lp is not None and getattr(lp, "content", None):
        top = [{"token": t.token, "logprob": t.logprob} for t in lp.content[0].top_logprobs or []]
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
