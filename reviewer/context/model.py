"""The engine's public types: what it reads (``SourceReader``) and what it returns (``ContextItem``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["ContextItem", "ContextKind", "SourceLine", "SourceReader"]


class SourceReader(Protocol):
    """Read access to the repository: the reviewed head, the base, and a whole-word search at head."""

    def head_text(self, path: str) -> str | None:
        """The file at the reviewed head; None if absent or unreadable."""

    def base_text(self, path: str) -> str | None:
        """The file at the base (before the change); None if absent."""

    def search(self, word: str) -> list[str]:
        """Paths at head whose text contains ``word`` as a whole word (the caller caps it)."""


@dataclass(frozen=True)
class SourceLine:
    """One line shown in context: its 1-based number at head, or None for a marker line."""

    number: int | None
    text: str


ContextKind = Literal["enclosing", "definition", "call_site"]


@dataclass(frozen=True)
class ContextItem:
    """One block of code shown next to a change, with why it is shown."""

    kind: ContextKind
    path: str
    symbol: str
    lines: tuple[SourceLine, ...]
    note: str = ""
