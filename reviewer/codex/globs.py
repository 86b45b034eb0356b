"""Path globs with ``**``, matched against the whole repository path (like ``PurePath.full_match``)."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["glob_match", "normalise_path"]


def glob_match(path: str, pattern: str) -> bool:
    """Return True when the whole ``path`` matches ``pattern``.

    ``*`` and ``?`` stay inside one folder; ``**`` spans any number of folders, including
    none (``**/x.py`` matches ``x.py`` at the root); a trailing ``/**`` matches everything
    under that folder but not the folder name itself (``docs/**`` skips a file named ``docs``);
    ``[abc]`` / ``[!abc]`` are character classes. A pattern without ``/`` is still matched
    against the whole path, so ``*.py`` matches only root files: write ``**/*.py``.
    """
    return _compile(pattern).fullmatch(normalise_path(path)) is not None


def normalise_path(path: str) -> str:
    """Return ``path`` with forward slashes and without a leading ``./`` or ``/``."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


@lru_cache(maxsize=2048)
def _compile(pattern: str) -> re.Pattern[str]:
    """Translate one glob to a regular expression."""
    pattern = normalise_path(pattern.strip())
    out: list[str] = []
    i, size = 0, len(pattern)
    while i < size:
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == size:
            out.append("/.+")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (end := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1:end]
            negate = body.startswith("!")
            body = re.escape(body[1:] if negate else body).replace("\\-", "-")
            out.append(f"[^/{body}]" if negate else f"[{body}]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.DOTALL)
