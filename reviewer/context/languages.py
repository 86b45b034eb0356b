"""Which tree-sitter grammar parses a path, with parsers and queries built once and cached."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import PurePosixPath
from typing import Literal

import tree_sitter_go
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript
from tree_sitter import Language, Parser, Query, Tree

__all__ = ["Family", "Grammar", "family_of", "grammar_of", "language", "parse", "query"]

Grammar = Literal["python", "javascript", "typescript", "tsx", "go"]
Family = Literal["python", "js", "go"]
"""Grammars that share import and resolution rules (JavaScript and TypeScript are one family)."""

_BY_SUFFIX: dict[str, Grammar] = {
    ".py": "python",
    ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
}
_FAMILY: dict[Grammar, Family] = {
    "python": "python", "javascript": "js", "typescript": "js", "tsx": "js", "go": "go",
}
_LANGUAGE_FACTORIES = {
    "python": tree_sitter_python.language,
    "javascript": tree_sitter_javascript.language,
    "typescript": tree_sitter_typescript.language_typescript,
    "tsx": tree_sitter_typescript.language_tsx,
    "go": tree_sitter_go.language,
}
_parsers = threading.local()  # a Parser is not safe to share between threads


def grammar_of(path: str) -> Grammar | None:
    """The grammar that parses ``path``, from its suffix; None for any other language."""
    return _BY_SUFFIX.get(PurePosixPath(path).suffix.lower())


def family_of(grammar: Grammar) -> Family:
    """The resolution family of ``grammar``."""
    return _FAMILY[grammar]


@cache
def language(grammar: Grammar) -> Language:
    """The tree-sitter ``Language`` of ``grammar``."""
    return Language(_LANGUAGE_FACTORIES[grammar]())


@cache
def query(grammar: Grammar, source: str) -> Query:
    """``source`` compiled once for ``grammar``."""
    return Query(language(grammar), source)


def parse(grammar: Grammar, data: bytes) -> Tree:
    """Parse ``data`` with this thread's parser for ``grammar``."""
    parsers: dict[str, Parser] = _parsers.__dict__
    parser = parsers.get(grammar)
    if parser is None:
        parser = parsers[grammar] = Parser(language(grammar))
    return parser.parse(data)
