"""Regions: merging overlaps, removing shown lines, rendering with omission markers."""

from __future__ import annotations

from reviewer.context.model import SourceLine
from reviewer.context.regions import Region, marker, merge, render, without

LINES = [f"line {n}" for n in range(1, 31)]


def region(lines, start=None, end=None, *, kind="enclosing", path="a.py", symbol="f", note="") -> Region:
    lines = frozenset(lines)
    return Region(kind, path, symbol, lines, start or min(lines), end or max(lines), note)


def test_markers_count_the_omitted_lines():
    assert marker(1) == SourceLine(None, "… 1 line omitted …")
    assert marker(42) == SourceLine(None, "… 42 lines omitted …")


def test_render_marks_every_gap_including_the_tail():
    item = render(region({1, 2, 10}, 1, 20, note="n"), LINES)
    assert item.lines == (
        SourceLine(1, "line 1"), SourceLine(2, "line 2"), marker(7), SourceLine(10, "line 10"), marker(10))
    assert (item.kind, item.path, item.symbol, item.note) == ("enclosing", "a.py", "f", "n")


def test_overlapping_regions_of_a_kind_and_file_merge_in_place():
    first = region(range(1, 5), symbol="f", note="a")
    other_file = region(range(1, 5), path="b.py")
    other_kind = region(range(3, 6), kind="definition")
    second = region(range(4, 8), symbol="g", note="b")
    apart = region(range(20, 22), symbol="h")
    bridge = region(range(7, 21), symbol="f")
    merged = merge([first, other_file, other_kind, second, apart, bridge])
    assert [(r.kind, r.path, r.symbol) for r in merged] == [
        ("enclosing", "a.py", "f, g, h"), ("enclosing", "b.py", "f"), ("definition", "a.py", "f")]
    assert merged[0].lines == frozenset(range(1, 22)) and merged[0].note == "a; b"


def test_without_drops_shown_lines_and_empty_regions():
    shown = {"a.py": {1, 2, 3}}
    assert without(region({1, 2}), shown) is None
    left = without(region({2, 3, 4, 5}, 1, 9), shown)
    assert left is not None and left.lines == frozenset({4, 5}) and (left.start, left.end) == (1, 9)
    untouched = region({7})
    assert without(untouched, shown) is untouched


def test_touching_regions_merge_but_regions_a_line_apart_do_not():
    merged = merge([region({1, 2}, symbol="a"), region({3, 4}, symbol="b"), region({6}, symbol="c")])
    assert [(r.symbol, sorted(r.lines)) for r in merged] == [("a, b", [1, 2, 3, 4]), ("c", [6])]


def test_a_merged_region_names_its_first_symbols_and_counts_the_rest():
    [merged] = merge([region({n}, symbol=f"f{n}") for n in range(1, 11)])
    assert merged.symbol == "f1, f2, f3, f4, f5, 5 more"
