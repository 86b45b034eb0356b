"""Go: functions, methods with receivers, types, package-level constants, imports."""

from __future__ import annotations

import re

from tree_sitter import Node

from reviewer.context.languages import Grammar
from reviewer.context.syntax.base import Export, Import, Param, Shape, Syntax, row, text

__all__ = ["GO"]

_DEFINITIONS = """
(function_declaration) @function
(method_declaration) @method
(type_spec) @type
(source_file (const_declaration (const_spec) @constant))
(source_file (var_declaration (var_spec) @constant))
(source_file (var_declaration (var_spec_list (var_spec) @constant)))
(func_literal) @anonymous
"""
_VERSION = re.compile(r"v\d+")


def _definitions(_grammar: Grammar) -> str:
    return _DEFINITIONS


def _references(_grammar: Grammar) -> str:
    return "[(identifier) (type_identifier) (package_identifier)] @ref"


def _declaration(spec: Node) -> Node:
    """The ``const``/``var``/``type`` declaration around ``spec`` when ``spec`` is its only one."""
    parent = spec.parent
    if parent is not None and parent.type == "var_spec_list":
        if parent.named_child_count != 1:
            return spec
        parent = parent.parent
    if parent is None or parent.named_child_count != 1:
        return spec
    return parent


def _type_name(node: Node | None) -> str:
    """``T`` from a receiver type such as ``*T`` or ``T[K]``."""
    while node is not None and node.type in ("pointer_type", "generic_type", "parenthesized_type"):
        node = node.child_by_field_name("type") or node.named_children[0]
    return text(node)


def _method(node: Node) -> Shape:
    receiver = node.child_by_field_name("receiver")
    declarations = receiver.named_children if receiver is not None else []
    first = declarations[0] if declarations else None
    receiver_name = first.child_by_field_name("name") if first is not None else None
    owner = _type_name(first.child_by_field_name("type")) if first is not None else ""
    return Shape("method", text(node.child_by_field_name("name")), node, node,
                 body=node.child_by_field_name("body"), params=node.child_by_field_name("parameters"),
                 returns=node.child_by_field_name("result"), owner=owner or None,
                 receiver=text(receiver_name) if receiver_name is not None else None)


def _type(node: Node) -> Shape:
    kind = node.child_by_field_name("type")
    body = kind
    if kind is not None and kind.type == "struct_type":
        body = next((c for c in kind.named_children if c.type == "field_declaration_list"), kind)
    has_members = kind is not None and kind.type in ("struct_type", "interface_type")
    return Shape("type", text(node.child_by_field_name("name")), node, _declaration(node),
                 body=body if has_members else None)


def _describe(node: Node, capture: str) -> list[Shape]:
    if capture == "method":
        return [_method(node)]
    if capture == "type":
        return [_type(node)]
    if capture == "constant":
        outer = _declaration(node)
        names = (n for n in node.children_by_field_name("name") if n.type == "identifier")
        return [Shape("constant", text(name), node, outer) for name in names]
    body = node.child_by_field_name("body")
    params = node.child_by_field_name("parameters")
    returns = node.child_by_field_name("result")
    if capture == "anonymous":
        return [Shape("anonymous", "", node, node, body=body, params=params, returns=returns)]
    return [Shape("function", text(node.child_by_field_name("name")), node, node,
                  body=body, params=params, returns=returns)]


def _package_name(import_path: str) -> str:
    """The name a Go import binds by default: the last path element (``…/v2`` skipped)."""
    parts = [p for p in import_path.split("/") if p]
    if len(parts) > 1 and _VERSION.fullmatch(parts[-1]):
        parts.pop()
    return parts[-1] if parts else import_path


def _import_spec(spec: Node) -> Import | None:
    path = text(spec.child_by_field_name("path")).strip('"`')
    alias = spec.child_by_field_name("name")
    local = text(alias) if alias is not None else _package_name(path)
    if local == "_":
        return None
    return Import("*" if local == "." else local, path, None, row(spec.start_point.row))


def _imports(root: Node) -> list[Import]:
    imports: list[Import] = []
    for declaration in (n for n in root.named_children if n.type == "import_declaration"):
        for child in declaration.named_children:
            specs = child.named_children if child.type == "import_spec_list" else [child]
            imports.extend(i for i in map(_import_spec, specs) if i is not None)
    return imports


def _exports(_root: Node) -> list[Export]:
    return []


def _params(node: Node) -> tuple[Param, ...]:
    params: list[Param] = []
    for declaration in node.named_children:
        if declaration.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        kind = text(declaration.child_by_field_name("type"))
        if declaration.type == "variadic_parameter_declaration":
            kind = "..." + kind
        names = declaration.children_by_field_name("name")
        if names:
            params.extend(Param(text(n), annotation=kind) for n in names)
        else:  # an unnamed parameter is known by its type
            params.append(Param(kind))
    return tuple(params)


def _docstring(_shape: Shape) -> tuple[int, int] | None:
    return None  # Go documents with the leading comment


GO = Syntax(
    definitions=_definitions,
    describe=_describe,
    imports=_imports,
    exports=_exports,
    params=_params,
    docstring=_docstring,
    references=_references,
    members={"selector_expression": ("operand", "field"), "qualified_type": ("package", "name")},
    calls={"call_expression": "function"},
    declaring_parents=frozenset({"package_clause"}),
    declaring_fields=frozenset({"name", "range_clause.left"}),
    ident_types=frozenset({"identifier", "type_identifier", "package_identifier"}),
)
