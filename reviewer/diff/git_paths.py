"""Paths as git writes them in diff headers: C-style quoting, ``a/``/``b/`` prefixes, the
``diff --git`` line whose two paths may contain spaces.
"""

from __future__ import annotations

import re

_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_PLAIN_PREFIX = re.compile(r"^[ab]/")


def strip_prefix(path: str) -> str:
    """``path`` without git's ``a/`` or ``b/`` prefix."""
    return _PLAIN_PREFIX.sub("", path)


def unquote_git_path(text: str) -> str:
    """Undo git's C-style quoting (``"a/caf\\303\\251.txt"`` → ``a/café.txt``).

    Unquoted text is returned unchanged. Octal escapes are bytes of the UTF-8 path;
    bytes that are not valid UTF-8 become U+FFFD.
    """
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return text
    value, end = _read_quoted(text, 0)
    if end != len(text):
        return text
    return value


def header_file_path(value: str) -> str:
    """The path on a ``---``/``+++`` line: unquoted, without a trailing tab or timestamp."""
    if value.startswith('"'):
        path, end = _read_quoted(value, 0)
        if end:
            return path
    return value.split("\t", 1)[0]


def split_git_header(rest: str) -> tuple[str, str] | None:
    """Old and new path from ``a/<old> b/<new>`` (quoted or not, any prefixes).

    Without quotes a path with spaces is ambiguous; the split is the one where both sides
    name the same file after their prefix, which is always true when git did not detect
    a rename (and renames carry ``rename from``/``rename to`` lines anyway).
    """
    if rest.startswith('"'):
        first, end = _read_quoted(rest, 0)
        if not end or rest[end:end + 1] != " ":
            return None
        tail = rest[end + 1:]
        second = unquote_git_path(tail) if tail.startswith('"') else tail
        return _strip_pair(first, second)
    if rest.endswith('"'):
        start = rest.rfind(' "')
        if start > 0:
            return _strip_pair(rest[:start], unquote_git_path(rest[start + 1:]))
    spaces = [pos for pos, char in enumerate(rest) if char == " "]
    for pos in spaces:
        pair = _same_file(rest[:pos], rest[pos + 1:])
        if pair is not None:
            return pair
    for pos in spaces:  # a rename without rename lines: trust the usual prefixes
        if rest.startswith("a/") and rest[pos + 1:].startswith("b/"):
            return rest[2:pos], rest[pos + 3:]
    return None


def _same_file(old: str, new: str) -> tuple[str, str] | None:
    """Both sides without their prefixes when they name the same file, else None."""
    if old == new:
        return old, new
    old_slash, new_slash = old.find("/"), new.find("/")
    if old_slash > 0 and new_slash > 0 and old[old_slash + 1:] == new[new_slash + 1:] != "":
        return old[old_slash + 1:], new[new_slash + 1:]
    return None


def _strip_pair(old: str, new: str) -> tuple[str, str]:
    """Remove the source/destination prefixes from a pair of unquoted header paths."""
    same = _same_file(old, new)
    if same is not None:
        return same
    return strip_prefix(old), strip_prefix(new)


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """Decode the C-quoted string starting at ``text[start]``; return it and the end index.

    The end index is 0 when the quoting is not closed.
    """
    out = bytearray()
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return out.decode("utf-8", errors="replace"), i + 1
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "01234567" and re.match(r"[0-7]{3}", text[i + 1:i + 4]):
                out.append(int(text[i + 1:i + 4], 8) & 0xFF)
                i += 4
                continue
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            else:
                out.extend(nxt.encode("utf-8"))
            i += 2
            continue
        out.extend(char.encode("utf-8"))
        i += 1
    return text[start:], 0
