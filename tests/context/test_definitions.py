"""What the change uses: definitions the added lines' names resolve to, across files."""

from __future__ import annotations

import textwrap

from tests.context.helpers import context, item_text, numbers, of_kind


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def definitions(base: dict[str, str], head: dict[str, str]) -> dict[tuple[str, str], object]:
    items, _ = context(base, head)
    return {(item.path, item.symbol): item for item in of_kind(items, "definition")}


CLIENT = src('''
    """The HTTP client."""

    import os

    import requests

    from ._base import Base

    TIMEOUT = 5


    def _join(*parts):
        """Join URL parts."""
        return "/".join(parts)


    class Client(Base):
        """Talks to the API."""

        def __init__(self, root):
            self.root = root

        def fetch(self, path):
            return path
''')
BASE_CLASS = src('''
    class Base:
        def close(self):
            """Close the session."""
            return None
''')
REPO = {
    "pkg/__init__.py": "from ._client import Client\nfrom . import tools\n",
    "pkg/_client.py": CLIENT,
    "pkg/_base.py": BASE_CLASS,
    "pkg/tools.py": "def slug(text):\n    return text.lower()\n",
    "pkg/deep/__init__.py": "",
    "pkg/deep/util.py": "def helper():\n    return 1\n",
}


def test_same_file_functions_constants_and_methods_through_self():
    head = dict(REPO)
    head["pkg/_client.py"] = CLIENT.replace(
        "        return path\n",
        "        url = _join(self.root, path)\n        self.close()\n        return self.fetch(url) or TIMEOUT\n")
    found = definitions(REPO, head)
    assert set(found) == {
        ("pkg/_client.py", "_join"), ("pkg/_base.py", "Base.close"), ("pkg/_client.py", "TIMEOUT")}
    assert numbers(found[("pkg/_client.py", "_join")]) == [12, 13, 14]
    assert found[("pkg/_client.py", "_join")].note == "called by the change"
    assert found[("pkg/_client.py", "TIMEOUT")].note == "used by the change"
    assert "Close the session." in item_text(found[("pkg/_base.py", "Base.close")])


def test_standard_library_and_third_party_names_are_not_expanded():
    head = dict(REPO)
    head["pkg/_client.py"] = CLIENT.replace(
        "        return path\n", "        os.path.join(path)\n        requests.get(path)\n        return len(path)\n")
    items, _ = context(REPO, head)
    assert [item.kind for item in items] == ["enclosing"]


def test_a_test_file_reaches_a_class_through_the_package_reexport():
    base = {**REPO, "tests/test_client.py": "from pkg import Client\n\n\ndef test_it():\n    pass\n"}
    head = dict(base)
    head["tests/test_client.py"] = base["tests/test_client.py"].replace("    pass\n", "    Client('r').fetch('x')\n")
    found = definitions(base, head)
    assert list(found) == [("pkg/_client.py", "Client")]
    assert found[("pkg/_client.py", "Client")].note == "called by the change"


def test_module_imports_relative_absolute_and_dotted():
    base = {**REPO, "pkg/deep/user.py": src('''
        import pkg.deep.util
        from pkg import tools
        from .util import helper as h


        def use():
            return None
    ''')}
    head = dict(base)
    head["pkg/deep/user.py"] = base["pkg/deep/user.py"].replace(
        "    return None\n", "    return pkg.deep.util.helper(), tools.slug('A'), h()\n")
    assert set(definitions(base, head)) == {("pkg/deep/util.py", "helper"), ("pkg/tools.py", "slug")}


def test_a_long_definition_shows_its_signature_and_docstring_only():
    body = "".join(f"    step{n} = {n}\n" for n in range(40))
    base = {
        "lib.py": 'def heavy(a,\n          b):\n    """Does a lot.\n\n    Really.\n    """\n' + body + "    return a\n",
        "app.py": "from lib import heavy\n\nx = 1\n",
    }
    head = {**base, "app.py": "from lib import heavy\n\nx = heavy(1, 2)\n"}
    item = definitions(base, head)[("lib.py", "heavy")]
    assert numbers(item) == [1, 2, 3, 4, 5, 6, None]
    assert item.lines[-1].text == "… 41 lines omitted …"


def test_a_long_class_shows_its_header_docstring_and_constructor_signature():
    methods = "".join(f"    def m{n}(self):\n        return {n}\n\n" for n in range(20))
    base = {
        "shop.py": 'class Cart:\n    """A cart."""\n\n    def __init__(self, owner,\n                 items=()):\n'
                   '        self.owner = owner\n\n' + methods,
        "app.py": "from shop import Cart\n\ncart = None\n",
    }
    head = {**base, "app.py": "from shop import Cart\n\ncart = Cart('me')\n"}
    item = definitions(base, head)[("shop.py", "Cart")]
    assert [n for n in numbers(item) if n is not None] == [1, 2, 4, 5]


def test_a_definition_already_shown_as_enclosing_is_not_repeated():
    base = "def fact(n):\n    return 1\n\n\ndef g():\n    return 0\n"
    head = base.replace("    return 1\n", "    return n * fact(n - 1) if n else 1\n")
    items, _ = context({"m.py": base}, {"m.py": head})
    assert [(i.kind, i.symbol) for i in items] == [("enclosing", "fact")]


JS_REPO = {
    "src/lib/index.ts": "export { fetchJson as getJson } from './http';\nexport * from './format';\n"
                        "export { default as Client } from './client';\n",
    "src/lib/http.ts": "/** Fetches JSON. */\nexport async function fetchJson(url: string): Promise<unknown> {\n"
                       "  return (await fetch(url)).json();\n}\n",
    "src/lib/format.ts": "export const money = (n: number) => `$${n}`;\n",
    "src/lib/client.ts": "export default class Client {\n  constructor(private base: string) {}\n\n"
                         "  get(path: string) {\n    return this.base + this.clean(path);\n  }\n\n"
                         "  clean(path: string) {\n    return path.trim();\n  }\n}\n",
    "src/app.tsx": "import { getJson, money, Client } from './lib';\nimport React from 'react';\n\n"
                   "export const App = () => {\n  return <div />;\n};\n",
}


def test_javascript_reexports_named_star_and_default():
    head = dict(JS_REPO)
    head["src/app.tsx"] = JS_REPO["src/app.tsx"].replace(
        "  return <div />;",
        "  getJson('/a');\n  React.useState(money(1));\n  return <div>{new Client('x').get('/')}</div>;")
    found = definitions(JS_REPO, head)
    assert list(found) == [("src/lib/http.ts", "fetchJson"), ("src/lib/format.ts", "money"),
                           ("src/lib/client.ts", "Client")]
    assert item_text(found[("src/lib/http.ts", "fetchJson")]).startswith("/** Fetches JSON. */")


def test_javascript_this_methods():
    head = dict(JS_REPO)
    head["src/lib/client.ts"] = JS_REPO["src/lib/client.ts"].replace(
        "return path.trim();", "return this.get(path).trim();")
    found = definitions(JS_REPO, head)
    assert list(found) == [("src/lib/client.ts", "Client.get")]


GO_REPO = {
    "go.mod": "module example.com/shop\n\ngo 1.22\n",
    "internal/store/store.go": src('''
        package store

        // MaxItems caps a cart.
        const MaxItems = 10

        // Store keeps items.
        type Store struct {
        	items []string
        }

        func (s *Store) Add(item string) {
        	s.items = append(s.items, item)
        }
    '''),
    "internal/store/clean.go": "package store\n\nfunc normalise(item string) string {\n\treturn item\n}\n\n"
                               "func (s *Store) log(msg string) {\n\tprintln(msg)\n}\n",
    "cmd/shop/main.go": src('''
        package main

        import (
        	"fmt"

        	"example.com/shop/internal/store"
        )

        func main() {
        	fmt.Println("hi")
        }
    '''),
}


def test_go_package_imports_same_package_files_and_receiver_methods():
    head = dict(GO_REPO)
    head["internal/store/store.go"] = GO_REPO["internal/store/store.go"].replace(
        "\ts.items = append(s.items, item)\n",
        "\titem = normalise(item)\n\ts.log(item)\n\ts.items = append(s.items, item)\n")
    head["cmd/shop/main.go"] = GO_REPO["cmd/shop/main.go"].replace(
        '\tfmt.Println("hi")\n', '\ts := &store.Store{}\n\tfmt.Println(store.MaxItems, s)\n')
    found = definitions(GO_REPO, head)
    assert list(found) == [("internal/store/store.go", "Store"), ("internal/store/store.go", "MaxItems"),
                           ("internal/store/clean.go", "normalise"), ("internal/store/clean.go", "Store.log")]
    assert numbers(found[("internal/store/store.go", "MaxItems")]) == [3, 4]


def test_commonjs_requires_resolve_to_the_required_file():
    base = {
        "lib/paths.js": "function join(a, b) {\n  return a + '/' + b;\n}\nmodule.exports = { join };\n",
        "app.js": "const { join: glue } = require('./lib/paths');\nconst fs = require('fs');\n\nlet x = 1;\n",
    }
    head = {**base, "app.js": base["app.js"].replace("let x = 1;", "let x = glue('a', fs.readFileSync('b'));")}
    assert list(definitions(base, head)) == [("lib/paths.js", "join")]
