"""A local OpenAI-compatible Chat Completions server that answers from a script (real HTTP).

The chat tests point OPENAI_BASE_URL at it, so the real Agents SDK and the real openai client
speak to it exactly as to a provider: a step asks for tool calls or answers text, in the
non-streaming form or, when the request says `"stream": true`, as server-sent events. No test
talks to a real provider.

    with scripted_provider([tool_calls(("add_task", {"title": "Buy milk"})), text("Done")]) as p:
        settings.OPENAI_BASE_URL = p.url
"""

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Step = dict | Callable[[dict], dict]


def tool_calls(*calls: tuple[str, dict]) -> dict:
    """A step: the model calls these tools (name, arguments) and waits for their results."""
    return {"tool_calls": list(calls)}


def text(content: str) -> dict:
    """A step: the model answers this text."""
    return {"text": content}


def failure(status: int = 500, delay: float = 0) -> dict:
    """A step: the provider fails with this HTTP status (after `delay` seconds)."""
    return {"status": status, "delay": delay}


def slow(step: dict, delay: float) -> dict:
    """A step answered only after `delay` seconds."""
    return {**step, "delay": delay}


def last_tool_result(body: dict) -> dict:
    """The JSON of the latest tool result the model was sent (for steps that depend on it)."""
    tool_messages = [m for m in body["messages"] if m.get("role") == "tool"]
    content = tool_messages[-1]["content"]
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}]
        content = "".join(part["text"] for part in content if part.get("type") == "text")
    return json.loads(content)


@dataclass
class ScriptedProvider:
    url: str
    script: list[Step]
    requests: list[dict] = field(default_factory=list)  # {"headers" (lower-case), "body"}


def _completion(step: dict, model: str, number: int) -> dict:
    message: dict = {"role": "assistant", "content": step.get("text")}
    if "tool_calls" in step:
        message["tool_calls"] = [
            {
                "id": f"call_{number}_{i}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
            for i, (name, arguments) in enumerate(step["tool_calls"])
        ]
    return {
        "id": f"chatcmpl-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if "tool_calls" in step else "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def _chunks(step: dict, model: str, number: int) -> Iterator[dict]:
    """The same answer as `_completion`, cut into streaming chunks (text in pieces, tool-call
    arguments in fragments), then a usage-only chunk."""
    base = {"id": f"chatcmpl-{number}", "object": "chat.completion.chunk", "model": model}
    base["created"] = int(time.time())

    def chunk(delta: dict, finish=None) -> dict:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    yield chunk({"role": "assistant", "content": ""})
    content = step.get("text") or ""
    for start in range(0, len(content), 5):
        yield chunk({"content": content[start : start + 5]})
    for i, (name, arguments) in enumerate(step.get("tool_calls", [])):
        head = {"index": i, "id": f"call_{number}_{i}", "type": "function"}
        yield chunk({"tool_calls": [{**head, "function": {"name": name, "arguments": ""}}]})
        encoded = json.dumps(arguments)
        for start in range(0, len(encoded), 7):
            piece = encoded[start : start + 7]
            yield chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
    yield chunk({}, "tool_calls" if "tool_calls" in step else "stop")
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    yield {**base, "choices": [], "usage": usage}


def _handler(provider: ScriptedProvider, lock: threading.Lock):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # quiet: the test reads `provider.requests`
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            with lock:
                headers = {name.lower(): value for name, value in self.headers.items()}
                provider.requests.append({"headers": headers, "body": body})
                number = len(provider.requests)
                step = provider.script.pop(0) if provider.script else text("(script ended)")
            if callable(step):
                step = step(body)
            time.sleep(step.get("delay", 0))
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._json(404, {"error": {"message": "not found"}})
            if "status" in step:
                return self._json(step["status"], {"error": {"message": "scripted failure"}})
            if body.get("stream"):
                return self._stream(_chunks(step, body["model"], number))
            return self._json(200, _completion(step, body["model"], number))

        def _json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, chunks: Iterator[dict]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for payload in chunks:
                self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


@contextmanager
def scripted_provider(script: list[Step]) -> Iterator[ScriptedProvider]:
    """Serve `script` on 127.0.0.1 (a free port) until the block ends; `provider.url` is the
    OPENAI_BASE_URL to use (it ends in /v1)."""
    provider = ScriptedProvider(url="", script=list(script))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider, threading.Lock()))
    server.daemon_threads = True
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
