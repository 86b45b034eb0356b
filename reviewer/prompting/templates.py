"""Render the jinja2 templates in ``prompts/`` (packaged, optionally overridden).

Every template sees the filter ``untrusted(source)``, which fences text from the merge
request in ``<untrusted>`` tags after removing anything that looks like a boundary tag, so
the text cannot close the fence and speak as the reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import jinja2

from reviewer.errors import ConfigError
from reviewer.resources import data_dir

# The fence tag in any spelling a model might read as one: case, spaces, entities, suffixes.
_TAG = re.compile(r"(?:<|&lt;|\\u003c|＜)\s*/?\s*untrusted[\w-]*[^>\n]*?(?:>|&gt;|\\u003e|＞)", re.IGNORECASE)


def strip_boundary_tags(text: str) -> str:
    """Remove every ``<untrusted>``/``</untrusted>``-like tag from ``text``."""
    while True:  # repeat: removing one tag may join the halves of another
        text, count = _TAG.subn("", text)
        if not count:
            return text


def fence_untrusted(text: str | None, source: str) -> str:
    """Wrap ``text`` in ``<untrusted source="...">`` tags after stripping boundary tags from it."""
    body = strip_boundary_tags(text or "").strip("\n")
    label = re.sub(r"[^\w.:/-]", "_", source)
    return f'<untrusted source="{label}">\n{body}\n</untrusted>'


def render(template: str, /, *, prompt_dirs: Sequence[Path | str] = (), **context: object) -> str:
    """Render ``template`` with ``context``; a missing variable is an error, never blank.

    ``prompt_dirs`` are searched before the packaged ``prompts/`` folder, so a repository
    can replace one template and keep the rest.
    """
    env = _environment(tuple(str(Path(d)) for d in prompt_dirs))
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"prompt template '{exc.name}' not found") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"prompt template '{exc.name or template}' line {exc.lineno}: {exc.message}") from exc


@lru_cache(maxsize=8)
def _environment(extra_dirs: tuple[str, ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*extra_dirs, str(data_dir("prompts"))]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
        auto_reload=False,  # templates are data shipped with the run; no stat() per render
    )
    env.filters["untrusted"] = fence_untrusted
    env.filters["strip_tags"] = strip_boundary_tags
    return env
