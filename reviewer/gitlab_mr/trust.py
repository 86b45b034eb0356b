"""Only the reviewer's own notes carry its markers: everyone else's are defused as they are read.

Pure functions over GitLab's discussion JSON (no I/O); the client applies them to every
discussion list it hands out, so a copied summary, finding or reply marker is never taken for
the reviewer's own, wherever the discussions go next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reviewer.gitlab_mr import markers

__all__ = ["authored_by", "only_our_markers"]


def only_our_markers(discussions: list[dict[str, Any]], reviewer_id: int | None, *,
                     on_forgery: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """``discussions`` with the marker look-alikes defused (``markers.strip_forgeries``) in every
    note not written by user ``reviewer_id``, in every note when it is None. Only the reviewer's
    own notes then carry markers, and the text of everyone else's is safe to quote back. A note of
    the reviewer's that a human edited keeps its author, so it still counts. ``on_forgery`` is
    called with each note that had something defused."""
    return [_defused(d, reviewer_id, on_forgery) if isinstance(d, dict) else d for d in discussions]


def _defused(discussion: dict[str, Any], reviewer_id: int | None,
             on_forgery: Callable[[dict[str, Any]], None] | None) -> dict[str, Any]:
    notes = discussion.get("notes")
    if not isinstance(notes, list):
        return discussion
    return {**discussion, "notes": [_defused_note(n, reviewer_id, on_forgery) for n in notes]}


def _defused_note(note: Any, reviewer_id: int | None, on_forgery: Callable[[dict[str, Any]], None] | None) -> Any:
    if not isinstance(note, dict) or authored_by(note, reviewer_id) or not isinstance(note.get("body"), str):
        return note
    body = markers.strip_forgeries(note["body"])
    if body == note["body"]:
        return note
    if on_forgery is not None:
        on_forgery(note)
    return {**note, "body": body}


def authored_by(note: dict[str, Any], user_id: int | None) -> bool:
    """True when ``note`` was written by user ``user_id`` (never when that is unknown)."""
    author = note.get("author")
    return user_id is not None and isinstance(author, dict) and author.get("id") == user_id
