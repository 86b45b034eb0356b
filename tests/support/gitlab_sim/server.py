"""The loopback HTTP server, the request log, faults and the `/_sim` admin endpoints."""

from __future__ import annotations

import json
import socket
import threading
import time
import traceback
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from .api import Api, Request, Response
from .core import State
from .errors import ApiError
from .faults import Fault, Faults
from .http_util import parse_body

API_PREFIX = "/api/v4"


@dataclass(frozen=True)
class RequestRecord:
    """One logged request; status 0 means the connection was dropped."""

    method: str
    path: str
    status: int
    query: str = ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are written separately: with Nagle on, each response waits ~40 ms for the
    # client's delayed ACK, which dominates tests making hundreds of requests.
    disable_nagle_algorithm = True
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet server
        return

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET  # noqa: N815

    def _dispatch(self) -> None:
        raw_path, _, qs = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        sim = self.server.sim
        if raw_path.startswith("/_sim/"):
            self._send(sim.admin(self.command, raw_path, body))
            return
        if not raw_path.startswith(API_PREFIX + "/"):
            self._send(Response(404, {"message": "404 Not Found"}))
            return
        path = raw_path[len(API_PREFIX):]
        fault = sim.faults.take(self.command, path, after_handling=False)
        if fault and not fault.truncate:
            self._fault(fault, path, qs)
            return
        response = sim.handle_api(self.command, path, qs, body, self.headers)
        fault = fault or sim.faults.take(self.command, path, after_handling=True)
        if fault and fault.truncate:  # the real answer, its body cut short
            sim.log(self.command, path, response.status, qs)
            self._send(_truncated(response))
            return
        if fault:
            sim.log(self.command, path, response.status, qs)
            self._fault(fault, path, qs, log=False)
            return
        sim.log(self.command, path, response.status, qs)
        self._send(response)

    def _fault(self, fault: Fault, path: str, qs: str, log: bool = True) -> None:
        sim = self.server.sim
        if fault.drop_connection:
            if log:
                sim.log(self.command, path, 0, qs)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if log:
            sim.log(self.command, path, fault.status, qs)
        if fault.status == 429 and fault.notes_variant:
            self._send(Response(429, {"message": {"error": "This endpoint has been requested too many times. Try again later."}}))
        elif fault.status == 429:
            headers = {"RateLimit-Name": "throttle_authenticated_api", "RateLimit-Limit": "60",
                       "RateLimit-Observed": "61", "RateLimit-Remaining": "0",
                       "RateLimit-Reset": str(int(time.time()) + (fault.retry_after or 0))}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            self._send(Response(429, None, {"Content-Type": "text/plain", **headers}, raw=b"Retry later\n"))
        elif fault.status == 500:
            self._send(Response(500, {"message": "500 Internal Server Error"}))
        else:
            text = f"{fault.status} {self.responses.get(fault.status, ('Error',))[0]}"
            self._send(Response(fault.status, None, {"Content-Type": "text/html"}, raw=f"<html><body><h1>{text}</h1></body></html>\n".encode()))

    def _send(self, response: Response) -> None:
        if response.raw is not None:
            payload = response.raw
            ctype = response.headers.get("Content-Type", "application/octet-stream")
        elif response.status == 204:
            payload, ctype = b"", "application/json"
        else:
            payload, ctype = json.dumps(response.body).encode(), "application/json"
        self.send_response(response.status)
        if response.status != 204:
            self.send_header("Content-Type", ctype)
        for key, value in response.headers.items():
            if key != "Content-Type":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)


def _truncated(response: Response) -> Response:
    """``response`` with its JSON body cut in half (Content-Length matching the cut body)."""
    payload = response.raw if response.raw is not None else json.dumps(response.body).encode()
    headers = {**response.headers, "Content-Type": "application/json"}
    return Response(response.status, None, headers, raw=payload[: len(payload) // 2])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], sim: "HttpFront") -> None:
        super().__init__(addr, _Handler)
        self.sim = sim


class HttpFront:
    """Owns the listening socket and turns HTTP into State/Api calls."""

    def __init__(self, state: State, faults: Faults, push_hook) -> None:
        self.state = state
        self.faults = faults
        self.api = Api(state)
        self.request_log: list[RequestRecord] = []
        self.errors: list[str] = []
        self._log_lock = threading.Lock()
        self._push_hook = push_hook
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving in a daemon thread; returns the base URL."""
        self._server = _Server((host, port), self)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="gitlab-sim", daemon=True)
        self._thread.start()
        return f"http://{host}:{self._server.server_address[1]}"

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def serve_forever(self, host: str, port: int) -> str:
        """Bind and return the URL; call `block()` afterwards to serve on this thread."""
        self._server = _Server((host, port), self)
        return f"http://{host}:{self._server.server_address[1]}"

    def block(self) -> None:
        """Serve on the calling thread until `stop()` from another thread or a signal."""
        assert self._server is not None
        self._server.serve_forever()

    def log(self, method: str, path: str, status: int, query: str) -> None:
        with self._log_lock:
            self.request_log.append(RequestRecord(method, path, status, query))

    def handle_api(self, method: str, path: str, qs: str, body: bytes, headers: Any) -> Response:
        segments = [unquote(s) for s in path.strip("/").split("/")]
        query = dict(parse_qsl(qs, keep_blank_values=True))
        host = headers.get("Host") or "127.0.0.1"
        try:
            params = {**query, **parse_body(body, headers.get("Content-Type", ""))}
            req = Request(method, segments, query, params, headers, f"http://{host}", path)
            return self.api.handle(req)
        except ApiError as err:
            raw = err.payload.encode() if isinstance(err.payload, str) else None
            return Response(err.status, err.payload, dict(err.headers), raw=raw)
        except Exception:  # a simulator bug: surface it to the test via `errors`
            self.errors.append(traceback.format_exc())
            return Response(500, {"message": "500 Internal Server Error"})

    def admin(self, method: str, path: str, body: bytes) -> Response:
        """`/_sim/state`, `/_sim/requests`, `/_sim/push`, `/_sim/faults`."""
        try:
            data = json.loads(body or b"{}")
            if path == "/_sim/state" and method == "GET":
                return Response(200, self.state.snapshot())
            if path == "/_sim/requests" and method == "GET":
                with self._log_lock:
                    return Response(200, [vars(r) for r in self.request_log])
            if path == "/_sim/push" and method == "POST":
                return Response(200, self._push_hook(str(data["project"]), int(data["mr_iid"]), data.get("pusher")))
            if path == "/_sim/faults" and method == "POST":
                self.faults.add(**data)
                return Response(201, {"armed": len(self.faults.armed)})
            if path == "/_sim/faults" and method == "DELETE":
                self.faults.clear()
                return Response(204, None)
        except (ApiError, KeyError, TypeError, ValueError) as err:
            return Response(400, {"message": str(err)})
        return Response(404, {"message": "404 Not Found"})
