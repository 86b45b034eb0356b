"""The line-window fallback."""

from __future__ import annotations

from reviewer.context.window import WINDOW, window_regions


def test_windows_merge_and_stay_inside_the_file():
    regions = window_regions("notes.txt", [5, 30, 100], 110)
    assert [(r.start, r.end) for r in regions] == [(1, 50), (100 - WINDOW, 110)]
    assert all(r.symbol == "<lines>" and r.kind == "enclosing" for r in regions)
    assert regions[0].lines == frozenset(range(1, 51))


def test_no_changed_lines_no_window():
    assert window_regions("a.txt", [], 10) == []
