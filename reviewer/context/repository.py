"""The repository as the engine reads it: one ``SourceReader`` behind caches and the read rules."""

from __future__ import annotations

from collections.abc import Callable

from reviewer.context.languages import grammar_of
from reviewer.context.model import SourceReader
from reviewer.context.outline import Outline, build_outline

__all__ = ["MAX_CHARS", "Repository"]

MAX_CHARS = 1_000_000
"""Files longer than this (1 MB of text) are never read into context."""


class Repository:
    """Cached head and base texts, their outlines and word searches, for one ``code_context`` call.

    A path ``readable`` refuses is never asked of the reader; a text over ``MAX_CHARS`` is
    treated as absent.
    """

    def __init__(self, reader: SourceReader, readable: Callable[[str], bool]) -> None:
        self._reader = reader
        self._readable = readable
        self._texts: dict[tuple[str, str], str | None] = {}
        self._outlines: dict[tuple[str, str], Outline | None] = {}
        self._searches: dict[str, list[str]] = {}
        self._allowed: dict[str, bool] = {}

    @property
    def reader(self) -> SourceReader:
        """The reader behind the caches."""
        return self._reader

    def readable(self, path: str) -> bool:
        """Whether ``path`` may be read at all (asked once per path)."""
        allowed = self._allowed.get(path)
        if allowed is None:
            allowed = self._allowed[path] = bool(path) and self._readable(path)
        return allowed

    def head(self, path: str) -> str | None:
        """The text of ``path`` at head, or None."""
        return self._text("head", path)

    def outline(self, path: str) -> Outline | None:
        """The outline of ``path`` at head, or None (absent, refused, or no grammar)."""
        return self._outline("head", path)

    def base_outline(self, path: str) -> Outline | None:
        """The outline of ``path`` at the base, or None."""
        return self._outline("base", path)

    def search(self, word: str) -> list[str]:
        """Readable paths at head that contain ``word`` as a whole word, sorted."""
        found = self._searches.get(word)
        if found is None:
            found = self._searches[word] = sorted({p for p in self._reader.search(word) if self.readable(p)})
        return found

    def _text(self, side: str, path: str) -> str | None:
        key = (side, path)
        if key not in self._texts:
            self._texts[key] = self._read(side, path)
        return self._texts[key]

    def _read(self, side: str, path: str) -> str | None:
        if not self.readable(path):
            return None
        source = self._reader.head_text(path) if side == "head" else self._reader.base_text(path)
        return source if source is not None and len(source) <= MAX_CHARS else None

    def _outline(self, side: str, path: str) -> Outline | None:
        key = (side, path)
        if key not in self._outlines:
            source = self._text(side, path) if grammar_of(path) is not None else None
            self._outlines[key] = build_outline(path, source) if source is not None else None
        return self._outlines[key]
