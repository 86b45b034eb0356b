"""Who depends on the change: call sites and importers of changed or removed definitions."""

from __future__ import annotations

import textwrap

from reviewer.context import code_context
from tests.context.helpers import change, context, item_text, numbers, of_kind


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


API = src('''
    def fetch(url, retries=3):
        """Get ``url``."""
        return url


    def unrelated():
        return 0
''')


def caller(n: int) -> str:
    return src(f'''
        from pkg.api import fetch


        def job_{n}():
            data = fetch("/item/{n}")
            return data
    ''')


def repo_with_callers(count: int) -> dict[str, str]:
    files = {"pkg/__init__.py": "", "pkg/api.py": API}
    files.update({f"jobs/job_{n}.py": caller(n) for n in range(count)})
    files["docs/notes.py"] = '# fetch(url) is the old API\nTEXT = "call fetch() here"\n'
    files["other/own.py"] = "def fetch():\n    return 1\n\n\nfetch()\n"
    return files


def test_a_signature_change_lists_real_calls_in_other_files():
    base = repo_with_callers(7)
    head = {**base, "pkg/api.py": API.replace("def fetch(url, retries=3):", "def fetch(url, retries=3, timeout=10):")}
    items, _ = context(base, head)
    [enclosing] = of_kind(items, "enclosing")
    assert enclosing.note == "signature changed: parameter `timeout` added"
    sites = of_kind(items, "call_site")
    assert len(sites) == 5
    assert all(site.path.startswith("jobs/") for site in sites)
    for site in sites:
        call = [line for line in site.lines if "fetch(" in line.text and "import" not in line.text]
        assert call and call[0].number == 5
        assert numbers(site) == [3, 4, 5, 6]
        assert site.note == "calls `fetch(` (signature changed: parameter `timeout` added)"
        assert site.symbol.startswith("job_")


def test_call_sites_sets_how_many_are_listed():
    base = repo_with_callers(7)
    head = {**base, "pkg/api.py": API.replace("retries=3", "retries=5")}
    files, reader = change(base, head)
    assert len(of_kind(code_context(files, reader, call_sites=10), "call_site")) == 7
    assert len(of_kind(code_context(files, reader, call_sites=2), "call_site")) == 2


def test_call_sites_come_from_different_files_first():
    base = {
        "api.py": "def ping(a):\n    return a\n",
        "many.py": "from api import ping\n" + "".join(f"\n\n\n\n\nping({n})\n" for n in range(6)),
        "one.py": "from api import ping\nping(9)\n",
    }
    head = {**base, "api.py": "def ping(a, b):\n    return a\n"}
    files, reader = change(base, head)
    sites = of_kind(code_context(files, reader, call_sites=2), "call_site")
    assert [site.path for site in sites] == ["many.py", "one.py"]


def test_a_removed_function_lists_its_importers_and_uses():
    base = {
        "lib/tools.py": "def util(a):\n    return a\n\n\ndef keep():\n    return 1\n",
        "b.py": "from lib.tools import util\n\n\n\n\n\nprint(util(1))\n",
        "c.py": "import lib.tools\n\nx = lib.tools.util(2)\n",
        "d.py": "def util():\n    return 3\n\n\nutil()\n",
    }
    head = {**base, "lib/tools.py": "def keep():\n    return 1\n"}
    items, _ = context(base, head)
    sites = of_kind(items, "call_site")
    assert [(s.path, s.note) for s in sites] == [
        ("b.py", "imports `util` (removed)"), ("b.py", "calls `util(` (removed)"),
        ("c.py", "calls `util(` (removed)")]
    assert numbers(sites[0]) == [1, 2, 3]


def test_a_deleted_module_lists_its_importers():
    base = {"old.py": "LIMIT = 3\n", "use.py": "from old import LIMIT\n\nprint(LIMIT)\n"}
    head = {"use.py": base["use.py"]}
    items, _ = context(base, head)
    [site] = of_kind(items, "call_site")
    assert site.path == "use.py" and numbers(site) == [1, 2, 3]
    assert site.note == "imports `LIMIT` (removed); uses `LIMIT` (removed)"


def test_a_renamed_function_says_so():
    base = {"api.py": "def load(a):\n    return a\n", "use.py": "from api import load\n"}
    head = {**base, "api.py": "def read(a):\n    return a\n"}
    items, _ = context(base, head)
    assert [s.note for s in of_kind(items, "call_site")] == ["imports `load` (renamed to `read`)"]


def test_an_init_change_lists_calls_of_the_class_through_reexports():
    base = {
        "pkg/__init__.py": "from ._client import Client\n",
        "pkg/_client.py": src('''
            class Client:
                def __init__(self, root):
                    self.root = root

                def fetch(self, path):
                    return path
        '''),
        "app.py": "from pkg import Client\n\n\n\n\nc = Client('r')\nc.fetch('x')\n",
        "tool.py": "from pkg._client import Client as C\n\n\n\n\nC('r')\n",
    }
    head = {**base, "pkg/_client.py": base["pkg/_client.py"].replace("(self, root)", "(self, root, timeout)")}
    items, _ = context(base, head)
    sites = of_kind(items, "call_site")
    assert [(s.path, s.note) for s in sites] == [
        ("app.py", "calls `Client(` (`__init__` signature changed: parameter `timeout` added)"),
        ("tool.py", "calls `Client(` (`__init__` signature changed: parameter `timeout` added)"),
    ]
    assert "Client('r')" in item_text(sites[0]) and "C('r')" in item_text(sites[1])


def test_a_javascript_constructor_change_lists_new_calls():
    base = {
        "src/cart.ts": "export class Cart {\n  constructor(owner: string) {}\n}\n",
        "src/app.ts": "import { Cart } from './cart';\n\nconst cart = new Cart('me');\n",
    }
    head = {**base, "src/cart.ts": base["src/cart.ts"].replace("owner: string", "owner: string, size = 1")}
    items, _ = context(base, head)
    [site] = of_kind(items, "call_site")
    assert site.note == "calls `new Cart(` (`constructor` signature changed: parameter `size` added)"


def test_a_method_signature_change_lists_dot_calls():
    base = {
        "svc.py": "class Svc:\n    def run(self, job):\n        return job\n",
        "use.py": "def go(svc):\n    # svc.run(job) is documented elsewhere\n    return svc.run(1)\n",
    }
    head = {**base, "svc.py": base["svc.py"].replace("(self, job)", "(self, job, now=False)")}
    items, _ = context(base, head)
    [site] = of_kind(items, "call_site")
    assert (site.path, site.symbol, site.note) == (
        "use.py", "go", "calls `.run(` (signature changed: parameter `now` added)")


def test_a_go_method_signature_change_lists_calls_in_other_packages():
    base = {
        "go.mod": "module example.com/shop\n",
        "store/store.go": "package store\n\ntype Store struct{}\n\nfunc (s *Store) Add(item string) {}\n",
        "cmd/main.go": 'package main\n\nimport "example.com/shop/store"\n\nfunc main() {\n\ts := &store.Store{}\n'
                       '\ts.Add("x")\n}\n',
    }
    head = {**base, "store/store.go": base["store/store.go"].replace("(item string)", "(item string, n int)")}
    items, _ = context(base, head)
    [site] = of_kind(items, "call_site")
    assert (site.path, site.symbol) == ("cmd/main.go", "main")
    assert site.note == "calls `.Add(` (signature changed: parameter `n` added)"
    assert numbers(site) == [5, 6, 7, 8]


def test_a_body_change_does_not_read_the_base():
    base = repo_with_callers(2)
    head = {**base, "pkg/api.py": API.replace("return url", "return url.strip()")}
    items, reader = context(base, head)
    assert of_kind(items, "call_site") == []
    assert not any(side == "base" for side, _ in reader.asked)


def test_call_sites_already_shown_in_the_change_are_not_repeated():
    base = {"api.py": "def ping(a):\n    return a\n",
            "use.py": "from api import ping\n\n\ndef f():\n    return ping(1)\n"}
    head = {"api.py": "def ping(a, b):\n    return a\n",
            "use.py": "from api import ping\n\n\ndef f():\n    return ping(1, 2)\n"}
    items, _ = context(base, head)
    assert [(i.kind, i.path) for i in items] == [("enclosing", "api.py"), ("enclosing", "use.py")]


def test_an_unrelated_new_definition_is_not_taken_for_a_rename():
    base = {"conf.py": "RETRIES = 3\n", "use.py": "from conf import RETRIES\n"}
    head = {**base, "conf.py": "TIMEOUT = 10\n"}
    items, _ = context(base, head)
    assert [s.note for s in of_kind(items, "call_site")] == ["imports `RETRIES` (removed)"]


def test_no_call_sites_when_none_are_asked_for():
    base = repo_with_callers(3)
    head = {**base, "pkg/api.py": API.replace("retries=3", "retries=4")}
    files, reader = change(base, head)
    items = code_context(files, reader, call_sites=0)
    assert of_kind(items, "call_site") == [] and of_kind(items, "enclosing")


def test_a_removed_export_lists_importers_through_star_reexports():
    base = {
        "src/lib/index.ts": "export * from './format';\n",
        "src/lib/format.ts": "export function money(n: number) {\n  return `$${n}`;\n}\n\nexport const pad = 1;\n",
        "src/app.ts": "import { money } from './lib';\n\nexport const label = money(3);\n",
        "src/other.ts": "const money = (n: number) => n;\nmoney(1);\n",
    }
    head = {**base, "src/lib/format.ts": "export const pad = 1;\n"}
    items, _ = context(base, head)
    sites = of_kind(items, "call_site")
    assert [(s.path, s.note) for s in sites] == [
        ("src/app.ts", "imports `money` (removed); calls `money(` (removed)")]
