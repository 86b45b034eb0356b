"""Write small rule files into temporary folders for Codex tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def rule_data(rule_id: str = "ACME-001", **overrides: Any) -> dict[str, Any]:
    """Return a valid rule mapping; ``overrides`` replace (or, with value None, drop) keys."""
    data: dict[str, Any] = {
        "id": rule_id,
        "title": "Call to `frobnicate`",
        "rule": "If you need frobnication, you must call `safe_frob` instead of `frobnicate`.",
        "why": "frobnicate deletes the home directory on Tuesdays.",
        "category": "quality",
        "severity": "important",
        "scope": {"globs": ["**"], "languages": ["python"]},
        "examples": {"fire": ["frobnicate(x)"], "pass": ["safe_frob(x)"]},
        "since": "0.1.0",
        "detector": {"pattern": r"\bfrobnicate\("},
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def write_rule(folder: Path, name: str, data: dict[str, Any] | str) -> Path:
    """Write ``data`` (a mapping, or raw text) to ``folder/name`` and return the path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path
