"""A tiny in-memory repository for the context engine's tests: head and base files, real diffs."""

from __future__ import annotations

import difflib
import re

from reviewer.context import ContextItem, code_context
from reviewer.diff import parse_git_diff
from reviewer.models import FileDiff


class MemoryReader:
    """A ``SourceReader`` over dicts of head and base files that records every question asked."""

    def __init__(self, head: dict[str, str], base: dict[str, str] | None = None) -> None:
        self.head = dict(head)
        self.base = dict(base if base is not None else head)
        self.asked: list[tuple[str, str]] = []
        self.searched: list[str] = []

    def head_text(self, path: str) -> str | None:
        self.asked.append(("head", path))
        return self.head.get(path)

    def base_text(self, path: str) -> str | None:
        self.asked.append(("base", path))
        return self.base.get(path)

    def search(self, word: str) -> list[str]:
        self.searched.append(word)
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
        return sorted(path for path, text in self.head.items() if pattern.search(text))

    def paths_read(self) -> set[str]:
        """Every path whose text was asked for, on either side."""
        return {path for _, path in self.asked}


def git_diff(base: dict[str, str], head: dict[str, str]) -> str:
    """A ``git diff``-shaped text for every file that differs between ``base`` and ``head``."""
    blocks = []
    for path in sorted(set(base) | set(head)):
        old, new = base.get(path), head.get(path)
        if old == new:
            continue
        header = [f"diff --git a/{path} b/{path}\n"]
        if old is None:
            header.append("new file mode 100644\n")
        if new is None:
            header.append("deleted file mode 100644\n")
        header.append(f"--- {'/dev/null' if old is None else 'a/' + path}\n")
        header.append(f"+++ {'/dev/null' if new is None else 'b/' + path}\n")
        hunks = list(difflib.unified_diff((old or "").splitlines(keepends=True),
                                          (new or "").splitlines(keepends=True), n=3))[2:]
        blocks.append("".join(header + hunks))
    return "".join(blocks)


def change(base: dict[str, str], head: dict[str, str]) -> tuple[list[FileDiff], MemoryReader]:
    """The parsed diff from ``base`` to ``head`` and a reader over both."""
    return parse_git_diff(git_diff(base, head)), MemoryReader(head, base)


def item_text(item: ContextItem) -> str:
    """An item's lines joined, markers included."""
    return "\n".join(line.text for line in item.lines)


def context(base: dict[str, str], head: dict[str, str], **options) -> tuple[list[ContextItem], MemoryReader]:
    """``code_context`` for the change from ``base`` to ``head``, and the reader it used."""
    files, reader = change(base, head)
    return code_context(files, reader, **options), reader


def of_kind(items: list[ContextItem], kind: str) -> list[ContextItem]:
    """The items of one kind, in order."""
    return [item for item in items if item.kind == kind]


def numbers(item: ContextItem) -> list[int | None]:
    """The line numbers an item shows (None for a marker)."""
    return [line.number for line in item.lines]
