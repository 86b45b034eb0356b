"""Reports of a ``ReviewResult``: terminal text, JSON, Markdown, GitLab Code Quality.

Every renderer is a pure function of the result and returns the whole report as a string.
"""

from __future__ import annotations

from collections.abc import Callable

from reviewer.errors import ConfigError
from reviewer.models import ReviewResult
from reviewer.output.codequality import render_codequality
from reviewer.output.json_report import render_json
from reviewer.output.markdown import render_markdown
from reviewer.output.text import render_text

_RENDERERS: dict[str, Callable[[ReviewResult], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "codequality": render_codequality,
}
FORMATS: tuple[str, ...] = tuple(_RENDERERS)
"""The names ``--format`` accepts."""

__all__ = ["FORMATS", "render"]


def render(result: ReviewResult, fmt: str, *, color: bool = False) -> str:
    """The report of ``result`` in format ``fmt``; ``color`` adds ANSI colours to text only."""
    if fmt == "text":
        return render_text(result, color=color)
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ConfigError(f"unknown output format '{fmt}' (choose one of: {', '.join(FORMATS)})") from None
    return renderer(result)
