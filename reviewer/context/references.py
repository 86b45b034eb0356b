"""The names code uses: dotted chains (``self.client.fetch``) found on given lines, and single occurrences."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from tree_sitter import Node, QueryCursor

from reviewer.context.languages import query
from reviewer.context.outline import Outline
from reviewer.context.syntax.base import Chain, Syntax, field_of, row, text

__all__ = ["Reference", "Use", "references", "use_at"]


@dataclass(frozen=True)
class Reference:
    """A dotted name used on ``line``; ``call`` when it is called (``f(…)``, ``new C(…)``)."""

    chain: Chain
    line: int
    call: bool


@dataclass(frozen=True)
class Use:
    """One occurrence of a name in code: the chain it ends (``m.f`` for ``f``) and the expression node."""

    chain: Chain
    expression: Node
    call: Node | None


def references(outline: Outline, lines: Collection[int]) -> list[Reference]:
    """The distinct chains used on ``lines`` (first use kept), in line order; declarations excluded."""
    if not lines:
        return []
    syntax = outline.syntax
    cursor = QueryCursor(query(outline.grammar, syntax.references(outline.grammar)))
    cursor.set_point_range((min(lines) - 1, 0), (max(lines), 0))
    found: dict[Chain, Reference] = {}
    for node in sorted(cursor.captures(outline.root).get("ref", []), key=lambda n: n.start_byte):
        line = row(node.start_point.row)
        if line not in lines or _is_member(node, syntax) or _declares(node, syntax):
            continue
        use = _use_from_root(node, syntax)
        known = found.get(use.chain)
        if known is None:
            found[use.chain] = Reference(use.chain, line, use.call is not None)
        elif use.call is not None and not known.call:
            found[use.chain] = Reference(use.chain, known.line, True)
    return sorted(found.values(), key=lambda ref: ref.line)


def use_at(node: Node, syntax: Syntax) -> Use | None:
    """The use ``node`` (an identifier-like node) is part of, or None for a declaration or non-code."""
    parent = node.parent
    if parent is None or _declares(node, syntax):
        return None
    if _is_member(node, syntax):
        object_field, _ = syntax.members[parent.type]
        root = parent.child_by_field_name(object_field)
        while root is not None and root.type in syntax.members:
            root = root.child_by_field_name(syntax.members[root.type][0])
        if root is None or root.type not in syntax.ident_types:
            return Use(("", text(node)), parent, _call_of(parent, syntax))
        return _use_from_root(root, syntax, stop=parent)
    if node.type not in syntax.ident_types:
        return None
    return _use_from_root(node, syntax, stop=node)


def _use_from_root(node: Node, syntax: Syntax, stop: Node | None = None) -> Use:
    """The chain that starts at ``node`` and extends through member accesses (up to ``stop``)."""
    parts = [text(node)]
    top = node
    while (stop is None or top.id != stop.id) and top.parent is not None and top.parent.type in syntax.members:
        parent = top.parent
        object_field, member_field = syntax.members[parent.type]
        target = parent.child_by_field_name(object_field)
        if target is None or target.id != top.id:
            break
        parts.append(text(parent.child_by_field_name(member_field)))
        top = parent
    return Use(tuple(parts), top, _call_of(top, syntax))


def _call_of(node: Node, syntax: Syntax) -> Node | None:
    """The call whose callee is ``node``, if any."""
    parent = node.parent
    if parent is None or parent.type not in syntax.calls:
        return None
    callee = parent.child_by_field_name(syntax.calls[parent.type])
    return parent if callee is not None and callee.id == node.id else None


def _is_member(node: Node, syntax: Syntax) -> bool:
    """True for ``b`` in ``a.b``: the member part of a member access."""
    parent = node.parent
    if parent is None or parent.type not in syntax.members:
        return False
    member = parent.child_by_field_name(syntax.members[parent.type][1])
    return member is not None and member.id == node.id


def _declares(node: Node, syntax: Syntax) -> bool:
    """True when ``node`` names something being declared (a parameter, a definition, an import)."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type in syntax.declaring_parents:
        return True
    if parent.type in syntax.referencing_parents:
        return False
    name = field_of(node)
    return name is not None and (name in syntax.declaring_fields
                                 or f"{parent.type}.{name}" in syntax.declaring_fields)
