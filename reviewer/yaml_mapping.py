"""Read a YAML document whose top level must be a mapping (config, agent and rule files), and
describe what the schema then rejects, one short line per error naming the key."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from reviewer.errors import ConfigError


def load_mapping(text: str, source: str, error: type[ConfigError] = ConfigError, *,
                 empty_ok: bool = False) -> dict[str, Any]:
    """Parse ``text``; raise ``error`` naming ``source`` (and the line) when it is not a mapping.

    An empty document gives ``{}`` when ``empty_ok``, else it is an error like any non-mapping.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise error(f"{source}: not valid YAML{where}") from exc
    if data is None and empty_ok:
        return {}
    if not isinstance(data, dict):
        raise error(f"{source}: the top level must be a mapping of keys")
    return data


def describe_errors(exc: ValidationError, schema: type[BaseModel] | None = None) -> list[str]:
    """One message per validation error, each naming its key; with ``schema`` (the model that was
    validated), an unknown key also lists the keys allowed where it stands."""
    messages = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(schema, err["loc"][:-1]) if schema else []
            messages.append(f"unknown key '{key}'" + (f" (allowed: {', '.join(allowed)})" if allowed else ""))
        elif err["type"] == "missing":
            messages.append(f"missing key '{key}'")
        else:
            messages.append(f"bad value for '{key}': {err['msg'].removeprefix('Value error, ')}")
    return messages


def _allowed_keys(schema: type[BaseModel], loc: tuple) -> list[str]:
    """The keys ``schema`` accepts at ``loc`` (the path of the mapping holding a bad key)."""
    model: type[BaseModel] | None = schema
    for part in loc:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:  # a free-form mapping key, e.g. an agent or alias name
            continue
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [a for a in (annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)]
        model = candidates[0] if candidates else None
    return sorted(model.model_fields) if model else []
