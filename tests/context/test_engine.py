"""``code_context`` as a whole: order, deduplication, what may be read, robustness."""

from __future__ import annotations

import random

import pytest

from reviewer.context import ContextItem, SourceLine, code_context
from reviewer.context.repository import MAX_CHARS
from tests.context.helpers import MemoryReader, change, context, of_kind

NEW_FETCH = "def fetch(url, t=1):\n    return helper(url)"
BASE = {
    "pkg/__init__.py": "",
    "pkg/util.py": "def helper(x):\n    return x\n\n\nLIMIT = 3\n",
    "pkg/api.py": "from .util import helper\n\n\ndef fetch(url):\n    return url\n\n\ndef other():\n    return 1\n",
    "pkg/jobs.py": "from .api import fetch\n\n\ndef run():\n    return fetch('/a')\n",
    "docs/guide.md": "# Guide\n\nUse fetch.\n",
}


def test_items_come_enclosing_first_in_file_order_then_definitions_then_call_sites():
    head = dict(BASE)
    head["pkg/api.py"] = BASE["pkg/api.py"].replace("def fetch(url):\n    return url", NEW_FETCH)
    head["pkg/api.py"] = head["pkg/api.py"].replace("return 1", "return 2")
    head["docs/guide.md"] = BASE["docs/guide.md"].replace("Use fetch.", "Use fetch(url, t).")
    items, _ = context(BASE, head)
    assert [(i.kind, i.path, i.symbol) for i in items] == [
        ("enclosing", "docs/guide.md", "<lines>"),
        ("enclosing", "pkg/api.py", "fetch"),
        ("enclosing", "pkg/api.py", "other"),
        ("definition", "pkg/util.py", "helper"),
        ("call_site", "pkg/jobs.py", "run"),
    ]
    assert all(isinstance(i, ContextItem) and all(isinstance(s, SourceLine) for s in i.lines) for i in items)


def test_refused_paths_are_never_read():
    head = dict(BASE)
    head["pkg/api.py"] = BASE["pkg/api.py"].replace("def fetch(url):\n    return url", NEW_FETCH)
    head["docs/guide.md"] = "# Changed\n"
    refused = {"pkg/util.py", "pkg/jobs.py", "docs/guide.md"}
    files, reader = change(BASE, head)
    items = code_context(files, reader, readable=lambda path: path not in refused)
    assert [(i.kind, i.path) for i in items] == [("enclosing", "pkg/api.py")]
    assert reader.paths_read() & refused == set()


def test_a_refused_changed_file_gives_nothing_and_is_not_read():
    head = {**BASE, "pkg/api.py": BASE["pkg/api.py"].replace("return 1", "return 2")}
    files, reader = change(BASE, head)
    assert code_context(files, reader, readable=lambda path: path != "pkg/api.py") == []
    assert "pkg/api.py" not in reader.paths_read()


def test_files_over_one_megabyte_are_skipped():
    huge = "x = 1\n" * (MAX_CHARS // 6 + 1)
    base = {**BASE, "pkg/util.py": BASE["pkg/util.py"] + huge, "big.py": huge}
    head = {**base, "big.py": huge + "y = 2\n",
            "pkg/api.py": BASE["pkg/api.py"].replace("return url", "return helper(url)")}
    items, _ = context(base, head)
    assert [(i.kind, i.path) for i in items] == [("enclosing", "pkg/api.py")]


def test_a_new_file_is_shown_without_reading_a_base():
    head = {**BASE, "pkg/new.py": "from .util import helper\n\n\ndef go():\n    return helper(1)\n"}
    items, reader = context(BASE, head)
    assert [(i.kind, i.path, i.symbol) for i in items] == [
        ("enclosing", "pkg/new.py", "<module>, go"), ("definition", "pkg/util.py", "helper")]
    assert ("base", "pkg/new.py") not in reader.asked


def test_an_unreadable_head_file_is_skipped():
    head = {**BASE, "pkg/api.py": BASE["pkg/api.py"].replace("return 1", "return 2")}
    files, _ = change(BASE, head)
    reader = MemoryReader({k: v for k, v in head.items() if k != "pkg/api.py"}, BASE)
    assert code_context(files, reader) == []


def test_the_same_region_is_never_shown_twice():
    head = dict(BASE)
    head["pkg/api.py"] = BASE["pkg/api.py"].replace("return url", "return other() or url").replace(
        "return 1", "return fetch('x')")
    items, _ = context(BASE, head)
    shown = [(i.path, line.number) for i in items for line in i.lines if line.number is not None]
    assert len(shown) == len(set(shown))
    assert of_kind(items, "definition") == []


@pytest.mark.parametrize("path", ["a.py", "a.js", "a.ts", "a.tsx", "a.go"])
def test_garbage_never_raises(path):
    rng = random.Random(path)
    alphabet = "def class func ( ) { } [ ] : ; = => . , ' \" \\ \n \t # // /* */ import from export package x y 1"
    words = alphabet.split(" ") + ["\n", "    "]
    for _ in range(30):
        base = "".join(rng.choice(words) + rng.choice(["", " "]) for _ in range(120))
        head = "".join(rng.choice(words) + rng.choice(["", " "]) for _ in range(120))
        items, _ = context({path: base, "other.py": "x = 1\n"}, {path: head, "other.py": "x = 1\n"})
        assert all(item.path == path for item in items)
        assert all(line.number is None or line.number >= 1 for item in items for line in item.lines)
