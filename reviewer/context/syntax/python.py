"""Python: definitions, imports, parameters and docstrings from the tree-sitter-python tree."""

from __future__ import annotations

from tree_sitter import Node, QueryCursor

from reviewer.context.languages import Grammar, query
from reviewer.context.syntax.base import Chain, Export, Import, Param, Shape, Syntax, row, text

__all__ = ["PYTHON"]

_DEFINITIONS = """
(function_definition) @function
(class_definition) @class
(module (expression_statement (assignment left: (identifier))) @constant)
(class_definition body: (block (expression_statement (assignment left: (identifier))) @constant))
"""
_IMPORTS = "[(import_statement) (import_from_statement)] @import"


def _definitions(_grammar: Grammar) -> str:
    return _DEFINITIONS


def _references(_grammar: Grammar) -> str:
    return "(identifier) @ref"


def _outer(node: Node) -> Node:
    """The decorated wrapper of a function or class, else the node itself."""
    parent = node.parent
    return parent if parent is not None and parent.type == "decorated_definition" else node


def _bases(node: Node) -> tuple[Chain, ...]:
    superclasses = node.child_by_field_name("superclasses")
    if superclasses is None:
        return ()
    chains: list[Chain] = []
    for child in superclasses.named_children:
        parts: list[str] = []
        current: Node | None = child
        while current is not None and current.type == "attribute":
            parts.append(text(current.child_by_field_name("attribute")))
            current = current.child_by_field_name("object")
        if current is not None and current.type == "identifier":
            chains.append((text(current), *reversed(parts)))
    return tuple(chains)


def _describe(node: Node, capture: str) -> list[Shape]:
    if capture == "constant":
        target = node.named_children[0].child_by_field_name("left")
        return [Shape("constant", text(target), node, node)]
    name = text(node.child_by_field_name("name"))
    body = node.child_by_field_name("body")
    if capture == "class":
        return [Shape("class", name, node, _outer(node), body=body, bases=_bases(node))]
    return [Shape("function", name, node, _outer(node), body=body,
                  params=node.child_by_field_name("parameters"),
                  returns=node.child_by_field_name("return_type"))]


def _module_name(node: Node | None) -> str:
    return "".join(text(node).split()) if node is not None else ""


def _import_statement(node: Node) -> list[Import]:
    imports = []
    for name in node.children_by_field_name("name"):
        line = row(node.start_point.row)
        if name.type == "aliased_import":
            module = _module_name(name.child_by_field_name("name"))
            imports.append(Import(text(name.child_by_field_name("alias")), module, None, line))
        else:
            module = _module_name(name)
            imports.append(Import(module.split(".")[0], module, None, line, dotted=True))
    return imports


def _from_import(node: Node) -> list[Import]:
    module = _module_name(node.child_by_field_name("module_name"))
    line = row(node.start_point.row)
    if any(child.type == "wildcard_import" for child in node.children):
        return [Import("*", module, "*", line)]
    imports = []
    for name in node.children_by_field_name("name"):
        if name.type == "aliased_import":
            imported = _module_name(name.child_by_field_name("name"))
            imports.append(Import(text(name.child_by_field_name("alias")), module, imported, line))
        else:
            imported = _module_name(name)
            imports.append(Import(imported, module, imported, line))
    return imports


def _imports(root: Node) -> list[Import]:
    nodes = QueryCursor(query("python", _IMPORTS)).captures(root).get("import", [])
    imports: list[Import] = []
    for node in sorted(nodes, key=lambda n: n.start_byte):
        imports.extend(_import_statement(node) if node.type == "import_statement" else _from_import(node))
    return imports


def _exports(_root: Node) -> list[Export]:
    return []


def _param(node: Node) -> Param | None:
    kind = node.type
    if kind == "identifier":
        return Param(text(node))
    if kind in ("list_splat_pattern", "dictionary_splat_pattern"):
        return Param(text(node))
    if kind == "typed_parameter":
        inner = node.named_children[0]
        return Param(text(inner), annotation=text(node.child_by_field_name("type")))
    if kind in ("default_parameter", "typed_default_parameter"):
        annotation = node.child_by_field_name("type")
        return Param(text(node.child_by_field_name("name")), text(node.child_by_field_name("value")),
                     text(annotation) if annotation is not None else None)
    return None  # the `*` and `/` separators: seen through the signature text


def _params(node: Node) -> tuple[Param, ...]:
    return tuple(p for p in map(_param, node.named_children) if p is not None)


def _docstring(shape: Shape) -> tuple[int, int] | None:
    body = shape.body
    if body is None:
        return None
    for child in body.named_children:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_child_count == 1 \
                and child.named_children[0].type == "string":
            return row(child.start_point.row), row(child.end_point.row)
        return None
    return None


PYTHON = Syntax(
    definitions=_definitions,
    describe=_describe,
    imports=_imports,
    exports=_exports,
    params=_params,
    docstring=_docstring,
    references=_references,
    members={"attribute": ("object", "attribute")},
    calls={"call": "function"},
    declaring_parents=frozenset({
        "parameters", "lambda_parameters", "typed_parameter", "list_splat_pattern",
        "dictionary_splat_pattern", "dotted_name", "aliased_import", "global_statement", "as_pattern_target",
        "nonlocal_statement",
    }),
    declaring_fields=frozenset({
        "name", "alias", "for_statement.left", "for_in_clause.left", "as_pattern.alias",
    }),
    self_names=frozenset({"self", "cls"}),
    ident_types=frozenset({"identifier"}),
)
