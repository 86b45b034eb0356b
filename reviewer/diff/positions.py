"""GitLab diff positions: which lines can carry a comment, and the fields that address them.

The rules are GitLab's (``gitlab-api.md`` §2): an added line is addressed by ``new_line``
only, a removed line by ``old_line`` only, a context line by both; both paths are always
sent; the ``line_code`` is ``sha1(path)_<old_pos>_<new_pos>`` over the parser's running
counters, with ``path`` the new path (the old one when there is no new path).
"""

from __future__ import annotations

import hashlib
from typing import Any

from reviewer.models import DiffLine, FileDiff, Side

__all__ = [
    "LINE_RANGE_KEYS",
    "commentable_lines",
    "line_code",
    "line_range_for",
    "position_for",
    "position_paths",
    "text_position",
]

#: Keys of ``position_for`` that belong in ``line_range.start/end``, not in ``position``.
LINE_RANGE_KEYS = ("line_code", "type")


def line_code(path: str, old_pos: int, new_pos: int) -> str:
    """GitLab's ``Gitlab::Git.diff_line_code``: ``"<sha1(path)>_<old_pos>_<new_pos>"``."""
    digest = hashlib.sha1(path.encode("utf-8")).hexdigest()  # noqa: S324 - GitLab's scheme
    return f"{digest}_{old_pos}_{new_pos}"


def position_paths(file: FileDiff) -> tuple[str, str]:
    """``(old_path, new_path)`` as GitLab wants them: a new file repeats its new path on
    both sides, a deleted file its old path, a rename keeps both."""
    if file.new_file:
        path = file.new_path or file.old_path
        return path, path
    if file.deleted_file:
        path = file.old_path or file.new_path
        return path, path
    return file.old_path or file.new_path, file.new_path or file.old_path


def _code_path(file: FileDiff) -> str:
    """The path hashed into line codes: ``new_path.presence || old_path``."""
    old_path, new_path = position_paths(file)
    return new_path or old_path


def _find(file: FileDiff, line: int, side: Side) -> DiffLine | None:
    """The diff line at ``line`` on ``side`` (None outside the diff)."""
    if side not in ("new", "old"):
        raise ValueError(f"side must be 'new' or 'old', not {side!r}")
    return file.find_line(line, side)


def position_for(file: FileDiff, line: int, side: Side = "new") -> dict[str, Any] | None:
    """The GitLab position fields for one line of ``file``, or None when it is not in the diff.

    Returns ``old_path``, ``new_path``, ``new_line`` (added and context lines) and/or
    ``old_line`` (removed and context lines), plus ``line_code`` and ``type`` (``"new"`` for
    an added line, ``"old"`` otherwise) for ``line_range``; those two go in
    ``line_range.start/end``, not in ``position`` itself (see ``text_position``).
    """
    diff_line = _find(file, line, side)
    if diff_line is None:
        return None
    old_path, new_path = position_paths(file)
    position: dict[str, Any] = {"old_path": old_path, "new_path": new_path}
    if diff_line.kind != "added":
        position["old_line"] = diff_line.old_line
    if diff_line.kind != "removed":
        position["new_line"] = diff_line.new_line
    position["line_code"] = line_code(_code_path(file), diff_line.old_pos, diff_line.new_pos)
    position["type"] = "new" if diff_line.kind == "added" else "old"
    return position


def line_range_for(file: FileDiff, start: int, end: int, side: Side = "new") -> dict[str, Any] | None:
    """``line_range`` for a multi-line comment from ``start`` to ``end`` on ``side``.

    Each end carries only ``line_code`` and ``type`` (the form every GitLab version
    accepts). None when either end is not in the diff or ``end < start``.
    """
    if end < start:
        return None
    first, last = position_for(file, start, side), position_for(file, end, side)
    if first is None or last is None:
        return None
    return {
        "start": {key: first[key] for key in LINE_RANGE_KEYS},
        "end": {key: last[key] for key in LINE_RANGE_KEYS},
    }


def text_position(
    file: FileDiff,
    line: int,
    side: Side = "new",
    *,
    base_sha: str,
    start_sha: str,
    head_sha: str,
    start_line: int | None = None,
) -> dict[str, Any] | None:
    """The complete ``position`` body for a text comment on ``line`` (the end line).

    With ``start_line`` (before ``line``) a ``line_range`` is added. None when a line is
    not in the diff.
    """
    fields = position_for(file, line, side)
    if fields is None:
        return None
    body: dict[str, Any] = {
        "position_type": "text",
        "base_sha": base_sha,
        "start_sha": start_sha,
        "head_sha": head_sha,
    }
    body.update({key: value for key, value in fields.items() if key not in LINE_RANGE_KEYS})
    if start_line is not None and start_line != line:
        line_range = line_range_for(file, start_line, line, side)
        if line_range is None:
            return None
        body["line_range"] = line_range
    return body


def commentable_lines(file: FileDiff) -> set[tuple[Side, int]]:
    """Every ``(side, line)`` a comment can anchor to: added/context on ``new``,
    removed/context on ``old``."""
    lines: set[tuple[Side, int]] = set()
    for diff_line in file.iter_lines():
        if diff_line.new_line is not None:
            lines.add(("new", diff_line.new_line))
        if diff_line.old_line is not None:
            lines.add(("old", diff_line.old_line))
    return lines
