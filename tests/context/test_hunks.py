"""Changed head lines from real diffs."""

from __future__ import annotations

from reviewer.context.hunks import changed_lines
from tests.context.helpers import change

BASE = "".join(f"l{n}\n" for n in range(1, 21))


def lines_of(head: str):
    files, _ = change({"a.txt": BASE}, {"a.txt": head})
    return changed_lines(files[0])


def test_added_and_replaced_lines_are_touched():
    changed = lines_of(BASE.replace("l5\n", "l5 changed\n").replace("l9\n", "l9\nnew\n"))
    assert changed.added == frozenset({5, 10})
    assert changed.touched == (5, 10) and changed.removals == ()


def test_a_pure_removal_touches_the_line_before_it():
    changed = lines_of(BASE.replace("l7\nl8\n", ""))
    assert changed.added == frozenset()
    assert changed.removals == (7,) and changed.touched == (6,)


def test_a_removal_at_the_top_touches_the_first_line():
    changed = lines_of(BASE.replace("l1\n", ""))
    assert changed.removals == (1,) and changed.touched == (1,)
