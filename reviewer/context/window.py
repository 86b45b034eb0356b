"""The fallback for files no grammar reads or whose change touches a syntax error: lines around it."""

from __future__ import annotations

from collections.abc import Iterable

from reviewer.context.regions import Region

__all__ = ["WINDOW", "window_regions"]

WINDOW = 20
"""Lines shown either side of each changed line."""


def window_regions(path: str, changed: Iterable[int], total: int) -> list[Region]:
    """One ``<lines>`` region per run of overlapping windows around ``changed`` lines."""
    runs: list[list[int]] = []
    for line in sorted(set(changed)):
        start, end = max(1, line - WINDOW), min(total, line + WINDOW)
        if runs and start <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], end)
        elif start <= end:
            runs.append([start, end])
    return [Region("enclosing", path, "<lines>", frozenset(range(start, end + 1)), start, end)
            for start, end in runs]
