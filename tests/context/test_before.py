"""The code at base: the functions that held the lines a change removed."""

from __future__ import annotations

import textwrap

from reviewer.context.before import BASE_NOTE, base_enclosing, removed_near
from reviewer.context_stage import context_repository
from tests.context.helpers import change, item_text, numbers

BASE = textwrap.dedent('''
    def save(order, db):
        """Store one order."""
        if not order.valid():
            raise ValueError("invalid order")
        db.insert(order)


    def load(key, db):
        return db.get(key)
''').lstrip("\n")
HEAD = BASE.replace('    if not order.valid():\n        raise ValueError("invalid order")\n', "")


def test_removed_lines_near_a_new_side_finding_are_found_on_the_base_side():
    files, _ = change({"app.py": BASE}, {"app.py": HEAD})
    assert removed_near(files[0], [(3, 3, "new")]) == [3, 4]
    assert removed_near(files[0], [(40, 41, "new")]) == []  # far from every hunk
    assert removed_near(files[0], [(7, 8, "old")]) == [7, 8]  # an old-side finding names base lines


def test_the_enclosing_function_is_shown_as_it_was_at_base():
    files, reader = change({"app.py": BASE}, {"app.py": HEAD})
    items = base_enclosing(files[0], [3, 4], context_repository(reader))
    assert len(items) == 1
    item = items[0]
    assert item.symbol == "save" and BASE_NOTE in item.note
    assert 'raise ValueError("invalid order")' in item_text(item)
    assert numbers(item) == [1, 2, 3, 4, 5]  # numbered as at base, the whole function
    assert "load" not in item_text(item)


def test_nothing_at_base_for_a_new_file_or_no_lines():
    files, reader = change({}, {"app.py": HEAD})
    assert base_enclosing(files[0], [1], context_repository(reader)) == []
    files, reader = change({"app.py": BASE}, {"app.py": HEAD})
    assert base_enclosing(files[0], [], context_repository(reader)) == []
