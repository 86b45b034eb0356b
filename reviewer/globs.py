"""Path globs: the one matcher for Codex scopes, agent scopes, risk paths and ``ignore`` lists.

Semantics (whole repository path, ``/``-separated, like ``.gitignore``):

- ``*`` and ``?`` stay inside one folder; ``[abc]`` / ``[!abc]`` (or ``[^abc]``) are character
  classes that never match ``/``; ``{a,b}`` is an alternation.
- ``**`` spans any number of folders: ``**/x.py`` also matches ``x.py`` at the root, ``docs/**``
  everything under ``docs`` (but not a file named ``docs``).
- A pattern with a ``/`` is matched against the whole path: ``src/*.py`` matches ``src/a.py``
  but not ``src/sub/a.py``; a leading ``/`` (or ``./``) anchors a pattern at the root.
- A pattern without ``/`` matches a file or folder name at any depth: ``*.pem`` matches
  ``certs/dev.pem``, ``fixtures`` everything under any folder named ``fixtures``.
- A trailing ``/`` names a folder: ``build/`` matches everything under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["any_match", "compile_glob", "glob_match", "normalise_path"]


def glob_match(path: str, pattern: str) -> bool:
    """Return True when repository ``path`` matches glob ``pattern`` (see the module docstring)."""
    return compile_glob(pattern).fullmatch(normalise_path(path)) is not None


def any_match(path: str, patterns: Iterable[str]) -> bool:
    """Return True when ``path`` matches at least one glob in ``patterns``."""
    path = normalise_path(path)
    return any(compile_glob(p).fullmatch(path) is not None for p in patterns)


def normalise_path(path: str) -> str:
    """Return ``path`` with forward slashes and without a leading ``./`` or ``/``."""
    if "\\" in path:
        path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


@lru_cache(maxsize=4096)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regular expression (for ``fullmatch``) of one glob; cached."""
    pattern = pattern.strip()
    folder = pattern.endswith("/")
    anchored = pattern.startswith(("/", "./"))
    pattern = normalise_path(pattern).rstrip("/")
    body = _translate(pattern)
    if not anchored and "/" not in pattern and pattern != "**":
        body = f"(?:.*/)?{body}"
        tail = "/.+" if folder else "(?:/.+)?"
    else:
        tail = "/.+" if folder else ""
    return re.compile(body + tail, re.DOTALL)


def _translate(pattern: str) -> str:
    """Glob → regular expression body; unbalanced braces are literal."""
    try:
        return _translate_with(pattern, braces=True)
    except ValueError:
        return _translate_with(pattern, braces=False)


def _translate_with(pattern: str, *, braces: bool) -> str:
    out: list[str] = []
    i, size, depth = 0, len(pattern), 0
    while i < size:
        char = pattern[i]
        at_segment_start = i == 0 or pattern[i - 1] == "/"
        if pattern.startswith("**/", i) and at_segment_start:
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := _class_end(pattern, i)) != -1:
            inner = pattern[i + 1:end]
            negate = inner[:1] in ("!", "^")
            inner = re.escape(inner[1:] if negate else inner).replace("\\-", "-")
            out.append(f"[^/{inner}]" if negate else f"[{inner}]")
            i = end + 1
            continue
        elif braces and char == "{":
            out.append("(?:")
            depth += 1
        elif braces and char == "}" and depth:
            out.append(")")
            depth -= 1
        elif braces and char == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(char))
        i += 1
    if depth:
        raise ValueError("unbalanced braces")
    return "".join(out)


def _class_end(pattern: str, start: int) -> int:
    """The index of the ``]`` closing the class opened at ``start``, or -1."""
    first = start + 1
    if pattern[first:first + 1] in ("!", "^"):
        first += 1
    return pattern.find("]", first + 1)
