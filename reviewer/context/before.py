"""The code as it was: the enclosing functions, at base, of the lines a change removed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from reviewer.context.enclosing import enclosing_regions
from reviewer.context.model import ContextItem
from reviewer.context.regions import Region, merge, render
from reviewer.context.repository import Repository
from reviewer.models import FileDiff

__all__ = ["BASE_NOTE", "base_enclosing", "removed_near"]

BASE_NOTE = "at the base, before the change"


def removed_near(file: FileDiff, ranges: Iterable[tuple[int, int, str]], slack: int = 3) -> list[int]:
    """Base line numbers of the lines ``file``'s hunks removed near ``ranges``: each is
    (first, last, side); a range on the old side names base lines itself, a range on the new
    side takes the removed lines of the hunks it overlaps (within ``slack`` lines)."""
    lines: set[int] = set()
    for first, last, side in ranges:
        if side == "old":
            lines.update(range(first, last + 1))
            continue
        for hunk in file.hunks:
            end = hunk.new_start + max(hunk.new_count, 1) - 1
            if hunk.new_start - slack <= last and first <= end + slack:
                lines.update(ln.old_line for ln in hunk.lines if ln.kind == "removed" and ln.old_line)
    return sorted(lines)


def base_enclosing(file: FileDiff, base_lines: Iterable[int], repository: Repository) -> list[ContextItem]:
    """The enclosing code at base of ``base_lines`` of ``file`` (its old path), numbered as at
    base and noted so; empty when the base text or its grammar is unavailable."""
    lines = sorted(set(base_lines))
    if not lines or file.new_file:
        return []
    outline = repository.base_outline(file.old_path)
    if outline is None:
        return []
    regions = [r for r in enclosing_regions(outline, lines, {}) if r.lines]
    return [render(_noted(r), outline.lines) for r in merge(regions)]


def _noted(region: Region) -> Region:
    return replace(region, note="; ".join(n for n in (BASE_NOTE, region.note) if n))
