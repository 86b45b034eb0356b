"""A parsed file's outline: its definitions (with lines, signature and docs), imports and exports."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from functools import cached_property

from tree_sitter import Node, QueryCursor, Tree

from reviewer.context.languages import Family, Grammar, family_of, grammar_of, parse, query
from reviewer.context.syntax import syntax_for
from reviewer.context.syntax.base import (
    Chain, DefinitionKind, Export, Import, Param, Shape, Syntax, row, text,
)

__all__ = ["Definition", "Outline", "build_outline", "split_lines"]

_PRIORITY = {"function": 0, "method": 0, "class": 0, "type": 0, "overload": 1, "constant": 2, "anonymous": 3}
_CALLBACK_NAME_LIMIT = 40


@dataclass(frozen=True, eq=False)
class Definition:
    """One definition in a file. Lines are 1-based and inclusive.

    ``first`` is the first line shown (a leading comment), ``start`` the definition itself
    (decorators, ``export``), ``signature_end`` the last line of its signature. ``container``
    is the qualified name of the definition it is nested in; ``owner`` the class or type a
    method belongs to (a Go method's receiver type). ``params`` is None when not callable.
    """

    kind: DefinitionKind
    name: str
    qualified: str
    first: int
    start: int
    signature_end: int
    end: int
    doc: tuple[int, int] | None
    container: str | None
    owner: str | None
    receiver: str | None
    params: tuple[Param, ...] | None
    returns: str | None
    header: str
    bases: tuple[Chain, ...]
    anonymous: bool
    has_error: bool
    body: Node | None = field(default=None, repr=False)
    parent: Definition | None = field(default=None, repr=False)
    """The definition this one is nested in (named or not)."""

    @property
    def length(self) -> int:
        """How many lines it spans, leading comment included."""
        return self.end - self.first + 1

    @property
    def is_function(self) -> bool:
        """A function or method (named or not)."""
        return self.kind in ("function", "method")


@dataclass
class Outline:
    """Everything the engine asks about one parsed file."""

    path: str
    grammar: Grammar
    lines: list[str]
    data: bytes
    tree: Tree
    definitions: list[Definition]
    imports: list[Import]
    exports: list[Export]
    error_spans: list[tuple[int, int]]
    _child_spans: dict[int, tuple[list[int], list[int]]] = field(default_factory=dict, repr=False)

    @property
    def family(self) -> Family:
        """The resolution family (python, js, go)."""
        return family_of(self.grammar)

    @property
    def syntax(self) -> Syntax:
        """The language rules the outline was built with."""
        return syntax_for(self.family)

    @property
    def root(self) -> Node:
        """The root node of the tree."""
        return self.tree.root_node

    @cached_property
    def by_qualified(self) -> dict[str, Definition]:
        """Named definitions by qualified name (the first one when a name is defined twice)."""
        found: dict[str, Definition] = {}
        for definition in self.definitions:
            if not definition.anonymous:
                found.setdefault(definition.qualified, definition)
        return found

    @cached_property
    def top(self) -> dict[str, Definition]:
        """Top-level named definitions by name (Go methods are keyed ``Type.Method`` in ``by_qualified``)."""
        found: dict[str, Definition] = {}
        for definition in self.definitions:
            if definition.container is None and definition.owner is None and not definition.anonymous:
                found.setdefault(definition.name, definition)
        return found

    @cached_property
    def _nested(self) -> dict[tuple[str, str], Definition]:
        found: dict[tuple[str, str], Definition] = {}
        for definition in self.definitions:
            if definition.container is not None and not definition.anonymous:
                found.setdefault((definition.container, definition.name), definition)
        return found

    @cached_property
    def _innermost(self) -> list[Definition | None]:
        """For each line (index = line number), the innermost definition covering it."""
        painted: list[Definition | None] = [None] * (len(self.lines) + 2)
        for definition in sorted(self.definitions, key=lambda d: (d.first, -d.end)):
            last = min(definition.end, len(self.lines))
            painted[definition.first:last + 1] = [definition] * max(0, last - definition.first + 1)
        return painted

    def containers(self, line: int) -> list[Definition]:
        """The definitions around ``line``, innermost first."""
        if not 0 < line < len(self._innermost):
            return []
        chain: list[Definition] = []
        current = self._innermost[line]
        while current is not None:
            chain.append(current)
            current = current.parent
        return chain

    def visible(self, name: str, line: int) -> Definition | None:
        """The definition ``name`` means at ``line``: one nested in an enclosing function, else a
        top-level one (class members are not in scope as bare names)."""
        for container in (d for d in self.containers(line) if d.is_function):
            nested = self._nested.get((container.qualified, name))
            if nested is not None:
                return nested
        return self.top.get(name)

    def imports_of(self, local: str) -> list[Import]:
        """The imports that bind ``local`` (``*`` for star imports)."""
        return self._imports_by_local.get(local, [])

    def exports_of(self, exported: str) -> list[Export]:
        """The re-exports and aliases that export ``exported`` (``*`` for ``export *``)."""
        return [exp for exp in self.exports if exp.exported == exported]

    @cached_property
    def _imports_by_local(self) -> dict[str, list[Import]]:
        found: dict[str, list[Import]] = {}
        for imp in self.imports:
            found.setdefault(imp.local, []).append(imp)
        return found

    def statement_at(self, parent: Node, line: int) -> tuple[int, int] | None:
        """The lines of the child of ``parent`` (a module or a member list) that contains ``line``."""
        spans = self._child_spans.get(parent.id)
        if spans is None:
            children = parent.named_children
            spans = self._child_spans[parent.id] = (
                [row(c.start_point.row) for c in children], [row(c.end_point.row) for c in children])
        starts, ends = spans
        index = bisect.bisect_right(starts, line) - 1
        if index < 0 or line > ends[index]:
            return None
        return starts[index], ends[index]

    def touches_error(self, start: int, end: int) -> bool:
        """True when a syntax error lies within lines ``start``–``end``."""
        return any(first <= end and last >= start for first, last in self.error_spans)


def split_lines(source: str) -> list[str]:
    """The lines of ``source`` as tree-sitter numbers them (``\\n`` only; a trailing ``\\r`` dropped)."""
    lines = source.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def build_outline(path: str, source: str) -> Outline | None:
    """Parse ``source`` as the file at ``path``; None when no grammar handles that path."""
    grammar = grammar_of(path)
    if grammar is None:
        return None
    data = source.encode("utf-8", "replace")
    tree = parse(grammar, data)
    syntax = syntax_for(family_of(grammar))
    root = tree.root_node
    return Outline(
        path=path, grammar=grammar, lines=split_lines(source), data=data, tree=tree,
        definitions=_definitions(root, grammar, syntax), imports=syntax.imports(root),
        exports=syntax.exports(root), error_spans=_error_spans(root) if root.has_error else [],
    )


# --- definitions -----------------------------------------------------------------------


def _shapes(root: Node, grammar: Grammar, syntax: Syntax) -> list[Shape]:
    captures = QueryCursor(query(grammar, syntax.definitions(grammar))).captures(root)
    items = [(node, capture) for capture, nodes in captures.items() for node in nodes]
    items.sort(key=lambda item: (item[0].start_byte, -item[0].end_byte, _PRIORITY[item[1]]))
    seen: set[int] = set()
    shapes: list[Shape] = []
    for node, capture in items:
        if node.id not in seen:  # a declarator is captured both as a function and a constant
            seen.add(node.id)
            shapes.extend(syntax.describe(node, capture))
    return shapes


def _definitions(root: Node, grammar: Grammar, syntax: Syntax) -> list[Definition]:
    by_node: dict[int, Definition] = {}
    definitions: list[Definition] = []
    overloads: list[Definition] = []  # TypeScript signatures waiting for their implementation
    for shape in _shapes(root, grammar, syntax):
        definition = _definition(shape, _container(shape.outer, by_node), syntax)
        if overloads and (overloads[0].name, overloads[0].container) != (definition.name, definition.container):
            definitions.append(_signatures_only(overloads))
            overloads = []
        if shape.kind == "overload":
            overloads.append(definition)
            continue
        if overloads and definition.is_function:
            definition = _with_overloads(definition, overloads)
        elif overloads:
            definitions.append(_signatures_only(overloads))
        overloads = []
        by_node.setdefault(shape.node.id, definition)
        definitions.append(definition)
    if overloads:
        definitions.append(_signatures_only(overloads))
    return definitions


def _container(node: Node, by_node: dict[int, Definition]) -> Definition | None:
    parent = node.parent
    while parent is not None:
        found = by_node.get(parent.id)
        if found is not None:
            return found
        parent = parent.parent
    return None


def _definition(shape: Shape, container: Definition | None, syntax: Syntax) -> Definition:
    start, first = _start_lines(shape.outer, syntax)
    end = row(shape.outer.end_point.row)
    kind, name = _kind_and_name(shape, container)
    owner = shape.owner or (container.qualified if kind == "method" and container is not None else None)
    if shape.owner:  # a Go method: known by its receiver type, wherever it is written
        qualified = f"{shape.owner}.{name}"
    else:
        qualified = f"{container.qualified}.{name}" if container is not None else name
    doc = syntax.docstring(shape) or ((first, start - 1) if first < start else None)
    callable_ = kind in ("function", "method")
    return Definition(
        kind=kind, name=name, qualified=qualified, first=first, start=start,
        signature_end=_signature_end(shape, start, end), end=end, doc=doc,
        container=container.qualified if container is not None else None, owner=owner,
        receiver=shape.receiver,
        params=syntax.params(shape.params) if shape.params is not None else (() if callable_ else None),
        returns=_normalise(text(shape.returns)).lstrip(": ") if shape.returns is not None else None,
        header=_header(shape) if callable_ else "", bases=shape.bases, anonymous=shape.kind == "anonymous",
        has_error=shape.outer.has_error, body=shape.body, parent=container,
    )


def _kind_and_name(shape: Shape, container: Definition | None) -> tuple[DefinitionKind, str]:
    in_class = container is not None and container.kind in ("class", "type")
    if shape.kind == "anonymous":
        return "function", _anonymous_name(shape.node)
    if shape.kind in ("class", "type", "constant"):
        return shape.kind, shape.name
    return ("method" if in_class or shape.kind == "method" else "function"), shape.name


def _anonymous_name(node: Node) -> str:
    """``<callback of it>`` for a function passed to ``it(…)``, else ``<anonymous>``."""
    parent = node.parent
    call = parent.parent if parent is not None and parent.type in ("arguments", "argument_list") else None
    callee = call.child_by_field_name("function") if call is not None else None
    name = " ".join(text(callee).split())
    if callee is not None and len(name) <= _CALLBACK_NAME_LIMIT:
        return f"<callback of {name}>"
    return "<anonymous>"


def _start_lines(outer: Node, syntax: Syntax) -> tuple[int, int]:
    """The definition's first line with preceding decorators, and with its leading comment."""
    start = row(outer.start_point.row)
    previous = outer.prev_named_sibling
    while previous is not None and previous.type in syntax.decorator_types:
        start = row(previous.start_point.row)
        previous = previous.prev_named_sibling
    first = start
    while previous is not None and previous.type in syntax.comment_types \
            and row(previous.end_point.row) >= first - 1:
        before = previous.prev_named_sibling
        if before is not None and before.end_point.row == previous.start_point.row:
            break  # a trailing comment of the line before
        first = row(previous.start_point.row)
        previous = before
    return start, first


def _signature_end(shape: Shape, start: int, end: int) -> int:
    body = shape.body
    if body is None:
        return end if shape.kind in ("function", "method", "overload") else start
    before = body.prev_sibling
    last = row(before.end_point.row) if before is not None else row(body.start_point.row)
    return min(max(start, last), end)


def _header(shape: Shape) -> str:
    """The signature text, whitespace normalised, for comparing a base and a head version."""
    node = shape.node
    stop = shape.body.start_byte if shape.body is not None else node.end_byte
    source = (node.text or b"")[: stop - node.start_byte].decode("utf-8", "replace")
    header = _normalise(source)
    for suffix in ("=>", "{", ":"):
        header = header.removesuffix(suffix).rstrip()
    return header


def _normalise(source: str) -> str:
    compact = " ".join(source.split())
    return compact.replace("( ", "(").replace(" )", ")").replace(",)", ")")


def _with_overloads(implementation: Definition, overloads: list[Definition]) -> Definition:
    """The implementation of a TypeScript overloaded function, starting at its first signature."""
    first = overloads[0]
    return replace(implementation, first=first.first, start=first.start, doc=first.doc or implementation.doc,
                   header=" | ".join([*(o.header for o in overloads), implementation.header]))


def _signatures_only(signatures: list[Definition]) -> Definition:
    """Overload signatures without an implementation (a declaration file) as one definition."""
    last = signatures[-1]
    return replace(signatures[0], end=last.end, signature_end=last.end,
                   header=" | ".join(s.header for s in signatures))


# --- syntax errors ---------------------------------------------------------------------


def _error_spans(root: Node) -> list[tuple[int, int]]:
    """The lines of every ERROR and MISSING node, found by descending only into broken subtrees."""
    spans: list[tuple[int, int]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            spans.append((row(node.start_point.row), row(node.end_point.row)))
            continue
        stack.extend(child for child in node.children if child.has_error or child.is_missing)
    return sorted(spans)
