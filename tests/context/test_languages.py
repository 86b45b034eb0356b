"""Grammar lookup and cached parsers."""

from __future__ import annotations

import threading

import pytest

from reviewer.context.languages import family_of, grammar_of, language, parse, query


@pytest.mark.parametrize(("path", "grammar"), [
    ("a/b.py", "python"), ("x.js", "javascript"), ("x.jsx", "javascript"), ("x.mjs", "javascript"),
    ("x.cjs", "javascript"), ("x.ts", "typescript"), ("X.TSX", "tsx"), ("main.go", "go"),
    ("README.md", None), ("lib.rs", None), ("Makefile", None),
])
def test_grammar_by_suffix(path, grammar):
    assert grammar_of(path) == grammar


def test_typescript_and_javascript_share_a_family():
    assert {family_of("javascript"), family_of("typescript"), family_of("tsx")} == {"js"}
    assert family_of("go") == "go" and family_of("python") == "python"


def test_languages_and_queries_are_built_once():
    assert language("go") is language("go")
    assert query("python", "(identifier) @x") is query("python", "(identifier) @x")


def test_each_thread_parses_with_its_own_parser():
    results: list[str] = []

    def work() -> None:
        for _ in range(50):
            results.append(parse("python", b"def f():\n    return 1\n").root_node.type)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["module"] * 200
