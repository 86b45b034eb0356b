"""Model access: the only module that imports litellm.

``complete_json`` sends one chat request whose reply must be JSON for a pydantic schema:
retries transient failures (429 honouring ``Retry-After``, 5xx, timeouts, dropped connections)
with jittered exponential backoff, then tries each fallback model the same way, makes one repair
attempt when a reply does not validate, and sums tokens, cost and time over every attempt.
For providers that cache a prompt prefix only where it is marked (Anthropic, Bedrock, Vertex, …)
the end of the shared prefix is marked with ``cache_control``; cached prompt tokens are counted
whenever the provider reports them. Inside ``exchanges_within(scope)`` every call runs within
``scope(name)`` (the evaluation's recorded cassettes use it).
"""

from __future__ import annotations

import email.utils
import functools
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from reviewer.errors import LLMError
from reviewer.llm_failures import ModelFailure, classify_failure, is_transient
from reviewer.llm_schema import InvalidOutput, parse_reply, strict_json_schema
from reviewer.log import get_logger
from reviewer.settings import ModelCall

T = TypeVar("T", bound=BaseModel)

RETRY_BASE_SECONDS = 1.0  # first backoff wait; tests lower it
RETRY_MAX_SECONDS = 30.0  # cap on one backoff wait
RETRY_AFTER_CAP_SECONDS = 60.0  # cap on a server's Retry-After
DEFAULT_CONTEXT_WINDOW = 8192
DUMMY_API_KEY = "not-needed"
# Providers that cache a prefix only up to a ``cache_control`` mark (others cache on their own).
CACHE_MARK_PROVIDERS = frozenset({"anthropic", "bedrock", "vertex_ai", "azure_ai", "databricks", "openrouter"})
REPAIR_PROMPT = (
    "Your previous reply was not valid: {reason}. Reply again with only the corrected JSON object "
    "that matches the required schema: no prose, no code fences."
)

_log = get_logger("llm")


@dataclass
class CallUsage:
    """Tokens, cost, wall time and HTTP requests spent on model calls."""

    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    calls: int = 0
    cached_tokens: int = 0

    def __add__(self, other: CallUsage) -> CallUsage:
        names = [n for n in dict.fromkeys([*self.model.split(", "), *other.model.split(", ")]) if n]
        return CallUsage(
            model=", ".join(names),
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost_usd=self.cost_usd + other.cost_usd,
            seconds=self.seconds + other.seconds,
            calls=self.calls + other.calls,
            cached_tokens=self.cached_tokens + other.cached_tokens,
        )


class LLMCallError(LLMError):
    """``complete_json`` failed; ``usage`` holds what the failed attempts spent and ``causes``
    one reason per model tried (``"model: reason"``)."""

    def __init__(self, message: str, usage: CallUsage, causes: list[str] | None = None) -> None:
        super().__init__(message)
        self.usage = usage
        self.causes = causes or [message]


@functools.cache
def _litellm() -> Any:
    """Import litellm once, offline: bundled cost map, no tokenizer downloads, no banners."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    logging.getLogger("LiteLLM").setLevel(logging.ERROR)  # our own logs report failures, once
    litellm.suppress_debug_info = True
    litellm.disable_hf_tokenizer_download = True
    litellm.telemetry = False
    return litellm


ExchangeScope = Callable[[str], AbstractAsyncContextManager[None]]
"""Given a call's ``name`` (``security_report``, ``verify_report``, …), a context to run it in."""
_SCOPE: ContextVar[ExchangeScope | None] = ContextVar("reviewer_exchange_scope", default=None)


@contextmanager
def exchanges_within(scope: ExchangeScope) -> Iterator[None]:
    """Run every model call made in this context (and the tasks it starts) inside ``scope(name)``."""
    token = _SCOPE.set(scope)
    try:
        yield
    finally:
        _SCOPE.reset(token)


async def complete_json(
    call: ModelCall, messages: list[dict], schema: type[T], *, name: str, shared_messages: int = 0
) -> tuple[T, CallUsage]:
    """Ask ``call``'s model (then its fallbacks) for JSON matching ``schema`` (within the
    exchange scope when one is set: see ``exchanges_within``).

    Each model gets up to ``1 + call.max_retries`` requests per logical call and one repair call;
    any failure of a model (retries spent, a non-retryable error, invalid twice) moves to the next.
    The first ``shared_messages`` messages are the prefix other calls of the review share: it is
    marked for caching where the provider needs a mark.
    Raises ``LLMCallError`` (an ``LLMError``) with a short reason when every model failed.
    """
    scope = _SCOPE.get()
    if scope is None:
        return await _complete_json(call, messages, schema, name, shared_messages)
    async with scope(name):
        return await _complete_json(call, messages, schema, name, shared_messages)


async def _complete_json(call: ModelCall, messages: list[dict], schema: type[T], name: str,
                         shared_messages: int) -> tuple[T, CallUsage]:
    usage = CallUsage(model=call.model)
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": name, "strict": True, "schema": strict_json_schema(schema)},
    }
    started = time.monotonic()
    failures: list[str] = []
    try:
        for model in [call.model, *call.fallbacks]:
            usage.model = model
            try:
                marked = cache_marked(model, messages, shared_messages)
                result = await _complete_with(call, model, marked, schema, response_format, usage)
            except _ModelFailed as exc:
                failures.append(f"{model}: {exc}")
                _log.warning("model_failed", alias=call.alias, model=model, reason=str(exc))
                continue
            return result, usage
    finally:
        usage.seconds = time.monotonic() - started
    raise LLMCallError("; ".join(failures), usage, failures)


def cache_marked(model: str, messages: list[dict], shared: int) -> list[dict]:
    """``messages`` with the last shared one marked ``cache_control: ephemeral`` when ``model``'s
    provider caches only up to such a mark (content as a text part, as those providers expect)."""
    if shared < 1 or shared > len(messages) or model.split("/", 1)[0] not in CACHE_MARK_PROVIDERS:
        return messages
    last = messages[shared - 1]
    text = last.get("content")
    if not isinstance(text, str):
        return messages
    part = {"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}
    return [*messages[: shared - 1], {**last, "content": [part]}, *messages[shared:]]


class _ModelFailed(Exception):
    """One model gave up (retries exhausted, a non-retryable error, or invalid output twice)."""


async def _complete_with(
    call: ModelCall, model: str, messages: list[dict], schema: type[T],
    response_format: dict, usage: CallUsage,
) -> T:
    """One model: a call, and one repair call if its reply does not validate."""
    content, finish = await _send(call, model, messages, response_format, usage)
    try:
        return parse_reply(content, schema, finish)
    except InvalidOutput as exc:
        reason = str(exc)
    _log.info("repairing_reply", alias=call.alias, model=model, reason=reason)
    repair = [
        *messages,
        {"role": "assistant", "content": content or ""},
        {"role": "user", "content": REPAIR_PROMPT.format(reason=reason)},
    ]
    content, finish = await _send(call, model, repair, response_format, usage)
    try:
        return parse_reply(content, schema, finish)
    except InvalidOutput as exc:
        raise _ModelFailed(f"invalid output after one repair attempt: {exc}") from None


async def _send(
    call: ModelCall, model: str, messages: list[dict], response_format: dict | None, usage: CallUsage
) -> tuple[str | None, str | None]:
    """One logical request with retries; adds the responses' usage; returns (content, finish_reason).

    Transient failures (429, 5xx, timeouts, dropped connections) are retried with backoff; a
    permanent one (no or a wrong key, an unknown model, another 4xx) fails at once.
    """
    litellm = _litellm()
    api_key = call.api_key or (DUMMY_API_KEY if call.api_base else None)
    retrying = AsyncRetrying(
        stop=stop_after_attempt(max(1, call.max_retries + 1)),
        wait=_wait,
        retry=retry_if_exception(lambda exc: _is_transient(exc, call, model)),
        before_sleep=lambda state: _log.warning(
            "model_retry", alias=call.alias, model=model, attempt=state.attempt_number,
            reason=_failure(state.outcome.exception(), call, model).reason if state.outcome else "",
        ),
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                usage.calls += 1
                response = await litellm.acompletion(
                    model=model, messages=messages, response_format=response_format,
                    api_base=call.api_base, api_key=api_key, timeout=call.timeout_s,
                    max_tokens=call.max_output_tokens, temperature=call.temperature, seed=call.seed,
                    num_retries=0, max_retries=0, drop_params=True,
                )
    except Exception as exc:  # noqa: BLE001 - every provider error becomes one short reason
        if response_format is not None and _refuses_response_format(exc):
            # A server without structured output: ask again without it (the prompt describes the JSON).
            _log.warning("response_format_refused", alias=call.alias, model=model)
            return await _send(call, model, messages, None, usage)
        reason = _failure(exc, call, model).reason
        raise _ModelFailed(reason.replace(call.api_key, "[redacted]") if call.api_key else reason) from None
    _add_usage(usage, response)
    if not response.choices:
        return None, None
    choice = response.choices[0]
    return choice.message.content, choice.finish_reason


def _failure(exc: BaseException | None, call: ModelCall, model: str) -> ModelFailure:
    """What went wrong with one request to ``model``, and whether a retry can help."""
    if exc is None:
        return ModelFailure("unknown error", permanent=False)
    return classify_failure(exc, model=model, api_base=call.api_base, key_vars=_key_vars(model),
                            key_given=bool(call.api_key))


def _key_vars(model: str) -> tuple[str, ...]:
    """The environment variables litellm expects for ``model``'s provider key, if it knows them."""
    try:
        missing = _litellm().validate_environment(model=model).get("missing_keys") or []
    except Exception:  # noqa: BLE001 - unknown providers
        return ()
    return tuple(str(k) for k in missing)


def _refuses_response_format(exc: BaseException) -> bool:
    """A 400/422 whose message names the structured-output parameter."""
    status = getattr(exc, "status_code", None)
    text = str(exc).lower()
    return status in (400, 422) and any(k in text for k in ("response_format", "json_schema", "structured output"))


def _add_usage(usage: CallUsage, response: Any) -> None:
    tokens = getattr(response, "usage", None)
    usage.prompt_tokens += int(getattr(tokens, "prompt_tokens", 0) or 0)
    usage.completion_tokens += int(getattr(tokens, "completion_tokens", 0) or 0)
    usage.cached_tokens += cached_prompt_tokens(tokens)
    try:
        usage.cost_usd += float(_litellm().completion_cost(completion_response=response) or 0.0)
    except Exception:  # noqa: BLE001 - unknown models have no price
        pass


def cached_prompt_tokens(tokens: Any) -> int:
    """Prompt tokens the provider served from its cache: OpenAI's
    ``prompt_tokens_details.cached_tokens``, else Anthropic's ``cache_read_input_tokens``."""
    details = getattr(tokens, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) if details is not None else None
    if cached is None and isinstance(details, dict):
        cached = details.get("cached_tokens")
    if not cached:
        cached = getattr(tokens, "cache_read_input_tokens", None)
    try:
        return max(0, int(cached or 0))
    except (TypeError, ValueError):
        return 0


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _is_transient(exc: BaseException, call: ModelCall, model: str) -> bool:
    """429, 408, 5xx, timeouts and connection errors are worth retrying; a missing or rejected
    key, an unknown model and other 4xx are not (whatever status litellm gives them)."""
    litellm = _litellm()
    if _failure(exc, call, model).permanent:
        return False
    if isinstance(exc, (litellm.Timeout, litellm.APIConnectionError)):
        return True
    return is_transient(type(exc).__name__, _status(exc))


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """The server's ``Retry-After`` (seconds or HTTP date, or ``retry-after-ms``), if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or getattr(exc, "litellm_response_headers", None) or {}
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
    except (AttributeError, ValueError):
        return None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, when.timestamp() - time.time()) if when else None


def _wait(state: RetryCallState) -> float:
    """Honour Retry-After when given (capped), else exponential backoff with jitter."""
    exc = state.outcome.exception() if state.outcome else None
    after = retry_after_seconds(exc)
    if after is not None:
        return min(after, RETRY_AFTER_CAP_SECONDS)
    backoff = wait_exponential_jitter(
        multiplier=RETRY_BASE_SECONDS, max=RETRY_MAX_SECONDS, jitter=RETRY_BASE_SECONDS
    )
    return backoff(state)


def count_tokens(model: str, text: str) -> int:
    """Tokens of ``text`` as litellm counts them offline; ``len(text) // 4`` if that fails.

    With tokenizer downloads off, litellm counts every model with its bundled tiktoken
    ``cl100k_base`` encoding; this uses the same encoding file from litellm's package folder
    without importing litellm (an import costs seconds of CPU and ~200 MB, and a review that
    calls no model must not pay it).
    """
    if not text:
        return 0
    encoding = _encoding()
    try:
        return len(encoding.encode_ordinary(text)) if encoding is not None else len(text) // 4
    except Exception:  # noqa: BLE001 - any tokenizer trouble falls back to the estimate
        return len(text) // 4


def context_window(call: ModelCall) -> int:
    """Input tokens the model accepts: the configured override, litellm's model data (read as a
    file; litellm itself, with its model aliases, only for a name the file does not hold), or 8192."""
    if call.context_window:
        return call.context_window
    info = _model_info(call.model)
    if not info:
        try:
            info = dict(_litellm().get_model_info(call.model))
        except Exception:  # noqa: BLE001 - unmapped models
            info = {}
    tokens = info.get("max_input_tokens") or info.get("max_tokens")
    return int(tokens) if isinstance(tokens, (int, float)) and tokens > 0 else DEFAULT_CONTEXT_WINDOW


def _litellm_folder() -> str | None:
    """litellm's installed package folder, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("litellm")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    return locations[0] if locations else None


@functools.lru_cache(maxsize=1)
def _encoding() -> Any:
    """litellm's default tiktoken encoding, loaded from the tokenizer files litellm ships."""
    folder = _litellm_folder()
    try:
        if folder and not os.environ.get("TIKTOKEN_CACHE_DIR"):
            os.environ["TIKTOKEN_CACHE_DIR"] = os.environ.get("CUSTOM_TIKTOKEN_CACHE_DIR") or os.path.join(
                folder, "litellm_core_utils", "tokenizers")  # as litellm sets it: offline
        import tiktoken

        return tiktoken.get_encoding("cl100k_base")
    except Exception:  # noqa: BLE001 - any tokenizer trouble falls back to the estimate
        return None


@functools.lru_cache(maxsize=1)
def _model_data() -> dict[str, Any]:
    """litellm's bundled model data (context sizes, prices), read as JSON."""
    import json

    folder = _litellm_folder()
    try:
        with open(os.path.join(folder or "", "model_prices_and_context_window_backup.json"), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _model_info(model: str) -> dict[str, Any]:
    """The model's entry in litellm's data: by its full name, else without the provider prefix."""
    data = _model_data()
    names = [model, model.split("/", 1)[1]] if "/" in model else [model]
    for name in names:
        info = data.get(name)
        if isinstance(info, dict):
            return info
    return {}
