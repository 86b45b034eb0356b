"""Prompt overrides: templates that replace the packaged ``prompts/`` ones of the same name.

Two sources, searched in this order before the packaged templates: the ``--prompts-dir`` folder
of ``reviewer review`` (on disk, relative to the current directory), then the ``prompts_dir``
folder of the repository's config, read from the target branch like the config itself (so a
merge request cannot rewrite the prompts of its own review). Only ``*.j2`` files are templates;
a template's name is its path inside the folder (``security.md.j2``, ``partials/extra.j2``).

The texts are held in memory (``PromptOverrides``), never written to disk: ``reviewer.prompting.templates``
puts them in a jinja2 loader before the packaged folder. ``origin`` is how messages name a
template: ``.reviewer/prompts/security.md.j2`` (a repository path) or ``my-prompts/shared.md.j2``
(the ``--prompts-dir`` path as given).
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from reviewer.errors import ConfigError
from reviewer.resources import data_dir

__all__ = [
    "TEMPLATE_SUFFIX", "PromptOverrides", "PromptTemplate", "close_match", "from_repo_files", "is_template_path",
    "packaged_names", "read_folder", "repo_folder",
]

TEMPLATE_SUFFIX = ".j2"


class PromptTemplate(BaseModel):
    """One override: the template ``name`` it replaces (or adds), where it comes from, its text."""

    model_config = ConfigDict(frozen=True)

    name: str
    origin: str
    text: str


class PromptOverrides(BaseModel):
    """The override templates of one run, one per name (the first layer that has a name wins).

    Empty (the default) means the packaged templates only. Hashable, so the jinja2 environment
    built for one set of overrides is shared by every render of the run.
    """

    model_config = ConfigDict(frozen=True)

    templates: tuple[PromptTemplate, ...] = ()

    @classmethod
    def layered(cls, *layers: Iterable[PromptTemplate]) -> PromptOverrides:
        """The overrides of ``layers``, first layer first: a name in an earlier layer hides a later one's."""
        chosen: dict[str, PromptTemplate] = {}
        for layer in layers:
            for template in layer:
                chosen.setdefault(template.name, template)
        return cls(templates=tuple(chosen[name] for name in sorted(chosen)))

    def __bool__(self) -> bool:
        return bool(self.templates)

    def get(self, name: str) -> PromptTemplate | None:
        """The override of template ``name``, if any."""
        return next((t for t in self.templates if t.name == name), None)

    def origins(self) -> dict[str, PromptTemplate]:
        """The overrides by ``origin`` (the file name jinja2 gives their code)."""
        return {t.origin: t for t in self.templates}

    def unused(self, packaged: Collection[str]) -> list[PromptTemplate]:
        """Overrides whose name is no packaged template and that no other override includes,
        imports or extends: nothing renders them (most likely a misspelt name)."""
        referenced = _referenced(self.templates)
        return [t for t in self.templates if t.name not in packaged and t.name not in referenced]


def _referenced(templates: Iterable[PromptTemplate]) -> set[str]:
    """Template names the ``templates`` include, import or extend (unparsable ones are skipped:
    their syntax error is reported on its own)."""
    import jinja2
    from jinja2 import meta

    env = jinja2.Environment()
    names: set[str] = set()
    for template in templates:
        try:
            ast = env.parse(template.text)
        except jinja2.TemplateSyntaxError:
            continue
        names.update(n for n in meta.find_referenced_templates(ast) if n)
    return names


@lru_cache(maxsize=1)
def packaged_names() -> tuple[str, ...]:
    """The names of the packaged templates, sorted (``_code_context.j2``, …, ``verify.md.j2``)."""
    folder = data_dir("prompts")
    return tuple(sorted(p.relative_to(folder).as_posix() for p in folder.rglob(f"*{TEMPLATE_SUFFIX}") if p.is_file()))


def close_match(name: str, names: Iterable[str]) -> str | None:
    """The name among ``names`` most like ``name``, when one is close (for "did you mean")."""
    found = difflib.get_close_matches(name, list(names), n=1, cutoff=0.75)
    return found[0] if found else None


def is_template_path(path: str) -> bool:
    """True for a template file's path (``*.j2``); other files in a prompts folder are ignored."""
    return path.endswith(TEMPLATE_SUFFIX) and not posixpath.basename(path).startswith(".")


def read_folder(folder: Path) -> list[PromptTemplate]:
    """The templates under ``folder`` on disk (recursively), named by their path inside it.

    Raises:
        ConfigError: ``folder`` is not a folder, or a template is not readable UTF-8 text.
    """
    if not folder.is_dir():
        raise ConfigError(f"--prompts-dir {folder}: no such folder")
    templates = []
    for file in sorted(folder.rglob(f"*{TEMPLATE_SUFFIX}")):
        name = file.relative_to(folder).as_posix()
        if not file.is_file() or not is_template_path(name):
            continue
        origin = (folder / name).as_posix()
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"prompt override {origin}: cannot be read ({type(exc).__name__})") from exc
        templates.append(PromptTemplate(name=name, origin=origin, text=text))
    return templates


def from_repo_files(files: Mapping[str, str], folder: str) -> list[PromptTemplate]:
    """The templates among ``files`` (repository path → text) under the repository folder ``folder``."""
    prefix = f"{folder}/"
    return [PromptTemplate(name=path[len(prefix):], origin=path, text=files[path])
            for path in sorted(files) if path.startswith(prefix) and is_template_path(path)]


def repo_folder(value: str) -> str:
    """A ``prompts_dir`` value as a repository path (no ``./``, no trailing ``/``).

    Raises:
        ValueError: the value is absolute, leaves the repository or is its root.
    """
    parts = [p for p in value.replace("\\", "/").split("/") if p not in ("", ".")]
    if value.startswith(("/", "\\")) or ".." in parts or ":" in value:
        raise ValueError(f"{value!r} must be a folder inside the repository, relative to its root")
    if not parts:
        raise ValueError(f"{value!r} must name a folder below the repository root (e.g. .reviewer/prompts)")
    return "/".join(parts)
