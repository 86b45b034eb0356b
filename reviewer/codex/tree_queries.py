"""The languages Codex tree queries are written for, their grammars, and compiling a query.

Apart from ``reviewer.codex.tree`` (which runs queries) so that the rule schema can check a
query compiles without importing the matcher that reads the schema's types.
"""

from __future__ import annotations

import re

from reviewer.context.languages import Grammar, grammar_of, query

__all__ = ["TREE_LANGUAGES", "grammar_for", "query_captures"]

TREE_LANGUAGES: dict[str, tuple[Grammar, ...]] = {
    "python": ("python",),
    "javascript": ("javascript",),
    "typescript": ("typescript", "tsx"),
    "go": ("go",),
}
"""Codex languages a tree query may be written for, and the grammars that parse them."""

_PREDICATE = re.compile(r'\(#[^()"]*(?:"(?:\\.|[^"\\])*"[^()"]*)*\)')


def grammar_for(language: str | None, path: str | None = None) -> Grammar | None:
    """The grammar that parses ``path`` (by its suffix), else the first one of Codex ``language``."""
    if path is not None:
        grammar = grammar_of(path)
        if grammar is not None:
            return grammar
    grammars = TREE_LANGUAGES.get(language or "")
    return grammars[0] if grammars else None


def query_captures(language: str, source: str, reported: str) -> set[str]:
    """The capture names of ``source`` compiled for every grammar of ``language``.

    Raises:
        ValueError: the query does not compile for one of them (the parser's message), or one of
            its patterns does not capture ``reported`` (e.g. a predicate written outside the
            pattern it constrains, which tree-sitter reads as a pattern of its own).
    """
    names: set[str] = set()
    for grammar in TREE_LANGUAGES[language]:
        try:
            compiled = query(grammar, source)
        except Exception as exc:  # noqa: BLE001 - tree-sitter raises several types; all mean "bad query"
            raise ValueError(f"tree query does not compile for {grammar}: {exc}") from exc
        names.update(compiled.capture_name(i) for i in range(compiled.capture_count))
        if reported not in names:
            shown = ", ".join(sorted(names)) or "none"
            raise ValueError(f"capture '{reported}' is not in the query (captures: {shown})")
        data = source.encode("utf-8")
        for index in range(compiled.pattern_count):
            text = data[compiled.start_byte_for_pattern(index):compiled.end_byte_for_pattern(index)].decode()
            if not re.search(rf"@{re.escape(reported)}(?![\w.-])", _PREDICATE.sub("", text)):
                raise ValueError(f"pattern {index + 1} of the tree query does not capture @{reported} (a predicate "
                                 "outside its pattern? wrap an alternation and its predicates in parentheses)")
    return names
