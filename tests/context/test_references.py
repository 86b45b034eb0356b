"""References: the dotted names code uses on given lines, and single uses found by position."""

from __future__ import annotations

import re
import textwrap

from reviewer.context.outline import build_outline
from reviewer.context.references import Reference, references, use_at


def outline(path: str, source: str):
    built = build_outline(path, textwrap.dedent(source).lstrip("\n"))
    assert built is not None
    return built


def chains(built, lines) -> set[tuple[tuple[str, ...], bool]]:
    return {(ref.chain, ref.call) for ref in references(built, set(lines))}


def test_python_chains_calls_and_declarations():
    built = outline("a.py", """
        def run(path, retries=DEFAULT):
            result = self.client.fetch(path, timeout=LIMIT)  # helper() in a comment
            pkg.mod.save(result, "helper()")
            return Client
    """)
    assert chains(built, [1]) == {(("DEFAULT",), False)}
    assert chains(built, [2]) == {
        (("result",), False), (("self", "client", "fetch"), True), (("path",), False), (("LIMIT",), False)}
    assert chains(built, [3]) == {(("pkg", "mod", "save"), True), (("result",), False)}
    assert chains(built, [4]) == {(("Client",), False)}


def test_a_name_used_twice_is_reported_once_as_a_call_when_either_use_calls_it():
    built = outline("a.py", "x = helper\ny = helper()\n")
    helper = [ref for ref in references(built, {1, 2}) if ref.chain == ("helper",)]
    assert helper == [Reference(("helper",), 1, True)]


def test_javascript_this_members_new_and_jsx():
    built = outline("src/a.jsx", """
        import { Button } from './button';
        export function view({ label }, count = START) {
          this.render(new Widget(label), api.client.get());
          return <Button label={label} />;
        }
    """)
    assert chains(built, [1]) == set()
    assert chains(built, [2]) == {(("START",), False)}
    assert chains(built, [3]) == {
        (("this", "render"), True), (("Widget",), True), (("label",), False), (("api", "client", "get"), True)}
    assert (("Button",), False) in chains(built, [4])


def test_typescript_type_references_count():
    built = outline("src/a.ts", "export function f(o: Options): Result { return o; }\n")
    assert chains(built, [1]) == {(("Options",), False), (("Result",), False), (("o",), False)}


def test_go_selectors_and_qualified_types():
    built = outline("main.go", """
        package main

        func (s *Server) Run(ctx context.Context) error {
        	return s.store.Save(ctx, util.Join(MaxItems))
        }
    """)
    assert chains(built, [3]) == {(("Server",), False), (("context", "Context"), False), (("error",), False)}
    assert chains(built, [4]) == {
        (("s", "store", "Save"), True), (("ctx",), False), (("util", "Join"), True), (("MaxItems",), False)}


def test_use_at_gives_the_chain_up_to_an_occurrence_and_its_call():
    built = outline("a.py", "value = api.fetch(1)\nname = 'fetch'\n# fetch\n")
    offsets = [m.start() for m in re.finditer(rb"fetch", built.data)]
    node = built.root.descendant_for_byte_range(offsets[0], offsets[0] + 5)
    use = use_at(node, built.syntax)
    assert use is not None and use.chain == ("api", "fetch") and use.call is not None
    in_string = built.root.descendant_for_byte_range(offsets[1], offsets[1] + 5)
    assert in_string.type != "identifier"
