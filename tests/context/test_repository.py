"""The caching reader: each text read once, refusals and size limits applied before parsing."""

from __future__ import annotations

from collections import Counter

from reviewer.context.repository import MAX_CHARS, Repository
from tests.context.helpers import MemoryReader


def test_texts_outlines_and_searches_are_cached():
    reader = MemoryReader({"a.py": "def f():\n    return 1\n", "b.py": "f = 1\n"})
    repo = Repository(reader, lambda path: True)
    first = repo.outline("a.py")
    assert first is not None and repo.outline("a.py") is first
    assert repo.head("a.py") == "def f():\n    return 1\n"
    assert repo.search("f") == ["a.py", "b.py"] and repo.search("f") == ["a.py", "b.py"]
    assert repo.head("missing.py") is None and repo.head("missing.py") is None
    assert Counter(reader.asked) == {("head", "a.py"): 1, ("head", "missing.py"): 1}
    assert reader.searched == ["f"]


def test_refused_and_oversized_files_are_absent():
    reader = MemoryReader({"big.py": "x" * (MAX_CHARS + 1), "ok.py": "x" * MAX_CHARS,
                           "vendor/lib.py": "token = 1\n", "src.py": "token = 2\n"})
    repo = Repository(reader, lambda path: not path.startswith("vendor/"))
    assert repo.outline("big.py") is None
    assert repo.head("ok.py") is not None
    assert repo.outline("vendor/lib.py") is None
    assert repo.search("token") == ["src.py"]
    assert ("head", "vendor/lib.py") not in reader.asked


def test_files_no_grammar_reads_are_not_read_for_an_outline():
    reader = MemoryReader({"notes.md": "# hi\n"})
    repo = Repository(reader, lambda path: True)
    assert repo.outline("notes.md") is None and reader.asked == []


def test_readable_is_asked_once_per_path():
    asked: list[str] = []

    def readable(path: str) -> bool:
        asked.append(path)
        return path != "no.py"

    repo = Repository(MemoryReader({"a.py": "x = 1\n", "no.py": "x = 2\n"}), readable)
    for _ in range(3):
        assert repo.outline("a.py") is not None
        assert repo.outline("no.py") is None
        assert repo.search("x") == ["a.py"]
    assert sorted(asked) == ["a.py", "no.py"]
