"""``code_context``: the code around, used by and depending on a change, in priority order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from reviewer.context.callers import Change, Site, call_sites, detect_changes
from reviewer.context.definitions import definition_region, used_definitions
from reviewer.context.enclosing import enclosing_regions
from reviewer.context.hunks import ChangedLines, changed_lines
from reviewer.context.languages import family_of, grammar_of
from reviewer.context.model import ContextItem, SourceReader
from reviewer.context.modules import Modules
from reviewer.context.outline import Definition, Outline, split_lines
from reviewer.context.regions import Region, merge, render, without
from reviewer.context.repository import Repository
from reviewer.context.resolve import Resolver
from reviewer.context.window import window_regions
from reviewer.models import FileDiff

__all__ = ["code_context"]


@dataclass(frozen=True)
class _Changed:
    """A changed file as the engine reads it (``outline`` None: deleted, or no grammar)."""

    file: FileDiff
    lines: ChangedLines
    text: str | None
    outline: Outline | None


def code_context(files: Sequence[FileDiff], reader: SourceReader, *, call_sites: int = 5,
                 readable: Callable[[str], bool] = lambda path: True,
                 repository: Repository | None = None) -> list[ContextItem]:
    """Context for a chunk of changed ``files`` read through ``reader`` at head (and base).

    Returns ``enclosing`` items (file order, then line order), then ``definition`` items the
    added lines use, then up to ``call_sites`` ``call_site`` items for each definition whose
    signature changed or that was removed. No code region is shown twice. Paths ``readable``
    refuses are never read, nor are texts over 1 MB. ``repository`` (built on the same reader
    and rule) shares its caches of texts, outlines and searches across calls.
    """
    repo = repository if repository is not None else Repository(reader, readable)
    gone = frozenset(f.old_path for f in files if f.deleted_file or f.renamed_file)
    resolver = Resolver(repo, Modules(repo, gone))
    changed = [c for c in (_load(f, repo) for f in files) if c is not None]
    changes = [change for c in changed for change in _changes(c, repo)]
    notes: dict[str, dict[str, str]] = {}  # path → qualified name → how its signature changed
    for ch in changes:
        if not ch.removed:
            notes.setdefault(ch.path, {})[ch.definition.qualified] = ch.description

    enclosing = _in_file_order(merge(r for c in changed for r in _enclosing(c, notes)), changed)
    shown = _shown({}, enclosing)
    definitions = merge(_definitions(changed, resolver, shown))
    shown = _shown(shown, definitions)
    sites = merge(_call_sites(changes, resolver, call_sites, shown))

    def lines_of(path: str) -> list[str]:
        outline = repo.outline(path)
        return outline.lines if outline is not None else split_lines(repo.head(path) or "")

    return [render(region, lines_of(region.path)) for region in [*enclosing, *definitions, *sites]]


def _load(file: FileDiff, repo: Repository) -> _Changed | None:
    if file.binary or not repo.readable(file.path):
        return None
    lines = changed_lines(file)
    if file.deleted_file:
        return _Changed(file, lines, None, None)
    text = repo.head(file.new_path)
    if text is None:
        return None
    return _Changed(file, lines, text, repo.outline(file.new_path))


def _changes(changed: _Changed, repo: Repository) -> list[Change]:
    """Signature changes and removals in one file (the base is parsed only when one is possible)."""
    file = changed.file
    if file.new_file or grammar_of(file.old_path) is None:
        return []
    if changed.outline is not None and _inside_bodies(changed.outline, changed.lines):
        return []
    return detect_changes(repo.base_outline(file.old_path), changed.outline, file.old_path, file.new_path)


def _inside_bodies(outline: Outline, lines: ChangedLines) -> bool:
    """True when every change lies inside a function body, so no signature or definition changed."""
    if any(_body_of(outline, line) is None for line in lines.added):
        return False
    for point in lines.removals:
        body = _body_of(outline, point - 1)
        if body is None or body is not _body_of(outline, point):
            return False
    return True


def _body_of(outline: Outline, line: int) -> Definition | None:
    """The innermost function whose body (below its signature) holds ``line``."""
    function = next((d for d in outline.containers(line) if d.is_function), None)
    if function is None or not function.signature_end < line <= function.end:
        return None
    return function


def _enclosing(changed: _Changed, notes: dict[str, dict[str, str]]) -> list[Region]:
    path = changed.file.new_path
    if changed.outline is not None:
        return enclosing_regions(changed.outline, changed.lines.touched, notes.get(path, {}))
    if changed.text is None:
        return []
    return window_regions(path, changed.lines.touched, len(split_lines(changed.text)))


def _in_file_order(regions: list[Region], changed: list[_Changed]) -> list[Region]:
    order = {c.file.new_path: index for index, c in enumerate(changed)}
    return sorted(regions, key=lambda r: (order.get(r.path, len(order)), r.start))


def _definitions(changed: list[_Changed], resolver: Resolver, shown: dict[str, set[int]]) -> list[Region]:
    regions: list[Region] = []
    seen: set[tuple[str, str]] = set()
    for c in changed:
        if c.outline is None:
            continue
        for used in used_definitions(c.outline, c.lines.added, resolver):
            definition = used.found.definition
            key = (used.found.path, definition.qualified)
            signature = set(range(definition.start, definition.signature_end + 1))
            if key in seen or signature <= shown.get(used.found.path, set()):
                continue
            seen.add(key)
            outline = resolver.repo.outline(used.found.path)
            region = without(definition_region(used, outline), shown) if outline is not None else None
            if region is not None:
                regions.append(region)
    return regions


def _call_sites(changes: list[Change], resolver: Resolver, limit: int,
                shown: dict[str, set[int]]) -> list[Region]:
    def covered(path: str, line: int) -> bool:
        return line in shown.get(path, set())

    regions: list[Region] = []
    for change in changes:
        grammar = grammar_of(change.path)
        if grammar is None:
            continue
        for site in call_sites(change, resolver, limit, covered, family_of(grammar)):
            region = without(_site_region(site), shown)
            if region is not None:
                regions.append(region)
    return regions


def _site_region(site: Site) -> Region:
    return Region("call_site", site.path, site.symbol, frozenset(range(site.first, site.last + 1)),
                  site.first, site.last, site.note)


def _shown(shown: dict[str, set[int]], regions: Iterable[Region]) -> dict[str, set[int]]:
    """``shown`` plus the lines of ``regions``, by path."""
    result = {path: set(lines) for path, lines in shown.items()}
    for region in regions:
        result.setdefault(region.path, set()).update(region.lines)
    return result
