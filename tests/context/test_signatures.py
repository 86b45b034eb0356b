"""Signature comparisons in words."""

from __future__ import annotations

from reviewer.context.outline import build_outline
from reviewer.context.signatures import signature_change


def definition(source: str, path: str = "a.py"):
    built = build_outline(path, source)
    assert built is not None
    return built.definitions[0]


def change(old: str, new: str, path: str = "a.py") -> str:
    return signature_change(definition(old, path), definition(new, path))


def test_added_removed_and_renamed_parameters():
    assert change("def f(a):\n    pass\n", "def f(a, timeout=3):\n    pass\n") == \
        "signature changed: parameter `timeout` added"
    assert change("def f(a, b):\n    pass\n", "def f(a):\n    pass\n") == "signature changed: parameter `b` removed"
    assert change("def f(a, b):\n    pass\n", "def f(a, c):\n    pass\n") == \
        "signature changed: parameter `b` renamed to `c`"


def test_reordered_parameters_and_defaults():
    assert change("def f(a, b):\n    pass\n", "def f(b, a):\n    pass\n") == "signature changed: parameters reordered"
    assert change("def f(a=1):\n    pass\n", "def f(a=2):\n    pass\n") == "signature changed: default of `a` changed"
    assert change("def f(a):\n    pass\n", "def f(a=2):\n    pass\n") == \
        "signature changed: parameter `a` made optional"
    assert change("def f(a=1):\n    pass\n", "def f(a):\n    pass\n") == \
        "signature changed: parameter `a` made required"


def test_types_return_types_and_other_header_changes():
    assert change("function f(a: string): void {}\n", "function f(a: number): string {}\n", "a.ts") == \
        "signature changed: type of `a` changed, return type changed"
    assert change("def f(a, b):\n    pass\n", "def f(a, *, b):\n    pass\n") == "signature changed"
    assert change("def f(a):\n    pass\n", "async def f(a):\n    pass\n") == "signature changed"


def test_body_and_formatting_changes_are_not_signature_changes():
    assert change("def f(a, b):\n    return 1\n", "def f(\n    a,\n    b,\n):\n    return 2\n") == ""
    assert change("func F(a int) {}\n", "func F(a int) { return }\n", "a.go") == ""
