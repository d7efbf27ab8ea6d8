"""A fault-injecting OpenAI-compatible judge endpoint (stdlib `ThreadingHTTPServer` on 127.0.0.1).

The fault is chosen by the rubric criterion the judge is asked about, so it does not depend on the order
in which concurrent requests arrive: a criterion containing `FAULT:<kind>:<n>` fails `n` times with
`<kind>` and then answers with a valid verdict (`n` = `always` never recovers). Criteria without a fault
tag, and recovered ones, are met when they contain "Retracts". Kinds:

    timeout     sleep past the client's timeout, then answer
    429         HTTP 429 with `Retry-After: 0`
    429long     HTTP 429 with `Retry-After: 3600` (the client must cap its wait)
    500         HTTP 500
    malformed   HTTP 200 whose body is not JSON
    schema      HTTP 200, a completion whose content is not a verdict (`{"verdict": "maybe"}`)
    truncated   HTTP 200 announcing more bytes than it sends, then closing
    drop        close the connection without a response

Every request's criterion, status and Authorization header are recorded.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULT_PATTERN = re.compile(r"FAULT:(\w+):(always|\d+)")
SLEEP_S = 1.0


def completion(content: str) -> bytes:
    return json.dumps({"id": "c", "object": "chat.completion", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}).encode()


def verdict(met: bool) -> str:
    return json.dumps({"explanation": "fault server", "criteria_met": met})


class FaultServer:
    def __init__(self) -> None:
        self.attempts: Counter[str] = Counter()
        self.log: list[tuple[str, str]] = []
        self.auth: list[str | None] = []
        self.bodies: list[bytes] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
                      length: int | None = None) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                prompt = json.loads(raw)["messages"][0]["content"]
                criterion = prompt.split("# Rubric item")[1] if "# Rubric item" in prompt else prompt
                m = FAULT_PATTERN.search(criterion)
                key = m.group(0) if m else criterion[:80]
                with server._lock:
                    server.attempts[key] += 1
                    n = server.attempts[key]
                    server.auth.append(self.headers.get("Authorization"))
                    server.bodies.append(raw)
                kind = None
                if m and (m.group(2) == "always" or n <= int(m.group(2))):
                    kind = m.group(1)
                server.log.append((key, kind or "ok"))
                if kind == "timeout":
                    time.sleep(SLEEP_S)
                    kind = None
                if kind == "429":
                    self._send(429, b'{"error": "slow down"}', {"Retry-After": "0"})
                elif kind == "429long":
                    self._send(429, b'{"error": "come back in an hour"}', {"Retry-After": "3600"})
                elif kind == "500":
                    self._send(500, b'{"error": "boom"}')
                elif kind == "malformed":
                    self._send(200, b'{"choices": [{"message": ')
                elif kind == "schema":
                    self._send(200, completion('{"verdict": "maybe"}'))
                elif kind == "truncated":
                    body = completion(verdict(True))
                    self._send(200, body[: len(body) // 2], length=len(body))
                    self.close_connection = True
                elif kind == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                else:
                    self._send(200, completion(verdict("Retracts" in criterion)))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
