"""Who depends on the change: definitions whose signature changed or that went away, and their uses elsewhere.

A definition counts when it is top level or a method of a top-level class or type. A change to
``__init__``/``constructor`` is a change to calls of the class. Uses are found with the
reader's whole-word search, then confirmed in the parsed file: for a function, class or
constant, the file must import it from its module (re-exports followed; Go: import its
package, or be in the same package); for a method, any ``.name(`` call counts.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from reviewer.context.languages import Family
from reviewer.context.outline import Definition, Outline
from reviewer.context.references import Use, use_at
from reviewer.context.resolve import ModuleTarget, Resolver
from reviewer.context.signatures import signature_change
from reviewer.context.syntax.base import Chain, Import, row

__all__ = ["Change", "Site", "call_sites", "detect_changes"]

_AROUND = 2  # lines shown either side of a call
_CALL_SPAN = 6  # lines of a multi-line call shown past its first line
_CONSTRUCTORS = ("__init__", "constructor")


@dataclass(frozen=True)
class Change:
    """A definition callers may break on: ``path`` is where it is (at head, or at the base when removed)."""

    path: str
    definition: Definition
    description: str
    removed: bool


@dataclass(frozen=True)
class Site:
    """A use of a changed definition in another file."""

    path: str
    line: int
    first: int
    last: int
    symbol: str
    note: str


@dataclass(frozen=True)
class _Target:
    path: str
    name: str
    method: bool
    calls_only: bool
    description: str


def detect_changes(base: Outline | None, head: Outline | None, base_path: str, head_path: str) -> list[Change]:
    """Definitions of ``base`` removed or renamed at ``head``, and those whose signature changed."""
    old = _tracked(base)
    new = _tracked(head)
    changes: list[Change] = []
    for qualified, before in old.items():
        after = new.get(qualified)
        if after is None:
            if base is not None and (head is None or not head.error_spans):  # an error may hide a definition
                changes.append(Change(base_path, before, _removal(before, base, head, old), removed=True))
        elif before.is_function and after.is_function and not (before.has_error or after.has_error):
            description = signature_change(before, after)
            if description:
                changes.append(Change(head_path, after, description, removed=False))
    return changes


def call_sites(change: Change, resolver: Resolver, limit: int, covered: Callable[[str, int], bool],
               family: Family) -> list[Site]:
    """Up to ``limit`` uses of ``change`` in other files of ``family``: picked one file after another
    in turn (so many files are seen), listed file by file."""
    if limit <= 0:
        return []
    target = _target(change)
    per_file: list[list[Site]] = []
    for path in resolver.repo.search(target.name):
        outline = resolver.repo.outline(path) if path != target.path else None
        if outline is None or outline.family != family:
            continue
        sites = [s for s in _sites(outline, target, resolver) if not covered(s.path, s.line)]
        if sites:
            per_file.append(sites)
        if len(per_file) >= limit:
            break
    chosen: list[Site] = []
    for index in range(max(map(len, per_file), default=0)):
        chosen.extend(sites[index] for sites in per_file if index < len(sites))
    order = {sites[0].path: position for position, sites in enumerate(per_file)}
    return sorted(chosen[:limit], key=lambda site: (order[site.path], site.line))


# --- changes ---------------------------------------------------------------------------


def _tracked(outline: Outline | None) -> dict[str, Definition]:
    """Definitions other files can use: top level, and methods of top-level classes and types."""
    if outline is None:
        return {}
    tracked: dict[str, Definition] = {}
    for definition in outline.definitions:
        top = definition.container is None
        method = definition.kind == "method" and definition.container is not None and "." not in definition.container
        if not definition.anonymous and (top or method):
            tracked.setdefault(definition.qualified, definition)
    return tracked


def _removal(before: Definition, base: Outline, head: Outline | None, old: dict[str, Definition]) -> str:
    """``renamed to `x``` when exactly one new definition is the same code under another name."""
    if head is None:
        return "removed"
    code = _code_without_name(before, base)
    twins = [d for q, d in _tracked(head).items() if q not in old and d.kind == before.kind
             and d.container == before.container and _code_without_name(d, head) == code]
    return f"renamed to `{twins[0].name}`" if len(twins) == 1 else "removed"


def _code_without_name(definition: Definition, outline: Outline) -> str:
    source = "\n".join(outline.lines[definition.start - 1:definition.end])
    return source.replace(definition.name, "\0")


def _target(change: Change) -> _Target:
    definition = change.definition
    if definition.kind == "method" and definition.name in _CONSTRUCTORS and definition.owner:
        return _Target(change.path, definition.owner, method=False, calls_only=True,
                       description=f"`{definition.name}` {change.description}")
    method = definition.kind == "method"
    return _Target(change.path, definition.name, method=method, calls_only=method or not change.removed,
                   description=change.description)


# --- uses in one file ------------------------------------------------------------------


def _sites(outline: Outline, target: _Target, resolver: Resolver) -> list[Site]:
    imports: list[Import] = []
    if target.method:  # `x.name(` on any object but a module (`subprocess.run(` is not a method call)
        modules_here = _module_roots(outline, resolver)
        uses = [use for use in _uses(outline, target.name) if len(use.chain) >= 2 and use.chain[0] not in modules_here]
    else:
        names, modules, imports = _bindings(outline, target, resolver)
        words = names | ({target.name} if modules else set())
        uses = [use for word in sorted(words) for use in _uses(outline, word)
                if (len(use.chain) == 1 and use.chain[0] in names)
                or (use.chain[-1] == target.name and use.chain[:-1] in modules)]
    sites = [_site(outline, use, target) for use in uses if use.call is not None or not target.calls_only]
    if not target.calls_only:
        sites += [_import_site(outline, imp, target) for imp in imports]
    return sorted({s.line: s for s in sites}.values(), key=lambda s: s.line)


def _module_roots(outline: Outline, resolver: Resolver) -> set[str]:
    """Names ``outline`` binds to a module, or to anything from outside the repository."""
    return {imp.local for imp in outline.imports
            if imp.local != "*" and (imp.name is None or resolver.module_path(outline, imp) is None)}


def _bindings(outline: Outline, target: _Target, resolver: Resolver) -> tuple[set[str], set[Chain], list[Import]]:
    """The names bound to the target in ``outline``, the module names it is reached through, and the imports."""
    names: set[str] = set()
    modules: set[Chain] = set()
    imports: list[Import] = []
    folder = posixpath.dirname(target.path)
    if outline.family == "go" and posixpath.dirname(outline.path) == folder:
        names.add(target.name)
    for imp in outline.imports:
        source = resolver.module_path(outline, imp)
        if source is None:
            continue
        if outline.family == "go":
            if source == folder and imp.local == "*":  # a dot import
                names.add(target.name)
            elif source == folder:
                modules.add((imp.local,))
        elif imp.name is None:
            if source == target.path:
                modules.add(tuple(imp.module.split(".")) if imp.dotted else (imp.local,))
        elif imp.name == "*":
            if _reaches(resolver, source, target.name, target):
                names.add(target.name)
        elif _reaches(resolver, source, imp.name, target):
            names.add(imp.local)
            imports.append(imp)
        elif imp.name in _module_names(target.path) \
                and resolver.name_in(ModuleTarget(source), imp.name) == ModuleTarget(target.path):
            modules.add((imp.local,))  # `from pkg import mod`
    return names, modules, imports


def _module_names(path: str) -> tuple[str, str]:
    """The names a file is imported by as a module: its stem, and its folder for ``__init__.py``."""
    folder, name = posixpath.split(path)
    return posixpath.splitext(name)[0], posixpath.basename(folder)


def _reaches(resolver: Resolver, module: str, name: str, target: _Target) -> bool:
    return any(location == (target.path, target.name) for location in resolver.locations(module, name))


def _uses(outline: Outline, word: str) -> list[Use]:
    """Every use of ``word`` in code (comments and strings are not code)."""
    pattern = re.compile(rb"(?<![\w$])" + re.escape(word.encode()) + rb"(?![\w$])")
    uses = []
    for match in pattern.finditer(outline.data):
        node = outline.root.descendant_for_byte_range(match.start(), match.end())
        if node is None or node.start_byte != match.start() or node.end_byte != match.end():
            continue
        use = use_at(node, outline.syntax)
        if use is not None:
            uses.append(use)
    return uses


def _site(outline: Outline, use: Use, target: _Target) -> Site:
    line = row(use.expression.end_point.row)
    end = row(use.call.end_point.row) if use.call is not None else line
    first = max(1, line - _AROUND)
    last = min(len(outline.lines), min(max(end, line), line + _CALL_SPAN) + _AROUND)
    if use.call is None:
        note = f"uses `{target.name}` ({target.description})"
    else:
        label = f".{target.name}(" if target.method else f"{target.name}("
        if use.call.type == "new_expression":
            label = f"new {label}"
        note = f"calls `{label}` ({target.description})"
    return Site(outline.path, line, first, last, _symbol_at(outline, line), note)


def _import_site(outline: Outline, imp: Import, target: _Target) -> Site:
    first, last = max(1, imp.line - _AROUND), min(len(outline.lines), imp.line + _AROUND)
    return Site(outline.path, imp.line, first, last, _symbol_at(outline, imp.line),
                f"imports `{target.name}` ({target.description})")


def _symbol_at(outline: Outline, line: int) -> str:
    """The named function, class or type around ``line``, else ``<module>``."""
    named = (d for d in outline.containers(line) if not d.anonymous and d.kind != "constant")
    found = next(named, None)
    return found.qualified if found is not None else "<module>"
