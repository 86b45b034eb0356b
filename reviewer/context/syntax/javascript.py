"""JavaScript and TypeScript (one family): definitions, imports, re-exports, parameters."""

from __future__ import annotations

from tree_sitter import Node

from reviewer.context.languages import Grammar
from reviewer.context.syntax.base import Chain, Export, Import, Param, Shape, ShapeKind, Syntax, row, text

__all__ = ["JAVASCRIPT"]

_COMMON = """
(function_declaration) @function
(generator_function_declaration) @function
(class_declaration) @class
(method_definition) @method
(variable_declarator value: [(arrow_function) (function_expression) (generator_function)]) @function
(arrow_function) @anonymous
(function_expression) @anonymous
(generator_function) @anonymous
(program (lexical_declaration (variable_declarator) @constant))
(program (variable_declaration (variable_declarator) @constant))
(program (export_statement (lexical_declaration (variable_declarator) @constant)))
(program (export_statement (variable_declaration (variable_declarator) @constant)))
"""
_JAVASCRIPT = _COMMON + """
(field_definition value: [(arrow_function) (function_expression)]) @method
"""
_TYPESCRIPT = _COMMON + """
(public_field_definition value: [(arrow_function) (function_expression)]) @method
(function_signature) @overload
(class_body (method_signature) @overload)
(abstract_class_declaration) @class
(interface_declaration) @type
(type_alias_declaration) @type
(enum_declaration) @type
"""
_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression", "generator_function"})
_VALUE_HOLDERS = frozenset({"variable_declarator", "field_definition", "public_field_definition"})


def _definitions(grammar: Grammar) -> str:
    return _JAVASCRIPT if grammar == "javascript" else _TYPESCRIPT


def _exported(node: Node) -> Node:
    """The ``export`` statement around a declaration, else the declaration."""
    parent = node.parent
    return parent if parent is not None and parent.type == "export_statement" else node


def _declarator_outer(node: Node) -> Node:
    """A declarator's whole ``const x = …`` statement when it declares only that name."""
    declaration = node.parent
    if declaration is None or declaration.named_child_count != 1:
        return node
    return _exported(declaration)


def _bases(node: Node) -> tuple[Chain, ...]:
    for child in node.named_children:
        if child.type != "class_heritage":
            continue
        for clause in child.named_children:
            value = clause.child_by_field_name("value") if clause.type == "extends_clause" else None
            if clause.type == "identifier":  # JavaScript: `class A extends B`
                value = clause
            if value is not None and value.type == "identifier":
                return ((text(value),),)
    return ()


def _function(kind: ShapeKind, name: str, node: Node, outer: Node, function: Node | None) -> Shape:
    """A shape whose parameters, body and return type are those of ``function`` (a function node)."""
    if function is None:
        return Shape(kind, name, node, outer)
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    return Shape(kind, name, node, outer, body=function.child_by_field_name("body"), params=params,
                 returns=function.child_by_field_name("return_type"))


def _anonymous(node: Node) -> list[Shape]:
    parent = node.parent
    if parent is None or parent.type in _VALUE_HOLDERS:
        return []
    if parent.type == "export_statement":  # `export default function () {}`
        return [_function("function", "default", node, parent, node)]
    return [_function("anonymous", "", node, node, node)]


def _describe(node: Node, capture: str) -> list[Shape]:
    if capture == "anonymous":
        return _anonymous(node)
    if capture == "constant":
        target = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if target is None or target.type != "identifier":  # a destructuring pattern declares no one name
            return []
        if value is not None and _required(value) is not None:  # `const fs = require('fs')` is an import
            return []
        return [Shape("constant", text(target), node, _declarator_outer(node))]
    name = text(node.child_by_field_name("name") or node.child_by_field_name("property"))
    if capture == "function" and node.type == "variable_declarator":
        return [_function("function", name, node, _declarator_outer(node), node.child_by_field_name("value"))]
    if capture == "method" and node.type != "method_definition":  # a field holding a function
        return [_function("method", name, node, node, node.child_by_field_name("value"))]
    if capture == "class":
        return [Shape("class", name, node, _exported(node), body=node.child_by_field_name("body"),
                      bases=_bases(node))]
    if capture == "type":
        return [Shape("type", name, node, _exported(node), body=node.child_by_field_name("body"))]
    kind: ShapeKind = "overload" if capture == "overload" else "method" if capture == "method" else "function"
    return [_function(kind, name, node, _exported(node), node)]


def _string_value(node: Node | None) -> str:
    if node is None:
        return ""
    return "".join(text(child) for child in node.named_children if child.type == "string_fragment")


def _import_statement(node: Node) -> list[Import]:
    module = _string_value(node.child_by_field_name("source"))
    line = row(node.start_point.row)
    imports = []
    for clause in (c for c in node.named_children if c.type == "import_clause"):
        for part in clause.named_children:
            if part.type == "identifier":
                imports.append(Import(text(part), module, "default", line))
            elif part.type == "namespace_import":
                imports.append(Import(text(part.named_children[0]), module, None, line))
            elif part.type == "named_imports":
                for spec in (s for s in part.named_children if s.type == "import_specifier"):
                    name = text(spec.child_by_field_name("name"))
                    alias = spec.child_by_field_name("alias")
                    imports.append(Import(text(alias) if alias is not None else name, module, name, line))
    return imports


def _required(node: Node) -> str | None:
    """The module of ``require('./x')``, or None when ``node`` is something else."""
    if node.type != "call_expression" or text(node.child_by_field_name("function")) != "require":
        return None
    arguments = node.child_by_field_name("arguments")
    strings = [a for a in arguments.named_children if a.type == "string"] if arguments is not None else []
    return _string_value(strings[0]) if strings else None


def _require_declaration(node: Node) -> list[Import]:
    imports = []
    for declarator in (d for d in node.named_children if d.type == "variable_declarator"):
        value = declarator.child_by_field_name("value")
        module = _required(value) if value is not None else None
        if module is None:
            continue
        target = declarator.child_by_field_name("name")
        line = row(declarator.start_point.row)
        if target is None:
            continue
        if target.type == "identifier":
            imports.append(Import(text(target), module, None, line))
            continue
        for part in target.named_children if target.type == "object_pattern" else ():
            if part.type == "shorthand_property_identifier_pattern":
                imports.append(Import(text(part), module, text(part), line))
            elif part.type == "pair_pattern":
                imports.append(Import(text(part.child_by_field_name("value")), module,
                                      text(part.child_by_field_name("key")), line))
    return imports


def _imports(root: Node) -> list[Import]:
    imports: list[Import] = []
    for node in root.named_children:
        if node.type == "import_statement":
            imports.extend(_import_statement(node))
        elif node.type in ("lexical_declaration", "variable_declaration"):
            imports.extend(_require_declaration(node))
    return imports


def _export_clause(clause: Node, module: str | None) -> list[Export]:
    exports = []
    for spec in (s for s in clause.named_children if s.type == "export_specifier"):
        name = text(spec.child_by_field_name("name"))
        alias = spec.child_by_field_name("alias")
        exports.append(Export(text(alias) if alias is not None else name, module, name))
    return exports


def _export_statement(node: Node) -> list[Export]:
    source = node.child_by_field_name("source")
    module = _string_value(source) if source is not None else None
    for child in node.named_children:
        if child.type == "export_clause":
            return _export_clause(child, module)
        if child.type == "namespace_export":
            return [Export(text(child.named_children[0]), module, None)]
    if module is not None:
        return [Export("*", module, None)]
    if not any(child.type == "default" for child in node.children):
        return []
    target = node.child_by_field_name("declaration") or node.child_by_field_name("value")
    if target is not None and target.type == "identifier":
        return [Export("default", None, text(target))]
    name = target.child_by_field_name("name") if target is not None else None
    return [Export("default", None, text(name))] if name is not None else []


def _exports(root: Node) -> list[Export]:
    exports: list[Export] = []
    for node in root.named_children:
        if node.type == "export_statement":
            exports.extend(_export_statement(node))
    return exports


def _annotation(node: Node | None) -> str | None:
    return text(node).lstrip(":").strip() if node is not None else None


def _param(node: Node) -> Param | None:
    kind = node.type
    if kind == "assignment_pattern":
        return Param(text(node.child_by_field_name("left")), text(node.child_by_field_name("right")))
    if kind in ("required_parameter", "optional_parameter"):
        value = node.child_by_field_name("value")
        default = text(value) if value is not None else ("?" if kind == "optional_parameter" else None)
        return Param(text(node.child_by_field_name("pattern")), default,
                     _annotation(node.child_by_field_name("type")))
    if kind in ("identifier", "rest_pattern", "object_pattern", "array_pattern"):
        return Param(" ".join(text(node).split()))
    return None


def _params(node: Node) -> tuple[Param, ...]:
    if node.type == "identifier":  # `a => …`
        return (Param(text(node)),)
    return tuple(p for p in map(_param, node.named_children) if p is not None)


def _docstring(_shape: Shape) -> tuple[int, int] | None:
    return None  # JavaScript documents with the leading comment


def _references(grammar: Grammar) -> str:
    kinds = "(identifier) (this) (shorthand_property_identifier)"
    if grammar != "javascript":
        kinds += " (type_identifier)"
    return f"[{kinds}] @ref"


JAVASCRIPT = Syntax(
    definitions=_definitions,
    describe=_describe,
    imports=_imports,
    exports=_exports,
    params=_params,
    docstring=_docstring,
    references=_references,
    members={"member_expression": ("object", "property"), "nested_type_identifier": ("module", "name")},
    calls={"call_expression": "function", "new_expression": "constructor"},
    declaring_parents=frozenset({
        "formal_parameters", "import_specifier", "import_clause", "namespace_import",
        "export_specifier", "rest_pattern", "array_pattern", "type_parameter",
    }),
    declaring_fields=frozenset({
        "name", "alias", "pattern", "assignment_pattern.left", "arrow_function.parameter",
        "catch_clause.parameter", "for_in_statement.left", "pair_pattern.value",
    }),
    referencing_parents=frozenset({"jsx_opening_element", "jsx_closing_element", "jsx_self_closing_element"}),
    self_names=frozenset({"this"}),
    decorator_types=frozenset({"decorator"}),
    ident_types=frozenset({"identifier", "this", "type_identifier", "shorthand_property_identifier"}),
)
