"""Outlines: definitions with their lines, signatures and docs; imports; exports; syntax errors."""

from __future__ import annotations

import textwrap

from reviewer.context.outline import build_outline
from reviewer.context.syntax.base import Export, Import, Param


def outline(path: str, source: str):
    built = build_outline(path, textwrap.dedent(source).lstrip("\n"))
    assert built is not None
    return built


def spans(built) -> dict[str, tuple[str, int, int, int, int]]:
    """qualified → (kind, first, start, signature_end, end)."""
    return {d.qualified: (d.kind, d.first, d.start, d.signature_end, d.end) for d in built.definitions}


PYTHON = '''
import os

MAX_RETRIES = 3


@cache
@trace(level=2)
def load(path, *, retries: int = MAX_RETRIES, **options) -> dict:
    """Load a file."""
    def parse(text):
        return text
    return parse(os.path.basename(path))


class Client(Base, mixins.Logged):
    """Talks to the API."""

    timeout = 5

    def fetch(self, url):
        return url
'''


def test_python_definitions_have_decorators_nesting_and_methods():
    built = outline("pkg/io.py", PYTHON)
    assert spans(built) == {
        "MAX_RETRIES": ("constant", 3, 3, 3, 3),
        "load": ("function", 6, 6, 8, 12),
        "load.parse": ("function", 10, 10, 10, 11),
        "Client": ("class", 15, 15, 15, 21),
        "Client.timeout": ("constant", 18, 18, 18, 18),
        "Client.fetch": ("method", 20, 20, 20, 21),
    }
    load = built.by_qualified["load"]
    assert load.doc == (9, 9)
    assert load.params == (Param("path"), Param("retries", "MAX_RETRIES", "int"), Param("**options"))
    assert load.returns == "dict"
    assert built.by_qualified["Client"].bases == (("Base",), ("mixins", "Logged"))
    assert built.by_qualified["Client.fetch"].owner == "Client"
    assert set(built.top) == {"MAX_RETRIES", "load", "Client"}


def test_python_imports_relative_absolute_dotted_and_star():
    built = outline("pkg/a.py", """
        from .x import y as z, w
        from . import sibling
        from ..up.m import *
        import pkg.mod as m, os.path
        def late():
            from pkg.util import helper
    """)
    assert built.imports == [
        Import("z", ".x", "y", 1), Import("w", ".x", "w", 1), Import("sibling", ".", "sibling", 2),
        Import("*", "..up.m", "*", 3), Import("m", "pkg.mod", None, 4), Import("os", "os.path", None, 4, dotted=True),
        Import("helper", "pkg.util", "helper", 6),
    ]


def test_a_leading_comment_is_the_doc_but_a_trailing_one_is_not():
    built = outline("a.py", """
        x = 1  # about x

        # Explains f.
        # More.
        def f():
            pass
        y = 2  # about y
        def g():
            pass
    """)
    f = built.by_qualified["f"]
    assert (f.first, f.start, f.doc) == (3, 5, (3, 4))
    g = built.by_qualified["g"]
    assert (g.first, g.doc) == (8, None)


JAVASCRIPT = '''
import api, { get as fetchIt, post } from './api';
import * as util from '../util/index.js';
const { join, split: cut } = require('./paths');

/**
 * Adds.
 */
export function add(a, b = 1, ...rest) {
  return a + b;
}

export const double = (x) => x * 2;
const MAX = 10;

export default class Cart extends Base {
  items = [];
  total = () => this.items.length;

  add(item) {
    describe('x', () => {
      it('y', () => {});
    });
  }
}
export { add as plus } from './math';
export * from './more';
export * as extra from './extra';
export { MAX };
'''


def test_javascript_functions_arrow_functions_classes_and_callbacks():
    built = outline("src/cart.js", JAVASCRIPT)
    assert spans(built) == {
        "add": ("function", 5, 8, 8, 10),
        "double": ("function", 12, 12, 12, 12),
        "MAX": ("constant", 13, 13, 13, 13),
        "Cart": ("class", 15, 15, 15, 24),
        "Cart.total": ("method", 17, 17, 17, 17),
        "Cart.add": ("method", 19, 19, 19, 23),
        "Cart.add.<callback of describe>": ("function", 20, 20, 20, 22),
        "Cart.add.<callback of describe>.<callback of it>": ("function", 21, 21, 21, 21),
    }
    assert built.by_qualified["add"].params == (Param("a"), Param("b", "1"), Param("...rest"))
    assert built.by_qualified["add"].doc == (5, 7)
    assert built.by_qualified["double"].params == (Param("x"),)
    assert built.by_qualified["Cart"].bases == (("Base",),)
    callbacks = [d for d in built.definitions if d.anonymous]
    assert [d.qualified for d in callbacks] == ["Cart.add.<callback of describe>",
                                                "Cart.add.<callback of describe>.<callback of it>"]
    assert "Cart.add.<callback of describe>" not in built.by_qualified


def test_javascript_imports_requires_and_exports():
    built = outline("src/cart.js", JAVASCRIPT)
    assert built.imports == [
        Import("api", "./api", "default", 1), Import("fetchIt", "./api", "get", 1), Import("post", "./api", "post", 1),
        Import("util", "../util/index.js", None, 2),
        Import("join", "./paths", "join", 3), Import("cut", "./paths", "split", 3),
    ]
    assert built.exports == [
        Export("default", None, "Cart"), Export("plus", "./math", "add"), Export("*", "./more", None),
        Export("extra", "./extra", None), Export("MAX", None, "MAX"),
    ]


def test_typescript_overloads_fold_into_the_implementation():
    built = outline("src/format.ts", """
        // Formats a value.
        export function format(value: string): string;
        export function format(value: number, digits?: number): string;
        export function format(value: unknown, digits = 2): string {
          return String(value);
        }
        export function other(): void {}
    """)
    assert spans(built)["format"] == ("function", 1, 2, 4, 6)
    format_ = built.by_qualified["format"]
    assert format_.params == (Param("value", annotation="unknown"), Param("digits", "2"))
    assert format_.returns == "string"
    assert format_.header.count(" | ") == 2
    assert [d.qualified for d in built.definitions] == ["format", "other"]


def test_typescript_class_methods_interfaces_and_overloaded_methods():
    built = outline("src/client.ts", """
        @Injectable()
        export class Client {
          constructor(private base: string, retries?: number) {}
          get(path: string): string;
          get(path: string, raw: boolean): string;
          get(path: string, raw = false): string {
            return this.base + path;
          }
        }
        interface Options { retries: number }
        type Id = string;
    """)
    assert spans(built) == {
        "Client": ("class", 1, 1, 2, 9),
        "Client.constructor": ("method", 3, 3, 3, 3),
        "Client.get": ("method", 4, 4, 6, 8),
        "Options": ("type", 10, 10, 10, 10),
        "Id": ("type", 11, 11, 11, 11),
    }
    assert built.by_qualified["Client.constructor"].params == (
        Param("base", annotation="string"), Param("retries", "?", "number"))


def test_tsx_files_parse_with_the_tsx_grammar():
    built = outline("src/App.tsx", """
        export const App = ({ n }: { n: number }) => <div>{n}</div>;
    """)
    assert not built.error_spans
    assert spans(built)["App"] == ("function", 1, 1, 1, 1)


GO = '''
package store

import (
	"fmt"
	u "example.com/shop/internal/util"
)

// MaxItems caps a cart.
const MaxItems = 10

const (
	A, B = 1, 2
)

// Store keeps carts.
type Store struct {
	items []string
}

// Add puts an item in.
func (s *Store) Add(item string, count int) error {
	return fmt.Errorf(u.Join(item))
}

func New[T any](names ...string) *Store { return &Store{} }
'''


def test_go_methods_receivers_types_and_constants():
    built = outline("internal/store/store.go", GO)
    assert spans(built) == {
        "MaxItems": ("constant", 8, 9, 9, 9),
        "A": ("constant", 11, 11, 11, 13),  # the only spec of its group: the whole group
        "B": ("constant", 11, 11, 11, 13),
        "Store": ("type", 15, 16, 16, 18),
        "Store.Add": ("method", 20, 21, 21, 23),
        "New": ("function", 25, 25, 25, 25),
    }
    add = built.by_qualified["Store.Add"]
    assert (add.owner, add.receiver, add.container) == ("Store", "s", None)
    assert add.params == (Param("item", annotation="string"), Param("count", annotation="int"))
    assert add.returns == "error"
    assert built.by_qualified["New"].params == (Param("names", annotation="...string"),)
    assert "Add" not in built.top and "Store" in built.top
    assert built.imports == [Import("fmt", "fmt", None, 4), Import("u", "example.com/shop/internal/util", None, 5)]


def test_go_imports_bind_the_package_name_an_alias_or_the_dot():
    built = outline("main.go", """
        package main

        import (
        	"example.com/shop/v2"
        	. "example.com/shop/dsl"
        	_ "example.com/shop/driver"
        	s "example.com/shop/store"
        )
    """)
    assert [(i.local, i.module) for i in built.imports] == [
        ("shop", "example.com/shop/v2"), ("*", "example.com/shop/dsl"), ("s", "example.com/shop/store")]


def test_syntax_errors_are_located():
    built = outline("a.py", """
        def ok():
            return 1

        def broken(:
            return 2
    """)
    assert built.error_spans and all(4 <= first <= last <= 5 for first, last in built.error_spans)
    assert built.touches_error(4, 4) and not built.touches_error(1, 2)


def test_containers_run_from_the_innermost_definition_outwards():
    built = outline("pkg/io.py", PYTHON)
    assert [d.qualified for d in built.containers(11)] == ["load.parse", "load"]
    assert [d.qualified for d in built.containers(21)] == ["Client.fetch", "Client"]
    assert built.containers(1) == []
    assert built.visible("parse", 11).qualified == "load.parse"
    assert built.visible("parse", 21) is None


def test_unknown_languages_have_no_outline():
    assert build_outline("README.md", "# Title\n") is None
    assert build_outline("main.rs", "fn main() {}\n") is None
