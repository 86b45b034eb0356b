"""Tree detectors: tree-sitter queries over a changed file, with conditions on what surrounds a match.

A rule's ``detector.tree`` lists queries (see ``TreeQuery`` in ``reviewer.codex.schema``). Each
match of a query is reported on the first line of its ``capture`` when that line was added (or,
for a node of at most ``MAX_SPAN_LINES`` lines, on its first added line), provided every
condition of its ``where`` holds:

- ``text`` / ``not_text``: a capture's text matches (or not) a regex;
- ``literal`` / ``not_literal``: a capture is (or is not) a constant: a string without
  interpolation, a number, a boolean, null/None, or an operation on constants;
- ``inside`` / ``not_inside``: an enclosing node of some kinds exists (whose ``field`` child,
  or whole text, matches a regex), e.g. an ``if`` whose condition mentions ``verify``;
- ``followed_by`` / ``not_followed_by``: the code after the match, to the end of its function
  (or file), matches a regex, e.g. ``{@result}.returncode``;
- ``in_function`` / ``not_in_function``: the enclosing function (or the file) matches a regex.

Regexes may name captures as ``{@name}`` (their escaped text); a condition naming a capture the
match lacks is skipped. Same parser and grammars as the code context (``reviewer.context``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from tree_sitter import Node, QueryCursor, Tree

from reviewer.codex.tree_queries import TREE_LANGUAGES, grammar_for, query_captures
from reviewer.context.languages import Grammar, parse, query

if TYPE_CHECKING:
    from reviewer.codex.schema import Inside, TreeQuery, Where

__all__ = [
    "MAX_SPAN_LINES", "TREE_LANGUAGES", "ParsedSource", "TreeHit", "grammar_for", "parse_source", "query_captures",
    "tree_hits",
]

MAX_SPAN_LINES = 12
"""A match (or analyzer result) spanning at most this many lines counts when any of its lines was added."""


_JS_FUNCTIONS = frozenset({
    "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
    "generator_function_declaration", "generator_function",
})
_JS_LITERALS = frozenset({"string", "template_string", "number", "true", "false", "null", "undefined", "regex"})
_JS_WRAPPERS = frozenset({"parenthesized_expression", "binary_expression", "unary_expression"})


@dataclass(frozen=True)
class _Family:
    functions: frozenset[str]
    literals: frozenset[str]
    interpolations: frozenset[str]
    wrappers: frozenset[str]


_FAMILIES: dict[str, _Family] = {
    "python": _Family(
        functions=frozenset({"function_definition", "lambda"}),
        literals=frozenset({"string", "integer", "float", "true", "false", "none", "ellipsis"}),
        interpolations=frozenset({"interpolation"}),
        wrappers=frozenset({"parenthesized_expression", "binary_operator", "unary_operator", "concatenated_string"}),
    ),
    "js": _Family(_JS_FUNCTIONS, _JS_LITERALS, frozenset({"template_substitution"}), _JS_WRAPPERS),
    "go": _Family(
        functions=frozenset({"function_declaration", "method_declaration", "func_literal"}),
        literals=frozenset({"interpreted_string_literal", "raw_string_literal", "int_literal", "float_literal",
                            "imaginary_literal", "rune_literal", "true", "false", "nil", "iota"}),
        interpolations=frozenset(),
        wrappers=frozenset({"parenthesized_expression", "binary_expression", "unary_expression"}),
    ),
}
_FAMILY_OF = {"python": "python", "javascript": "js", "typescript": "js", "tsx": "js", "go": "go"}
_PLACEHOLDER = re.compile(r"\{@([A-Za-z_][\w.-]*)\}")




@dataclass
class ParsedSource:
    """One file's text parsed once, with the lines inside syntax errors."""

    grammar: Grammar
    data: bytes
    tree: Tree
    _error_lines: set[int] | None = field(default=None, repr=False)

    @property
    def error_lines(self) -> set[int]:
        """1-based lines covered by an ``ERROR`` node or holding a ``MISSING`` one."""
        if self._error_lines is None:
            found: set[int] = set()
            root = self.tree.root_node
            if root.has_error:
                stack = [root]
                while stack:
                    node = stack.pop()
                    if node.is_error or node.is_missing:
                        found.update(range(node.start_point.row + 1, node.end_point.row + 2))
                        continue
                    stack.extend(c for c in node.children if c.has_error or c.is_missing)
            self._error_lines = found
        return self._error_lines


def parse_source(grammar: Grammar, text: str) -> ParsedSource:
    """Parse ``text`` with ``grammar``."""
    data = text.encode("utf-8", "surrogatepass")
    return ParsedSource(grammar, data, parse(grammar, data))


@dataclass(frozen=True)
class TreeHit:
    """One reported match: the line, and the query that matched (for its evidence)."""

    line: int
    query_index: int


def tree_hits(queries: Sequence[TreeQuery], source: ParsedSource, added: set[int]) -> list[TreeHit]:
    """The lines where one of ``queries`` matches with its conditions holding.

    ``added`` holds the 1-based added line numbers; one hit per line (the first query wins).
    """
    if not added:
        return []
    first, last = min(added), max(added)
    seen: dict[int, TreeHit] = {}
    for index, tree_query in enumerate(queries):
        compiled = query(source.grammar, tree_query.query)
        cursor = QueryCursor(compiled)
        cursor.set_point_range((max(0, first - 1 - MAX_SPAN_LINES), 0), (last, 0))
        for _, captures in cursor.matches(source.tree.root_node):
            nodes = captures.get(tree_query.capture)
            if not nodes:
                continue
            line = reported_line(nodes[0].start_point.row + 1, _end_line(nodes[0]), added)
            if line is None or line in seen:
                continue
            match = _Match(source, {name: found[0] for name, found in captures.items() if found}, nodes[0])
            if match.holds(tree_query.where):
                seen[line] = TreeHit(line, index)
    return sorted(seen.values(), key=lambda h: h.line)


def reported_line(start: int, end: int, added: set[int]) -> int | None:
    """Where a match from ``start`` to ``end`` is reported: its first line when added, else (for a
    short span) its first added line; None when it does not touch an added line."""
    if start in added:
        return start
    if end - start + 1 <= MAX_SPAN_LINES:
        return next((n for n in range(start + 1, end + 1) if n in added), None)
    return None


def _end_line(node: Node) -> int:
    row, column = node.end_point
    return row + (1 if column > 0 or row == node.start_point.row else 0)


class _Match:
    """One query match and the questions the conditions ask about it."""

    def __init__(self, source: ParsedSource, captures: dict[str, Node], reported: Node) -> None:
        self.source = source
        self.captures = captures
        self.reported = reported
        self.family = _FAMILIES[_FAMILY_OF[source.grammar]]

    def text(self, node: Node) -> str:
        return self.source.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def regex(self, template: str) -> re.Pattern[str] | None:
        """``template`` with its ``{@capture}`` placeholders filled in; None when one is missing."""
        missing = False

        def fill(found: re.Match[str]) -> str:
            nonlocal missing
            node = self.captures.get(found[1])
            if node is None:
                missing = True
                return ""
            return re.escape(self.text(node))

        filled = _PLACEHOLDER.sub(fill, template)
        return None if missing else _compiled(filled)

    def holds(self, w: Where) -> bool:
        """True when every condition of ``w`` holds for this match."""
        for name, pattern in w.text.items():
            if not self._text_matches(name, pattern, want=True):
                return False
        for name, pattern in w.not_text.items():
            if not self._text_matches(name, pattern, want=False):
                return False
        for name in w.literal:
            node = self.captures.get(name)
            if node is not None and not self.is_literal(node):
                return False
        for name in w.not_literal:
            node = self.captures.get(name)
            if node is not None and self.is_literal(node):
                return False
        if not all(self._inside(c) is not False for c in w.inside):
            return False
        if any(self._inside(c) is True for c in w.not_inside):
            return False
        function = self._function()
        end = function.end_byte if function is not None else len(self.source.data)
        start = function.start_byte if function is not None else 0
        after = self.source.data[self.reported.end_byte:end].decode("utf-8", "replace")
        body = self.source.data[start:end].decode("utf-8", "replace")
        for template, text, want in ((w.followed_by, after, True), (w.not_followed_by, after, False),
                                     (w.in_function, body, True), (w.not_in_function, body, False)):
            if template is None:
                continue
            regex = self.regex(template)
            if regex is not None and bool(regex.search(text)) is not want:
                return False
        return True

    def _text_matches(self, name: str, template: str, *, want: bool) -> bool:
        node = self.captures.get(name)
        if node is None:
            return True
        regex = self.regex(template)
        return regex is None or bool(regex.search(self.text(node))) is want

    def _inside(self, c: Inside) -> bool | None:
        """Whether an enclosing node fits ``c``; None when its regex names a missing capture (the
        condition is skipped)."""
        regex = None
        if c.pattern is not None:
            regex = self.regex(c.pattern)
            if regex is None:
                return None
        kinds = set(c.kinds)
        for ancestor in _ancestors(self.reported, c.depth):
            if ancestor.type not in kinds:
                continue
            if regex is None:
                return True
            target = ancestor.child_by_field_name(c.field) if c.field else ancestor
            if target is not None and regex.search(self.text(target)):
                return True
            if c.nearest:
                return False
        return False

    def _function(self) -> Node | None:
        """The nearest enclosing function, with its decorators (Python's ``decorated_definition``)."""
        function = next((a for a in _ancestors(self.reported, None) if a.type in self.family.functions), None)
        if function is not None and function.parent is not None and function.parent.type == "decorated_definition":
            return function.parent
        return function

    def is_literal(self, node: Node) -> bool:
        """A constant: a literal without interpolation, or an operation whose operands all are."""
        family = self.family
        if node.type in family.literals:
            return not _has_descendant(node, family.interpolations)
        if node.type in family.wrappers:
            operands = [c for c in node.named_children if c.type != "comment"]
            return bool(operands) and all(self.is_literal(c) for c in operands)
        return False


def _ancestors(node: Node, depth: int | None) -> Iterable[Node]:
    current = node.parent
    level = 1
    while current is not None and (depth is None or level <= depth):
        yield current
        current = current.parent
        level += 1


def _has_descendant(node: Node, types: frozenset[str]) -> bool:
    if not types:
        return False
    stack = list(node.children)
    while stack:
        child = stack.pop()
        if child.type in types:
            return True
        stack.extend(child.children)
    return False


@lru_cache(maxsize=2048)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
