"""A stdlib OpenAI-compatible server on 127.0.0.1 for judge tests.

It answers `POST /chat/completions` from a script of canned replies (status, headers, body) and, once the
script is used up, with a verdict derived from the prompt: criteria mentioning "Retracts" are met. Every
request is counted and its body kept.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def completion(content: str, top_logprobs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    choice: dict[str, Any] = {"index": 0, "message": {"role": "assistant", "content": content},
                              "finish_reason": "stop"}
    if top_logprobs is not None:
        choice["logprobs"] = {"content": [{"token": "x", "logprob": 0.0, "top_logprobs": top_logprobs}]}
    return {"id": "c", "object": "chat.completion", "choices": [choice]}


def verdict(met: bool) -> str:
    return json.dumps({"explanation": "canned", "criteria_met": met})


class JudgeServer:
    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, str], Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.auth: list[str | None] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server._lock:
                    server.requests.append(body)
                    server.auth.append(self.headers.get("Authorization"))
                    step = server.script.pop(0) if server.script else None
                if step is None:
                    prompt = body["messages"][0]["content"]
                    step = (200, {}, completion(verdict("Retracts" in prompt.split("# Rubric item")[1])))
                status, headers, payload = step
                raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> JudgeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
