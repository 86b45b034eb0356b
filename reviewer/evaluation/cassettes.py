"""Record and replay an evaluation's model exchanges as vcrpy cassettes.

One folder per case (``<root>/<case name>/``) holds one cassette per agent (``security.yaml``,
``verify.yaml``, …; the name of the model call without ``_report``) and ``models.json``, the
model names the recording used, so a replay needs no model configured. Calls run one at a time
while cassettes are in use: vcrpy patches the HTTP client for the whole process, so each call
gets the patch (and its agent's cassette) to itself.

Requests match on method, path and body: the body is the whole prompt and the model's
parameters, so a changed prompt never plays an old answer; it is reported as needing recording
and the case is not scored. Authorization and key headers are never written.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

from reviewer.errors import ConfigError

Mode = Literal["record", "replay"]
MODELS_FILE = "models.json"
REPLAY_API_BASE = "http://replay.invalid/v1"  # never reached: every request is played from a cassette
_SECRET_HEADERS = ("authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie",
                   "set-cookie", "x-goog-api-key", "anthropic-api-key")
_MATCH_ON = ("method", "path", "body")


def cassette_name(call_name: str) -> str:
    """The cassette of a model call: its agent (``security_report`` → ``security``)."""
    stem = call_name.removesuffix("_report") or "model"
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)


class CaseCassettes:
    """The cassettes of one case, in one mode; an ``ExchangeScope`` for ``reviewer.llm``."""

    def __init__(self, folder: Path, mode: Mode) -> None:
        self.folder, self.mode = folder, mode
        self.unmatched: list[str] = []  # cassettes a request found no recording in (replay)
        self._locks: dict[int, asyncio.Lock] = {}  # one per event loop (each asyncio.run has its own)
        self._plays: dict[str, Counter] = {}  # replay: what each cassette already played this run
        if mode == "record":
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
        # replay of a case never recorded: every request finds nothing, so the case needs recording

    @asynccontextmanager
    async def __call__(self, call_name: str) -> AsyncIterator[None]:
        import vcr

        lock = self._locks.setdefault(id(asyncio.get_running_loop()), asyncio.Lock())
        name = cassette_name(call_name)
        async with lock:
            recorder = vcr.VCR(
                record_mode="all" if self.mode == "record" else "none",
                match_on=_MATCH_ON,
                filter_headers=list(_SECRET_HEADERS),
                before_record_response=_without_secret_headers,
                decode_compressed_response=True,
            )
            with recorder.use_cassette(str(self.folder / f"{name}.yaml")) as cassette:
                if self.mode == "replay":
                    self._watch(cassette, name)
                yield
                if self.mode == "replay":
                    self._plays[name] = Counter(cassette.play_counts)

    def _watch(self, cassette: object, name: str) -> None:
        """Resume the plays of earlier calls, and note a request no recording answers."""
        cassette.play_counts = Counter(self._plays.get(name, Counter()))  # type: ignore[attr-defined]
        original = cassette.can_play_response_for  # type: ignore[attr-defined]

        def can_play(request: object) -> bool:
            found = original(request)
            if not found and name not in self.unmatched:
                self.unmatched.append(name)
            return found

        cassette.can_play_response_for = can_play  # type: ignore[attr-defined]


def save_models(folder: Path, models: dict[str, str | None]) -> None:
    """Write the model names the recording used (``default`` and each alias)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MODELS_FILE).write_text(json.dumps(models, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def load_models(folder: Path) -> dict[str, str | None]:
    """The model names a recording used; a clear error when the folder holds no recording."""
    path = folder / MODELS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"--replay {folder}: no {MODELS_FILE} (record with --record {folder} first)") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"--replay {path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or not all(isinstance(v, (str, type(None))) for v in data.values()):
        raise ConfigError(f"--replay {path}: expected an object of model names")
    return data


def _without_secret_headers(response: dict) -> dict:
    headers = response.get("headers") or {}
    for key in list(headers):
        if key.lower() in _SECRET_HEADERS:
            del headers[key]
    return response
