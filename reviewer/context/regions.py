"""Regions of a file picked for context: merging overlaps, removing what is already shown, rendering."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from reviewer.context.model import ContextItem, ContextKind, SourceLine

__all__ = ["Region", "marker", "merge", "render", "without"]

_MAX_SYMBOLS = 6
"""Symbols named in a merged region's ``symbol`` before the rest are counted."""


@dataclass(frozen=True)
class Region:
    """Lines of one file to show, within ``start``–``end`` (lines between that are not shown are omitted)."""

    kind: ContextKind
    path: str
    symbol: str
    lines: frozenset[int]
    start: int
    end: int
    note: str = ""


def marker(count: int) -> SourceLine:
    """The line that stands for ``count`` omitted lines."""
    return SourceLine(None, f"… {count} line{'' if count == 1 else 's'} omitted …")


def merge(regions: Iterable[Region]) -> list[Region]:
    """Regions of one kind and file that share or touch a line become one, at the first one's place."""
    groups: list[_Group] = []
    parent: list[int] = []  # union-find over group indexes; a root is its group's first region
    owner: dict[tuple[str, str, int], int] = {}  # (kind, path, line) → a group holding that line

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for region in regions:
        index = len(groups)
        groups.append(_Group(region))
        parent.append(index)
        touching = {root(owner[key]) for n in region.lines for key in _keys(region, n) if key in owner}
        for other in sorted(touching, reverse=True):
            keep, drop = min(other, root(index)), max(other, root(index))
            if keep == drop:
                continue
            parent[drop] = keep
            groups[keep].absorb(groups[drop])
        for n in region.lines:
            owner[(region.kind, region.path, n)] = index
    return [group.region() for index, group in enumerate(groups) if root(index) == index]


def without(region: Region, shown: Mapping[str, set[int]]) -> Region | None:
    """``region`` minus the lines already shown for its file; None when nothing is left."""
    left = region.lines - shown.get(region.path, set())
    if not left:
        return None
    return region if left == region.lines else replace(region, lines=frozenset(left))


def render(region: Region, lines: list[str]) -> ContextItem:
    """The ``ContextItem`` for ``region``, with a marker line for each run of omitted lines."""
    shown: list[SourceLine] = []
    next_line = region.start
    for number in sorted(region.lines):
        if number > next_line:
            shown.append(marker(number - next_line))
        shown.append(SourceLine(number, lines[number - 1] if number <= len(lines) else ""))
        next_line = number + 1
    if region.end >= next_line:
        shown.append(marker(region.end - next_line + 1))
    return ContextItem(region.kind, region.path, region.symbol, tuple(shown), region.note)


def _keys(region: Region, line: int) -> tuple[tuple[str, str, int], ...]:
    """The lines a region's line touches: itself and its neighbours."""
    return tuple((region.kind, region.path, n) for n in (line - 1, line, line + 1))


class _Group:
    """Regions being merged: the first one's kind and place, everyone's lines, symbols and notes."""

    def __init__(self, region: Region) -> None:
        self.first = region
        self.lines = set(region.lines)
        self.start, self.end = region.start, region.end
        self.symbols = dict.fromkeys([region.symbol] if region.symbol else [])  # ordered sets
        self.notes = dict.fromkeys([region.note] if region.note else [])

    def absorb(self, other: _Group) -> None:
        """Take in ``other`` (which comes after this group)."""
        if len(other.lines) > len(self.lines):
            self.lines, other.lines = other.lines, self.lines
        self.lines |= other.lines
        self.start, self.end = min(self.start, other.start), max(self.end, other.end)
        self.symbols.update(other.symbols)
        self.notes.update(other.notes)

    def region(self) -> Region:
        """The merged region."""
        symbols = list(self.symbols)
        if len(symbols) > _MAX_SYMBOLS:
            symbols = [*symbols[:_MAX_SYMBOLS - 1], f"{len(symbols) - _MAX_SYMBOLS + 1} more"]
        return replace(self.first, lines=frozenset(self.lines), start=self.start, end=self.end,
                       symbol=", ".join(symbols), note="; ".join(self.notes))
