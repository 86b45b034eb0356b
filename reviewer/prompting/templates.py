"""Render the jinja2 templates in ``prompts/`` (packaged, optionally overridden: ``overrides.py``).

Every template sees the filter ``untrusted(source)``, which fences text from the merge
request in ``<untrusted>`` tags after removing anything that looks like a boundary tag, so
the text cannot close the fence and speak as the reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import jinja2

from reviewer.errors import ConfigError
from reviewer.prompting.overrides import TEMPLATE_SUFFIX, PromptOverrides, PromptTemplate
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


def render(template: str, /, *, prompt_dirs: Sequence[Path | str] = (), overrides: PromptOverrides | None = None,
           **context: object) -> str:
    """Render ``template`` with ``context``; a missing variable is an error, never blank.

    ``overrides`` (``Settings.prompt_overrides``) and then ``prompt_dirs`` are searched before
    the packaged ``prompts/`` folder, so a repository can replace one template and keep the rest.
    A template of ``overrides`` that fails (syntax, an unknown variable, any error while it
    renders) is a ``ConfigError`` naming its file and line.
    """
    env = _environment(tuple(str(Path(d)) for d in prompt_dirs), overrides.templates if overrides else ())
    try:
        return env.get_template(template).render(**context)
    except Exception as exc:
        problem = override_problem(exc, overrides)
        if problem is not None:
            raise ConfigError(problem) from exc
        if isinstance(exc, jinja2.TemplateNotFound):
            raise ConfigError(f"prompt template '{exc.name}' not found") from exc
        if isinstance(exc, jinja2.TemplateSyntaxError):
            raise ConfigError(f"prompt template '{exc.name or template}' line {exc.lineno}: {exc.message}") from exc
        raise


def compile_overrides(overrides: PromptOverrides) -> None:
    """Compile every template of ``overrides``, used or not, so a syntax error is found before
    any model call.

    Raises:
        ConfigError: the first template that does not compile, naming its file and line.
    """
    env = _environment((), overrides.templates)
    for override in overrides.templates:
        try:
            env.get_template(override.name)
        except Exception as exc:
            raise ConfigError(override_problem(exc, overrides) or f"prompt override {override.origin}: {exc}") from exc


def override_problem(exc: BaseException, overrides: PromptOverrides | None) -> str | None:
    """One line naming the override file and line where ``exc`` arose while a template compiled or
    rendered, or None when no override was involved (a fault of the packaged templates or the caller).

    The line is the innermost override frame of the traceback (jinja2 rewrites it to template
    lines); when the error itself arose in a packaged template that override includes, that
    template and line are added.
    """
    if not overrides:
        return None
    by_origin = overrides.origins()
    frames = _template_frames(exc)
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        frames.append((exc.filename, exc.lineno))
    own = [(name, line) for name, line in frames if name in by_origin]
    if not own:
        return None
    origin, line = own[-1]
    where = ""
    if frames[-1][0] != origin:
        inner, inner_line = frames[-1]
        where = f" (in {_packaged_name(inner)} line {inner_line})"
    return f"prompt override {origin} line {line}: {_message(exc)}{where}"


def _template_frames(exc: BaseException) -> list[tuple[str, int]]:
    """(file, line) of the template frames in ``exc``'s traceback, outermost first."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(TEMPLATE_SUFFIX):
            frames.append((name, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _packaged_name(filename: str) -> str:
    try:
        return Path(filename).relative_to(data_dir("prompts")).as_posix()
    except ValueError:
        return filename


def _message(exc: BaseException) -> str:
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template '{exc.name}' not found"
    if isinstance(exc, jinja2.TemplateError):
        return exc.message or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


class _OverrideLoader(jinja2.BaseLoader):
    """Templates held in memory (``{name: (text, origin)}``); ``origin`` becomes the code's file
    name, so errors and tracebacks name the override's file and line."""

    def __init__(self, templates: Sequence[PromptTemplate]) -> None:
        self._templates = {t.name: t for t in templates}

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        found = self._templates.get(template)
        if found is None:
            raise jinja2.TemplateNotFound(template)
        return found.text, found.origin, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self._templates)


@lru_cache(maxsize=8)
def _environment(extra_dirs: tuple[str, ...], overrides: tuple[PromptTemplate, ...] = ()) -> jinja2.Environment:
    """One environment per distinct set of override texts and folders (cached: every render of a
    run shares it, and compiled templates with it)."""
    files = jinja2.FileSystemLoader([*extra_dirs, str(data_dir("prompts"))])
    loader: jinja2.BaseLoader = jinja2.ChoiceLoader([_OverrideLoader(overrides), files]) if overrides else files
    env = jinja2.Environment(
        loader=loader,
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
