"""Which language a path is written in, and how that language marks a comment line."""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePosixPath

__all__ = ["LANGUAGES", "comment_prefixes", "language_of"]

_BY_SUFFIX = {
    ".py": "python", ".pyi": "python",
    ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".vue": "vue", ".svelte": "svelte",
    ".go": "go",
    ".sql": "sql",
    ".sh": "shell", ".bash": "shell", ".zsh": "shell",
    ".yml": "yaml", ".yaml": "yaml",
    ".json": "json", ".toml": "toml", ".ini": "ini", ".cfg": "ini",
    ".md": "markdown", ".rst": "rst",
    ".html": "html", ".htm": "html", ".j2": "jinja", ".jinja": "jinja", ".jinja2": "jinja",
    ".tf": "terraform", ".hcl": "terraform",
    ".java": "java", ".kt": "kotlin", ".rb": "ruby", ".rs": "rust", ".php": "php",
    ".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp", ".hpp": "cpp", ".cs": "csharp",
}
_BY_NAME = {
    "dockerfile": "dockerfile", "containerfile": "dockerfile", "makefile": "make",
    "requirements.txt": "requirements", "gemfile": "ruby",
}

LANGUAGES: frozenset[str] = frozenset({*_BY_SUFFIX.values(), *_BY_NAME.values()})
"""Every language name a rule's ``scope.languages`` may use."""

_HASH = ("#",)
_SLASH = ("//", "/*", "*")
_COMMENTS: dict[str, tuple[str, ...]] = {
    "python": ("#", ">>>"), "shell": _HASH, "yaml": _HASH, "toml": _HASH, "ini": ("#", ";"),
    "dockerfile": _HASH, "make": _HASH, "requirements": _HASH, "ruby": _HASH, "terraform": ("#", "//", "/*", "*"),
    "javascript": _SLASH, "typescript": _SLASH, "vue": (*_SLASH, "<!--"), "svelte": (*_SLASH, "<!--"),
    "go": _SLASH, "java": _SLASH, "kotlin": _SLASH, "rust": _SLASH, "c": _SLASH, "cpp": _SLASH,
    "csharp": _SLASH, "php": (*_SLASH, "#"),
    "sql": ("--", "/*"), "html": ("<!--",), "jinja": ("{#", "<!--"),
}


@lru_cache(maxsize=8192)  # asked once per rule for every changed path
def language_of(path: str) -> str | None:
    """Return the language of ``path`` from its file name, or None when unknown."""
    name = PurePosixPath(path.replace("\\", "/")).name.lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name.startswith(("dockerfile.", "containerfile.")) or name.endswith((".dockerfile", ".containerfile")):
        return "dockerfile"
    if name.startswith("requirements") and name.endswith((".txt", ".in")):
        return "requirements"
    return _BY_SUFFIX.get(PurePosixPath(name).suffix)


def comment_prefixes(language: str | None) -> tuple[str, ...]:
    """Return the prefixes that start a whole-line comment in ``language`` (empty when unknown)."""
    return _COMMENTS.get(language or "", ())
