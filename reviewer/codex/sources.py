"""The text of a changed file at head, for the tree detectors and the analyzers.

From the repository when a reader is given (and its text agrees with the diff), else rebuilt
from the diff: exact for a new file, otherwise the hunks' lines at their line numbers with blank
lines in between, and git's section header of each hunk (the enclosing ``def``/``func`` line it
names) on the line above the hunk when that line is not shown. Tree-sitter reads such fragments
well; analyzers are never run on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reviewer.log import get_logger
from reviewer.models import FileDiff

__all__ = ["MAX_SOURCE_CHARS", "FileSource", "diff_source", "file_sources"]

log = get_logger("codex")

MAX_SOURCE_CHARS = 1_000_000
"""Head texts longer than this are not read; the diff is used instead."""


@dataclass(frozen=True)
class FileSource:
    """A file's new-side text; ``exact`` when it is the whole file, not fragments of it."""

    path: str
    text: str
    exact: bool


def added_lines(file: FileDiff) -> set[int]:
    """The new-side numbers of the file's added lines."""
    return {d.new_line for h in file.hunks for d in h.lines if d.kind == "added" and d.new_line is not None}


def diff_source(file: FileDiff) -> FileSource:
    """The new side as the diff shows it (see the module docstring)."""
    known: dict[int, str] = {}
    for hunk in file.hunks:
        for line in hunk.lines:
            if line.kind != "removed" and line.new_line is not None:
                known[line.new_line] = line.content.rstrip("\r\n")
    last = max(known, default=0)
    exact = file.new_file and len(known) == last
    headers = {} if exact else {h.new_start - 1: h.section for h in file.hunks
                                if h.section.strip() and h.new_start > 1 and h.new_start - 1 not in known}
    text = "\n".join(known.get(n, headers.get(n, "")) for n in range(1, last + 1))
    return FileSource(file.path, text + "\n" if text else text, exact)


def file_sources(files: Sequence[FileDiff], reader: Any | None) -> dict[str, FileSource]:
    """The head text of each of ``files`` (reviewable, not deleted), by path.

    ``reader`` is a ``SourceReader`` (``head_text(path)``, optionally ``prefetch(paths)``); a
    text it cannot give, or one whose lines differ from the diff's, is replaced by ``diff_source``.
    """
    wanted = [f for f in files if f.reviewable and not f.deleted_file]
    sources: dict[str, FileSource] = {}
    from_reader: dict[str, str | None] = {}
    if reader is not None:
        needed = [f.path for f in wanted if not diff_source(f).exact]
        from_reader = _read(reader, needed)
    for file in wanted:
        text = from_reader.get(file.path)
        if text is not None and _agrees(text, file):
            sources[file.path] = FileSource(file.path, text, True)
        else:
            sources[file.path] = diff_source(file)
    return sources


def _read(reader: Any, paths: Iterable[str]) -> dict[str, str | None]:
    paths = list(paths)
    if not paths:
        return {}
    prefetch = getattr(reader, "prefetch", None)
    try:
        if callable(prefetch):
            prefetch(paths)
        found: dict[str, str | None] = {}
        for path in paths:
            text = reader.head_text(path)
            found[path] = text if text is not None and len(text) <= MAX_SOURCE_CHARS else None
        return found
    except Exception as exc:  # noqa: BLE001 - the diff is always there to fall back on
        log.warning("codex_head_text_failed", error=f"{type(exc).__name__}: {exc}")
        return {}


def _agrees(text: str, file: FileDiff) -> bool:
    """True when every new-side line of the diff is the same line of ``text``."""
    lines = text.splitlines()
    for hunk in file.hunks:
        for line in hunk.lines:
            if line.kind == "removed" or line.new_line is None:
                continue
            if line.new_line > len(lines) or lines[line.new_line - 1].rstrip("\r") != line.content.rstrip("\r\n"):
                return False
    return True
