"""Short, one-line texts for messages: never cut in the middle of a word."""

from __future__ import annotations

ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """``text`` on one line (whitespace folded), at most ``limit`` characters.

    A longer text is cut at the last word boundary that fits and ends with "…"; a single word
    longer than the limit is the only thing ever cut inside.
    """
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    room = max(0, limit - len(ELLIPSIS))
    cut = flat[: room + 1]
    boundary = cut.rfind(" ")
    head = cut[:boundary] if boundary > 0 else flat[:room]
    return head.rstrip(" ,;:-") + ELLIPSIS


def truncate(text: str, limit: int) -> str:
    """``text`` with its line breaks kept, at most ``limit`` characters: a longer one is cut at
    the last white space that fits and ends with "…"."""
    if len(text) <= limit:
        return text
    room = max(0, limit - len(ELLIPSIS))
    cut = text[: room + 1]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    head = cut[:boundary] if boundary > 0 else text[:room]
    return head.rstrip() + ELLIPSIS
