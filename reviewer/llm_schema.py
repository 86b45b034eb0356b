"""Structured-output helpers for ``reviewer.llm``: strict JSON schemas and reply validation.

Pure functions, no litellm: a pydantic model becomes a schema that OpenAI's strict mode (and
llama.cpp's grammar decoding) accepts, and a model's text reply becomes a validated instance.
Size limits (``maxLength``, ``maxItems``) come from the ``Field`` constraints of the model.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)

# Keys strict mode rejects or that only cost prompt tokens.
_DROPPED_KEYS = ("default", "title", "examples")
_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\r?\n(.*?)\r?\n?```", re.S)


class InvalidOutput(ValueError):
    """A model reply that is not valid JSON for the schema; ``str()`` is a short reason."""


def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of ``model`` in strict form.

    Every object gets ``additionalProperties: false`` and lists all its properties as required;
    ``$ref``s are inlined (recursive ones are kept with their ``$defs``); ``default``, ``title``
    and ``examples`` are dropped. Constraints such as ``maxLength``/``maxItems`` are kept.
    """
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})
    kept: dict[str, Any] = {}
    schema = _strictify(raw, defs, kept, stack=())
    if kept:
        schema["$defs"] = kept
    return schema


def _strictify(node: Any, defs: dict[str, Any], kept: dict[str, Any], stack: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_strictify(item, defs, kept, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.rsplit("/", 1)[-1]
        siblings = {k: v for k, v in node.items() if k != "$ref" and k not in _DROPPED_KEYS}
        if name in stack:  # recursive: keep the reference, define it once
            if name not in kept:
                kept[name] = {}
                kept[name] = _strictify(copy.deepcopy(defs[name]), defs, kept, stack)
            return {"$ref": ref}
        target = _strictify(copy.deepcopy(defs[name]), defs, kept, (*stack, name))
        return {**target, **{k: _strictify(v, defs, kept, stack) for k, v in siblings.items()}}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED_KEYS:
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _strictify(sub, defs, kept, stack) for name, sub in value.items()}
        else:
            out[key] = _strictify(value, defs, kept, stack)
    if "allOf" in out and len(out["allOf"]) == 1:  # pydantic's wrapper around a single $ref
        out = {**out.pop("allOf")[0], **out}
    is_mapping = isinstance(out.get("additionalProperties"), dict)  # dict[str, X]: leave as is
    if (out.get("type") == "object" or "properties" in out) and not is_mapping:
        out["additionalProperties"] = False
        out["required"] = list(out.get("properties", {}))
        out.setdefault("properties", {})
    return out


def extract_json_text(text: str) -> str:
    """The JSON part of a reply: the body of a fenced block when there is one, else the text."""
    stripped = text.strip()
    match = _FENCE.search(stripped)
    if match and (stripped.startswith("```") or not stripped.startswith(("{", "["))):
        return match.group(1).strip()
    return stripped


def parse_reply(text: str | None, schema: type[T], finish_reason: str | None = None) -> T:
    """Validate a model's reply against ``schema``; raise InvalidOutput with a short reason."""
    if finish_reason == "length":
        raise InvalidOutput("the reply was cut off at the output token limit; it must be shorter")
    if not text or not text.strip():
        raise InvalidOutput("the reply was empty")
    body = extract_json_text(text)
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidOutput(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise InvalidOutput(f"does not match the schema: {summarise_errors(exc)}") from exc


def summarise_errors(exc: ValidationError, limit: int = 5) -> str:
    """The first ``limit`` validation errors as `field: message` parts, one line."""
    errors = exc.errors(include_url=False, include_input=False)
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in errors[:limit]]
    more = f" (and {len(errors) - limit} more)" if len(errors) > limit else ""
    return "; ".join(parts) + more
