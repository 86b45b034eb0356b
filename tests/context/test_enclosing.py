"""Enclosing code: the function, class header or top-level statement around each change."""

from __future__ import annotations

import textwrap

from tests.context.helpers import context, item_text, numbers, of_kind


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line containing ``needle``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def enclosing(base: dict[str, str], head: dict[str, str]):
    items, _ = context(base, head)
    return of_kind(items, "enclosing")


SERVICE = src('''
    import logging

    log = logging.getLogger(__name__)


    class Service:
        """Runs jobs."""

        retries = 3

        @staticmethod
        @traced
        def run(job):
            """Run one job."""
            log.info("running")
            return job()

        def stop(self):
            return None
''')


def test_a_changed_method_is_shown_whole_with_its_decorators():
    head = SERVICE.replace('log.info("running")', 'log.info("running %s", job)')
    [item] = enclosing({"svc.py": SERVICE}, {"svc.py": head})
    assert item.symbol == "Service.run"
    assert numbers(item) == list(range(11, 17))
    assert item.lines[0].text.strip() == "@staticmethod"


def test_a_class_level_change_in_a_small_class_shows_the_class():
    head = SERVICE.replace("retries = 3", "retries = 5")
    [item] = enclosing({"svc.py": SERVICE}, {"svc.py": head})
    assert item.symbol == "Service"
    assert numbers(item) == list(range(6, 20))


def test_a_class_level_change_in_a_long_class_shows_the_header_and_the_member():
    methods = "".join(f"\n    def m{n}(self):\n        return {n}\n" for n in range(15))
    base = src('''
        class Big(Base):
            """Many methods."""

            limit = 1
        ''') + methods
    head = base.replace("limit = 1", "limit = 2")
    [item] = enclosing({"big.py": base}, {"big.py": head})
    assert item.symbol == "Big"
    end = len(base.splitlines())
    assert numbers(item) == [1, 2, 3, 4, None]
    assert item.lines[-1].text == f"… {end - 4} lines omitted …"


def test_a_module_level_change_shows_its_statement():
    base = src('''
        import os

        SETTINGS = {
            "a": 1,
            "b": 2,
        }


        def f():
            return SETTINGS
    ''')
    head = base.replace('"b": 2', '"b": 3')
    [item] = enclosing({"conf.py": base}, {"conf.py": head})
    assert (item.symbol, numbers(item)) == ("<module>", [3, 4, 5, 6])


def test_nested_functions_show_the_outermost_function_that_is_not_too_long():
    base = src('''
        def outer(items):
            def key(item):
                return item.name
            return sorted(items, key=key)
    ''')
    head = base.replace("item.name", "item.title")
    [item] = enclosing({"a.py": base}, {"a.py": head})
    assert (item.symbol, numbers(item)) == ("outer", [1, 2, 3, 4])


def test_inside_a_long_outer_function_a_short_inner_function_is_shown_whole():
    filler = "".join(f"    step{n} = {n}\n" for n in range(90))
    base = "def outer():\n" + filler + "    def inner(x):\n        return x + 1\n    return inner\n"
    head = base.replace("return x + 1", "return x + 2")
    [item] = enclosing({"a.py": base}, {"a.py": head})
    assert item.symbol == "outer.inner"
    assert numbers(item) == [92, 93]


def test_a_long_function_shows_its_signature_and_ten_lines_around_each_change():
    body = "".join(f"    x{n} = {n}\n" for n in range(1, 121))
    base = "@decorator\ndef long(a,\n         b):\n" + body + "    return a\n"
    head = base.replace("    x50 = 50\n", "    x50 = 'changed'\n").replace("    x100 = 100\n", "    x100 = 'changed'\n")
    [item] = enclosing({"a.py": base}, {"a.py": head})
    first_change, second_change = line_of(head, "x50 ="), line_of(head, "x100 =")
    total = len(head.splitlines())
    expected = [1, 2, 3, None, *range(first_change - 10, first_change + 11), None,
                *range(second_change - 10, second_change + 11), None]
    assert item.symbol == "long" and numbers(item) == expected
    markers = [line.text for line in item.lines if line.number is None]
    assert markers == [
        f"… {first_change - 10 - 4} lines omitted …",
        f"… {second_change - 10 - (first_change + 10) - 1} lines omitted …",
        f"… {total - (second_change + 10)} lines omitted …",
    ]


def test_two_changes_in_one_function_give_one_item_and_changes_in_two_functions_two():
    base = "def a():\n    x = 1\n    y = 2\n    return x\n\n\n" + "".join(f"z{n} = {n}\n" for n in range(20)) + \
        "\n\ndef b():\n    return 3\n"
    head = base.replace("x = 1", "x = 10").replace("return x", "return x + y").replace("return 3", "return 4")
    items = enclosing({"a.py": base}, {"a.py": head})
    assert [item.symbol for item in items] == ["a", "b"]


def test_a_removed_line_shows_the_function_it_was_removed_from():
    base = "def f():\n    a = 1\n    b = 2\n    return a\n\n\ndef g():\n    return 0\n"
    head = base.replace("    b = 2\n", "")
    [item] = enclosing({"a.py": base}, {"a.py": head})
    assert (item.symbol, numbers(item)) == ("f", [1, 2, 3])


JS = src('''
    import { api } from './api';

    export const total = (items) => {
      let sum = 0;
      for (const item of items) sum += item.price;
      return sum;
    };

    export class Cart {
      constructor(items) {
        this.items = items;
      }

      add(item) {
        this.items.push(item);
      }
    }

    describe('cart', () => {
      it('adds', () => {
        expect(new Cart([]).add(1)).toBe(undefined);
      });
    });
''')


def test_javascript_arrow_functions_and_class_methods():
    head = JS.replace("sum += item.price", "sum += item.price * item.count").replace(
        "this.items.push(item);", "this.items.push({ ...item });")
    items = enclosing({"cart.js": JS}, {"cart.js": head})
    assert [(i.symbol, numbers(i)) for i in items] == [
        ("total", [3, 4, 5, 6, 7]), ("Cart.add", [14, 15, 16])]


def test_test_callbacks_show_the_outermost_short_callback():
    head = JS.replace("toBe(undefined)", "toBeUndefined()")
    [item] = enclosing({"cart.test.js": JS}, {"cart.test.js": head})
    assert item.symbol == "<callback of describe>"
    assert numbers(item) == [19, 20, 21, 22, 23]


def test_typescript_overloads_belong_to_the_changed_implementation():
    base = src('''
        export function parse(value: string): number;
        export function parse(value: number): number;
        export function parse(value: unknown): number {
          return Number(value);
        }
    ''')
    head = base.replace("Number(value)", "Number(value) || 0")
    [item] = enclosing({"parse.ts": base}, {"parse.ts": head})
    assert (item.symbol, numbers(item)) == ("parse", [1, 2, 3, 4, 5])


GO = src('''
    package store

    // Store keeps items.
    type Store struct {
    	items []string
    }

    // Add puts one in.
    func (s *Store) Add(item string) {
    	s.items = append(s.items, item)
    }
''')


def test_go_methods_and_struct_types():
    head = GO.replace("items []string\n", "items []string\n\tcount int\n").replace(
        "append(s.items, item)", "append(s.items, item+\"!\")")
    items = enclosing({"store.go": GO}, {"store.go": head})
    assert [(i.symbol, numbers(i)) for i in items] == [("Store", [3, 4, 5, 6, 7]), ("Store.Add", [9, 10, 11, 12])]
    assert items[1].lines[0].text == "// Add puts one in."


def test_a_syntax_error_around_the_change_falls_back_to_a_line_window():
    filler = "".join(f"v{n} = {n}\n" for n in range(40))
    base = "def ok():\n    return 1\n\n\n" + filler + "\n\ndef f(a):\n    return a\n"
    head = base.replace("def f(a):", "def f(a:")
    [item] = enclosing({"a.py": base}, {"a.py": head})
    changed = line_of(head, "def f(a:")
    assert item.symbol == "<lines>"
    assert numbers(item) == list(range(changed - 20, len(head.splitlines()) + 1))


def test_a_syntax_error_elsewhere_in_the_file_does_not_matter():
    base = "def ok():\n    return 1\n\n\ndef broken(:\n    pass\n"
    items = enclosing({"a.py": base}, {"a.py": base.replace("return 1", "return 2")})
    assert [(i.symbol, numbers(i)) for i in items] == [("ok", [1, 2])]


def test_other_languages_get_a_window_of_lines():
    base = "".join(f"row {n}\n" for n in range(1, 101))
    head = base.replace("row 30\n", "row thirty\n").replace("row 45\n", "row forty-five\n")
    [item] = enclosing({"data.txt": base}, {"data.txt": head})
    assert item.symbol == "<lines>" and numbers(item) == list(range(10, 66))
    assert "row thirty" in item_text(item)
