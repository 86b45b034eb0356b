"""Why a model call failed, in words that say what to fix, and whether trying again can help.

Pure: it reads an exception's class name, HTTP status and message (litellm's classes are not
imported here; ``reviewer.llm`` is the only module that imports litellm). The status alone
misleads: litellm reports a missing OpenAI key as a 500, so the message is read first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewer.short_text import shorten

GATEWAY_KEY_VAR = "REVIEWER_API_KEY"
MODEL_VAR = "REVIEWER_MODEL"
MAX_REASON = 240
TRANSIENT_STATUSES = frozenset({408, 409, 429})
_TRANSIENT_CLASSES = ("Timeout", "APIConnectionError", "ServiceUnavailableError", "RateLimitError",
                      "InternalServerError", "BadGatewayError")

_MISSING_KEY = re.compile(
    r"missing credentials|missing \w+ api key|no api key|api[_ ]key (?:client option )?must be set|"
    r"api[_ ]key (?:is )?(?:not set|missing|required)|set (?:the )?`?\w+_api_key`?",
    re.I,
)
_BAD_KEY = re.compile(r"(?:invalid|incorrect|wrong)\s+(?:x-)?api[ _-]?key|invalid authentication|unauthori[sz]ed", re.I)
_UNKNOWN_MODEL = re.compile(
    r"model_not_found|model .{0,80}(?:does not exist|not found)|unknown model|no such model|invalid model", re.I)
_NO_PROVIDER = re.compile(r"LLM Provider NOT provided", re.I)
_PREFIXES = re.compile(r"^(?:litellm\.\w+:\s*|\w+Error:\s*|\w+Exception\s*-\s*)+")


@dataclass(frozen=True)
class ModelFailure:
    """One failed call: ``reason`` names what to fix; ``permanent`` failures are never retried."""

    reason: str
    permanent: bool


def classify_failure(exc: BaseException, *, model: str, api_base: str | None = None,
                     key_vars: tuple[str, ...] = (), key_given: bool = False) -> ModelFailure:
    """Classify ``exc`` from a call to ``model``.

    ``key_vars`` are the provider's key variables litellm expects (e.g. ``OPENAI_API_KEY``);
    ``key_given`` is True when the key came from ``REVIEWER_API_KEY``.
    """
    name = type(exc).__name__
    status = _status(exc)
    message = _message(exc)
    keys = _key_advice(api_base, key_vars, key_given)
    if _MISSING_KEY.search(message) and not api_base:
        return ModelFailure(f"no API key for {model}: set {keys}", permanent=True)
    if status == 401 or name == "AuthenticationError" or (status in (None, 400) and _BAD_KEY.search(message)):
        where = f"the gateway at {api_base}" if api_base else f"the provider of {model}"
        return ModelFailure(f"{where} rejected the API key (401): check {keys}", permanent=True)
    if status == 403 or name == "PermissionDeniedError":
        return ModelFailure(f"access to {model} was refused (403): check that the key in {keys} may use it",
                            permanent=True)
    if _NO_PROVIDER.search(message):
        return ModelFailure(f"litellm cannot tell the provider of '{model}': set {MODEL_VAR} as provider/model, "
                            "e.g. openai/gpt-4o-mini", permanent=True)
    if status == 404 or name == "NotFoundError" or (status == 400 and _UNKNOWN_MODEL.search(message)):
        where = f" at {api_base}" if api_base else ""
        return ModelFailure(f"unknown model '{model}'{where} (404): check {MODEL_VAR} or the alias's model",
                            permanent=True)
    if is_transient(name, status):
        return ModelFailure(_transient_reason(name, status, message, api_base), permanent=False)
    if status is not None and 400 <= status < 500:
        return ModelFailure(shorten(f"the provider refused the request ({status}): {message}", MAX_REASON),
                            permanent=True)
    return ModelFailure(shorten(f"{name}: {message}" if message else name, MAX_REASON), permanent=False)


def is_transient(name: str, status: int | None) -> bool:
    """Worth retrying: 408, 409, 429, 5xx, timeouts and connection errors (by class name)."""
    if status is not None:
        return status in TRANSIENT_STATUSES or status >= 500
    return name in _TRANSIENT_CLASSES


def _transient_reason(name: str, status: int | None, message: str, api_base: str | None) -> str:
    if name == "APIConnectionError" or "connection" in message.lower():
        where = api_base or "the provider"
        return shorten(f"could not reach {where}: {message or name}", MAX_REASON)
    if name == "Timeout":
        return shorten(f"the model did not answer in time ({name}); REVIEWER_LLM_TIMEOUT sets the limit", MAX_REASON)
    head = name + (f" {status}" if status else "")
    return shorten(f"{head}: {message}" if message else head, MAX_REASON)


def _key_advice(api_base: str | None, key_vars: tuple[str, ...], key_given: bool) -> str:
    if api_base or key_given:
        return GATEWAY_KEY_VAR
    if key_vars:
        return " or ".join(key_vars) + f" (or {GATEWAY_KEY_VAR})"
    return f"the provider's API key variable (or {GATEWAY_KEY_VAR})"


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _message(exc: BaseException) -> str:
    """The exception's text on one line, without litellm's class-name prefixes."""
    text = " ".join(str(exc).split())
    return _PREFIXES.sub("", text).strip()
