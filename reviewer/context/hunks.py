"""Which head lines a file's hunks change."""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.models import DiffLine, FileDiff

__all__ = ["ChangedLines", "changed_lines"]


@dataclass(frozen=True)
class ChangedLines:
    """The head lines a change touches.

    ``added`` are the added lines; ``removals`` the head line each run of removed lines (with
    nothing added in its place) was removed before; ``touched`` the added lines plus, for each
    removal, the line just before it (1 at the top).
    """

    added: frozenset[int]
    removals: tuple[int, ...]
    touched: tuple[int, ...]


def changed_lines(file: FileDiff) -> ChangedLines:
    """The changed head lines of ``file``."""
    added: set[int] = set()
    removals: set[int] = set()
    for hunk in file.hunks:
        for run in _runs(hunk.lines):
            news = {ln.new_line for ln in run if ln.kind == "added" and ln.new_line is not None}
            added |= news
            if not news:
                removals.add(run[0].new_pos)
    touched = added | {max(1, point - 1) for point in removals}
    return ChangedLines(frozenset(added), tuple(sorted(removals)), tuple(sorted(touched)))


def _runs(lines: list[DiffLine]) -> list[list[DiffLine]]:
    """Consecutive added/removed lines, split at context lines."""
    runs: list[list[DiffLine]] = []
    current: list[DiffLine] = []
    for line in lines:
        if line.kind == "context":
            if current:
                runs.append(current)
            current = []
        else:
            current.append(line)
    if current:
        runs.append(current)
    return runs
