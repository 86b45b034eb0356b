"""A scripted OpenAI-compatible chat server on loopback, for driving litellm for real in tests.

Usage::

    with ScriptedModel() as server:
        server.script(json_reply({"findings": []}), error_reply(429, headers={"Retry-After": "1"}))
        server.route("security agent", json_reply({"findings": [...]}))
        server.route_model("backup-model", json_reply({"findings": []}))
        ...  # litellm: model="openai/<name>", api_base=server.base_url, api_key="x"

Which reply a request gets: the first route whose text occurs in the request's messages (or,
for ``route_model``, whose name equals the request's ``model``) and still has queued replies
(or a ``then`` reply); else the global ``script`` queue; else the ``default`` reply.
Only non-streaming ``/v1/chat/completions`` is served, plus ``/v1/models`` and ``/health``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "Reply", "ScriptedModel", "drop_connection", "error_reply", "json_reply", "reply_from",
    "slow_reply", "text_reply",
]


@dataclass(frozen=True)
class Reply:
    """One scripted answer. Build it with the module-level constructors."""

    kind: str  # "content" | "error" | "slow" | "drop" | "dynamic"
    content: str = ""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str = "stop"
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    inner: Reply | None = None
    func: Callable[[dict], Reply] | None = None
    cached_tokens: int | None = None


def json_reply(
    obj: Any, *, prompt_tokens: int | None = None, completion_tokens: int | None = None,
    finish_reason: str = "stop", cached_tokens: int | None = None,
) -> Reply:
    """A completion whose message content is ``json.dumps(obj)``; ``cached_tokens`` adds
    ``usage.prompt_tokens_details.cached_tokens`` as OpenAI reports a prompt-cache hit."""
    return Reply("content", json.dumps(obj), prompt_tokens, completion_tokens, finish_reason,
                 cached_tokens=cached_tokens)


def text_reply(
    text: str, *, prompt_tokens: int | None = None, completion_tokens: int | None = None,
    finish_reason: str = "stop",
) -> Reply:
    """A completion whose content is ``text`` verbatim (e.g. malformed or fenced JSON)."""
    return Reply("content", text, prompt_tokens, completion_tokens, finish_reason)


def error_reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    """An HTTP error; ``body`` defaults to an OpenAI-style error object."""
    if body is None:
        body = {"error": {"message": f"scripted error {status}", "type": "scripted_error", "code": status}}
    return Reply("error", status=status, body=body, headers=dict(headers or {}))


def slow_reply(seconds: float, reply: Reply) -> Reply:
    """Wait ``seconds`` before answering with ``reply``."""
    return Reply("slow", seconds=seconds, inner=reply)


def drop_connection() -> Reply:
    """Close the connection without sending any response."""
    return Reply("drop")


def reply_from(func: Callable[[dict], Reply]) -> Reply:
    """Compute the reply from the request body (``func(body) -> Reply``) when it is used."""
    return Reply("dynamic", func=func)


def messages_text(body: dict) -> str:
    """All message text of a chat request, joined (handles string and content-part lists)."""
    parts: list[str] = []
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "\n".join(parts)


@dataclass
class _Route:
    match: Callable[[dict, str], bool]
    replies: deque[Reply]
    then: Reply | None


class ScriptedModel:
    """The server. Start it with ``start()`` or ``with``; point litellm at ``base_url``."""

    def __init__(self, host: str = "127.0.0.1", model_name: str = "scripted") -> None:
        self.host = host
        self.model_name = model_name
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._routes: list[_Route] = []
        self._default: Reply = json_reply({"findings": []})
        self._requests: list[dict] = []
        self._headers: list[dict[str, str]] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> ScriptedModel:
        """Bind a free port and serve in a background thread."""
        self._server = ThreadingHTTPServer((self.host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="scripted-model", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; slow replies in flight are cut short."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ScriptedModel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL, ``http://127.0.0.1:PORT/v1``."""
        return f"http://{self.host}:{self.port}/v1"

    # -- scripting -------------------------------------------------------------------------
    def script(self, *replies: Reply) -> ScriptedModel:
        """Queue replies used in order by any request that no route takes."""
        with self._lock:
            self._queue.extend(replies)
        return self

    def route(self, contains: str, *replies: Reply, then: Reply | None = None) -> ScriptedModel:
        """Queue replies for requests whose message text contains ``contains``.

        ``then`` answers matching requests once the queue is used up (else they fall through).
        """
        return self._add_route(lambda _body, text: contains in text, replies, then)

    def route_model(self, model: str, *replies: Reply, then: Reply | None = None) -> ScriptedModel:
        """Queue replies for requests whose ``model`` field equals ``model`` (provider prefix ignored)."""
        def match(body: dict, _text: str) -> bool:
            return str(body.get("model", "")).split("/", 1)[-1] == model.split("/", 1)[-1]
        return self._add_route(match, replies, then)

    def default(self, reply: Reply) -> ScriptedModel:
        """The reply used when no route or queued reply applies."""
        with self._lock:
            self._default = reply
        return self

    def _add_route(self, match: Callable[[dict, str], bool], replies: tuple[Reply, ...],
                   then: Reply | None) -> ScriptedModel:
        with self._lock:
            self._routes.append(_Route(match, deque(replies), then))
        return self

    # -- inspection ------------------------------------------------------------------------
    @property
    def requests(self) -> list[dict]:
        """A copy of the JSON bodies of all chat requests received so far."""
        with self._lock:
            return list(self._requests)

    @property
    def request_headers(self) -> list[dict[str, str]]:
        """Headers of each chat request (lower-cased names), in the order received."""
        with self._lock:
            return list(self._headers)

    @property
    def calls(self) -> int:
        """How many chat requests arrived."""
        with self._lock:
            return len(self._requests)

    # -- internals -------------------------------------------------------------------------
    def _take(self, body: dict, headers: dict[str, str]) -> Reply:
        text = messages_text(body)
        with self._lock:
            self._requests.append(body)
            self._headers.append(headers)
            for route in self._routes:
                if route.match(body, text):
                    if route.replies:
                        return route.replies.popleft()
                    if route.then is not None:
                        return route.then
            if self._queue:
                return self._queue.popleft()
            return self._default


def _completion(body: dict, reply: Reply) -> dict:
    """A chat.completion object as OpenAI returns it."""
    prompt = reply.prompt_tokens
    if prompt is None:
        prompt = max(1, len(messages_text(body)) // 4)
    completion = reply.completion_tokens
    if completion is None:
        completion = max(1, len(reply.content) // 4)
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": prompt + completion}
    if reply.cached_tokens is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": reply.cached_tokens}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "scripted"),
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": reply.content},
            "logprobs": None,
            "finish_reason": reply.finish_reason,
        }],
        "usage": usage,
    }


def _handler_for(server: ScriptedModel) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr
            return

        def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
            data = obj.encode() if isinstance(obj, str) else json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0].rstrip("/")
            if path in ("/health", "/v1/health"):
                self._send_json(200, {"status": "ok"})
            elif path in ("/v1/models", "/models"):
                self._send_json(200, {"object": "list", "data": [
                    {"id": server.model_name, "object": "model", "created": 0, "owned_by": "scripted"}]})
            else:
                self._send_json(404, {"error": {"message": f"no route {path}", "type": "not_found"}})

        def do_POST(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0].rstrip("/")
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not path.endswith("/chat/completions"):
                self._send_json(404, {"error": {"message": f"no route {path}", "type": "not_found"}})
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._send_json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
                return
            if body.get("stream"):
                self._send_json(400, {"error": {"message": "streaming is not scripted", "type": "invalid_request_error"}})
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                self._answer(body, server._take(body, headers))
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (e.g. its timeout); nothing to do

        def _answer(self, body: dict, reply: Reply) -> None:
            while reply.kind in ("slow", "dynamic"):
                if reply.kind == "slow":
                    if server._stopping.wait(reply.seconds):
                        self.close_connection = True
                        return
                    assert reply.inner is not None
                    reply = reply.inner
                else:
                    assert reply.func is not None
                    reply = reply.func(body)
            if reply.kind == "drop":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            elif reply.kind == "error":
                self._send_json(reply.status, reply.body, reply.headers)
            else:
                self._send_json(200, _completion(body, reply))

    return Handler
