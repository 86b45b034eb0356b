"""The JSON report: exactly ``ReviewResult.to_public()``."""

from __future__ import annotations

import json

from reviewer.models import ReviewResult


def render_json(result: ReviewResult) -> str:
    """The documented JSON shape, indented, UTF-8 (non-ASCII kept), with a trailing newline."""
    return json.dumps(result.to_public(), indent=2, ensure_ascii=False) + "\n"
