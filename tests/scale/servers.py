"""Real OpenAI-compatible servers on 127.0.0.1 for the remote-model tests.

- `serve_transformers(model_path)`: `transformers serve` as a subprocess (chat completions; its completions
  API ignores `echo`/`logprobs`, so mc benchmarks must be skipped against it).
- `LoglikServer(model_path)`: a stdlib server running a real transformers model that answers
  `/v1/completions` with prompt logprobs (`echo=True, logprobs=1, max_tokens=0`), as vLLM does.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_transformers(model_path: str | Path, wait_s: float = 120.0, dtype: str = "float32", threads: int = 1):
    """Yield the base URL (`http://127.0.0.1:<port>/v1`) of `transformers serve <model_path>`."""
    port = free_port()
    cli = Path(sys.executable).with_name("transformers")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": str(threads)}
    proc = subprocess.Popen([str(cli), "serve", str(model_path), "--host", "127.0.0.1", "--port", str(port),
                             "--device", "cpu", "--dtype", dtype, "--default-seed", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"transformers serve exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"transformers serve not healthy after {wait_s}s")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: only the server and its children
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


class LoglikServer:
    """`/v1/completions` with prompt logprobs computed by a real causal LM (float32, CPU)."""

    def __init__(self, model_path: str | Path) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.tok = AutoTokenizer.from_pretrained(model_path)
        self.model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32).eval()
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                status, payload = server.answer(self.path, body)
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        import torch

        if path != "/v1/completions" or not body.get("echo") or body.get("max_tokens") != 0:
            return 400, {"error": {"message": "only echo + logprobs + max_tokens=0 here"}}
        enc = self.tok(body["prompt"], add_special_tokens=False, return_offsets_mapping=True)
        ids = enc["input_ids"]
        with torch.no_grad():
            logits = self.model(torch.tensor([ids])).logits[0].float()
        logp = torch.log_softmax(logits, -1)
        token_lps = [None] + [float(logp[t - 1, ids[t]]) for t in range(1, len(ids))]
        lp = {"tokens": self.tok.convert_ids_to_tokens(ids), "token_logprobs": token_lps,
              "text_offset": [int(a) for a, _ in enc["offset_mapping"]], "top_logprobs": None}
        return 200, {"id": "c", "object": "text_completion", "model": body["model"],
                     "choices": [{"index": 0, "text": body["prompt"], "logprobs": lp, "finish_reason": "length"}]}

    def __enter__(self) -> LoglikServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
