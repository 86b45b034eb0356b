"""structlog set-up: human-readable on a terminal, JSON lines in CI; always to stderr."""

from __future__ import annotations

import logging
import re
import sys

import structlog

_SECRET_KEYS = re.compile(r"(^|_)(token|api_key|apikey|key|password|secret|authorization)$", re.I)
_SECRET_VALUES = re.compile(r"(glpat-|sk-|ghp_|xox[bp]-)[A-Za-z0-9_\-]{6,}")


def _redact(_logger, _name, event: dict) -> dict:
    """Drop values of secret-looking keys and mask token-shaped strings anywhere."""
    for key, value in list(event.items()):
        if _SECRET_KEYS.search(key) and key != "event":
            event[key] = "[redacted]"
        elif isinstance(value, str):
            event[key] = _SECRET_VALUES.sub("[redacted]", value)
    return event


class _StderrLogger:
    """Writes each rendered event to the *current* ``sys.stderr`` (it may be replaced, e.g. by tests)."""

    def __init__(self, *_args: object) -> None:
        pass

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def configure(*, json_logs: bool, verbose: bool = False) -> None:
    """Configure structlog: INFO as JSON lines in CI, only warnings on a terminal unless verbose."""
    level = logging.DEBUG if verbose else logging.INFO if json_logs else logging.WARNING
    renderer = structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_StderrLogger,
        cache_logger_on_first_use=False,
    )
    for noisy in ("LiteLLM", "litellm", "httpx", "urllib3", "gitlab"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str):
    """A structlog logger bound to ``component=name``.

    It stays lazy (bound on each use), so module-level loggers created before ``configure``
    still write where ``configure`` says (stderr), never to structlog's default stdout.
    """
    return structlog.get_logger(component=name)
