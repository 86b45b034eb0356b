"""What every language module provides to the outline builder, and small node helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tree_sitter import Node

from reviewer.context.languages import Grammar

__all__ = [
    "Chain", "DefinitionKind", "Export", "Import", "Param", "Shape", "ShapeKind", "Syntax",
    "field_of", "row", "text",
]

DefinitionKind = Literal["function", "method", "class", "type", "constant"]
ShapeKind = Literal["function", "method", "class", "type", "constant", "overload", "anonymous"]
Chain = tuple[str, ...]


@dataclass(frozen=True)
class Param:
    """One parameter as declared: its name (``*args``, ``...rest``), default and annotation text."""

    name: str
    default: str | None = None
    annotation: str | None = None


@dataclass(frozen=True)
class Import:
    """A name an import binds in a file.

    ``local`` is the bound name (``*`` for a star import); ``module`` the module as written
    (``.x``, ``pkg.mod``, ``./x``, ``example.com/m/pkg``); ``name`` the imported name, or None
    when the module itself is bound. ``dotted`` marks Python's ``import a.b`` (binds ``a``).
    """

    local: str
    module: str
    name: str | None
    line: int
    dotted: bool = False


@dataclass(frozen=True)
class Export:
    """A JS/TS export that names something other than a declaration: a re-export or an alias.

    ``exported`` is the public name (``*`` for ``export *``); ``module`` the source module, or
    None for a local name; ``name`` the name in that module, or None for the module itself.
    """

    exported: str
    module: str | None
    name: str | None


@dataclass(frozen=True)
class Shape:
    """A definition node as a language module sees it, before lines and names are worked out.

    ``node`` is where the signature text starts; ``outer`` the node whose range is the
    definition's (a decorated or exported wrapper); ``body`` the block after the signature
    (for classes and types, the member list).
    """

    kind: ShapeKind
    name: str
    node: Node
    outer: Node
    body: Node | None = None
    params: Node | None = None
    returns: Node | None = None
    owner: str | None = None
    receiver: str | None = None
    bases: tuple[Chain, ...] = ()


@dataclass(frozen=True)
class Syntax:
    """One language family's rules for outlines and references."""

    definitions: Callable[[Grammar], str]
    """The query that captures definition nodes; capture names are ``ShapeKind`` values."""
    describe: Callable[[Node, str], list[Shape]]
    imports: Callable[[Node], list[Import]]
    exports: Callable[[Node], list[Export]]
    params: Callable[[Node], tuple[Param, ...]]
    docstring: Callable[[Shape], tuple[int, int] | None]
    references: Callable[[Grammar], str]
    """The query that captures every identifier-like node (``@ref``)."""
    members: dict[str, tuple[str, str]]
    """Member-access node type → (object field, member field)."""
    calls: dict[str, str]
    """Call node type → the field holding what is called."""
    declaring_parents: frozenset[str]
    """Parent node types whose identifier children declare rather than reference a name."""
    declaring_fields: frozenset[str] = frozenset({"name", "alias", "pattern"})
    referencing_parents: frozenset[str] = frozenset()
    """Parent node types whose ``name`` child is still a reference (JSX elements)."""
    self_names: frozenset[str] = frozenset()
    comment_types: frozenset[str] = frozenset({"comment"})
    decorator_types: frozenset[str] = frozenset()
    ident_types: frozenset[str] = frozenset()
    """Node types that can start a dotted name in code (identifiers, ``this``)."""


def text(node: Node | None) -> str:
    """The source text of ``node`` ('' for None)."""
    if node is None:
        return ""
    return (node.text or b"").decode("utf-8", "replace")


def row(point_row: int) -> int:
    """A tree-sitter row as a 1-based line number."""
    return point_row + 1


def field_of(node: Node) -> str | None:
    """The field name ``node`` has in its parent, or None."""
    parent = node.parent
    if parent is None:
        return None
    for index, child in enumerate(parent.children):
        if child.id == node.id:
            return parent.field_name_for_child(index)
    return None
