"""Read a YAML document whose top level must be a mapping (config, agent and rule files)."""

from __future__ import annotations

from typing import Any

import yaml

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
