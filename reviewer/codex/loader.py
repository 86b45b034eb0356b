"""Load the Engineering Codex: the packaged ``codex_rules/`` plus a repository's extra folders."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from pydantic import ValidationError

from reviewer.codex.languages import language_of
from reviewer.codex.schema import Rule
from reviewer.errors import ConfigError, RuleError
from reviewer.globs import compile_glob, normalise_path
from reviewer.models import Category
from reviewer.resources import data_dir
from reviewer.yaml_mapping import describe_errors, load_mapping

__all__ = [
    "RULE_SUFFIXES", "RuleSet", "display_path", "is_rule_file", "load_rules", "parse_rule_text",
    "read_rule_file", "repo_rule_dir", "rule_dirs", "rule_files",
]

RULE_SUFFIXES = (".yaml", ".yml")
"""File name endings of rule files, in a folder of the reviewer or of a repository."""


class RuleSet:
    """The loaded rules, by ID; removed rules stay known but never apply."""

    def __init__(self, rules: Iterable[Rule], sources: dict[str, Path] | None = None) -> None:
        self._rules = {r.id: r for r in sorted(rules, key=lambda r: r.id)}
        self.sources: dict[str, Path] = dict(sources or {})
        self._active = [r for r in self._rules.values() if r.active]
        self._globs = sorted({g for r in self._active for g in (*r.scope.globs, *r.scope.exclude)})
        self._in_scope: dict[str, list[Rule]] = {}

    def get(self, rule_id: str) -> Rule | None:
        """Return the rule with ``rule_id``, or None when the Codex has no such rule."""
        return self._rules.get(rule_id)

    def ids(self) -> list[str]:
        """Return every known rule ID (removed ones included), sorted."""
        return list(self._rules)

    def all(self) -> list[Rule]:
        """Return every rule, sorted by ID."""
        return list(self._rules.values())

    def for_path(self, path: str, *, category: Category | str | None = None) -> list[Rule]:
        """Return the active rules whose scope covers ``path`` (optionally of one category)."""
        rules = self._in_scope.get(path)
        if rules is None:
            rules = self._in_scope[path] = self._scoped(path)
        if category is None:
            return list(rules)
        wanted = Category(category)
        return [r for r in rules if r.category == wanted]

    def _scoped(self, path: str) -> list[Rule]:
        """The active rules covering ``path`` (``Scope.covers``, each distinct glob matched once)."""
        shown = normalise_path(path)
        hit = {g for g in self._globs if compile_glob(g).fullmatch(shown)}
        language = language_of(path)
        return [
            r for r in self._active
            if not hit.isdisjoint(r.scope.globs) and hit.isdisjoint(r.scope.exclude)
            and (not r.scope.languages or language in r.scope.languages)
        ]

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())


def rule_dirs(extra_dirs: Iterable[str | Path] = ()) -> list[Path]:
    """Return the packaged rules folder followed by ``extra_dirs``."""
    return [data_dir("codex_rules"), *(Path(d) for d in extra_dirs)]


def load_rules(extra_dirs: Iterable[str | Path] = (), extra_texts: Mapping[str, str] | None = None) -> RuleSet:
    """Load the packaged rules, the rules in ``extra_dirs`` and the rule texts in ``extra_texts``.

    ``extra_texts`` maps a repository path (shown in messages) to a rule file's text: the
    reviewed repository's own rules, read from its target branch.

    Raises:
        RuleError: a folder is missing, a file is invalid, or two files share an ID.
    """
    rules: list[Rule] = []
    sources: dict[str, Path] = {}
    shown_by_id: dict[str, str] = {}

    def add(rule: Rule, source: Path, shown: str) -> None:
        if rule.id in sources:
            raise RuleError(f"{shown}: duplicate id '{rule.id}' (already used by {shown_by_id[rule.id]})")
        sources[rule.id], shown_by_id[rule.id] = source, shown
        rules.append(rule)

    for folder in rule_dirs(extra_dirs):
        if not folder.is_dir():
            raise RuleError(f"{folder}: Codex rules folder not found")
        for file in rule_files(folder):
            shown = display_path(file, folder)
            add(read_rule_file(file, shown), file, shown)
    for path, text in sorted((extra_texts or {}).items()):
        add(parse_rule_text(text, path), Path(path), path)
    return RuleSet(rules, sources)


def is_rule_file(path: str | Path) -> bool:
    """True when ``path`` names a rule file (by its ending)."""
    return str(path).endswith(RULE_SUFFIXES)


def repo_rule_dir(folder: str, source: str) -> str:
    """A ``codex_rule_dirs`` entry as a repository path (``''`` is the root, no trailing ``/``).

    Raises:
        ConfigError: the entry is absolute or leaves the repository (``source`` names the config).
    """
    parts = [p for p in folder.replace("\\", "/").split("/") if p not in ("", ".")]
    if folder.startswith(("/", "\\")) or ".." in parts or ":" in folder:
        raise ConfigError(f"{source}: codex_rule_dirs entry {folder!r} must be a folder inside the repository")
    return "/".join(parts)


def rule_files(folder: Path) -> list[Path]:
    """Return the rule files under ``folder``, recursively, in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file())


def display_path(file: Path, folder: Path) -> str:
    """Return ``file`` as shown in messages: the rules folder's name, then the relative path."""
    folder = folder.resolve()
    try:
        return f"{folder.name}/{file.resolve().relative_to(folder).as_posix()}"
    except ValueError:
        return str(file)


def read_rule_file(file: Path, shown: str | None = None) -> Rule:
    """Read, parse and validate one rule file.

    Raises:
        RuleError: one line naming the file and the offending key.
    """
    shown = shown or str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{shown}: cannot read ({exc.__class__.__name__})") from exc
    return parse_rule_text(text, shown)


def parse_rule_text(text: str, shown: str) -> Rule:
    """Parse and validate one rule file's text; ``shown`` names the file in messages.

    Raises:
        RuleError: one line naming the file and the offending key.
    """
    data = load_mapping(text, shown, RuleError)
    try:
        return Rule.model_validate(data)
    except ValidationError as exc:
        raise RuleError(f"{shown}: {describe_errors(exc)[0]}") from exc


