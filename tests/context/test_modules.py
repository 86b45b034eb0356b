"""Module resolution: Python packages, JS/TS specifiers, Go packages through go.mod."""

from __future__ import annotations

from reviewer.context.modules import Modules
from reviewer.context.repository import Repository
from tests.context.helpers import MemoryReader


def modules(files: dict[str, str], gone: frozenset[str] = frozenset()) -> Modules:
    return Modules(Repository(MemoryReader(files), lambda path: True), gone)


def test_python_relative_imports_climb_one_folder_per_extra_dot():
    found = modules({"pkg/__init__.py": "", "pkg/a/x.py": "", "pkg/b.py": "", "pkg/a/__init__.py": ""})
    assert found.python("pkg/a/m.py", ".x") == "pkg/a/x.py"
    assert found.python("pkg/a/m.py", "..b") == "pkg/b.py"
    assert found.python("pkg/a/m.py", ".") == "pkg/a/__init__.py"
    assert found.python("pkg/a/__init__.py", ".x") == "pkg/a/x.py"
    assert found.python("pkg/a/m.py", ".missing") is None


def test_python_absolute_imports_from_the_root_src_or_the_importer_folders():
    found = modules({"pkg/__init__.py": "", "pkg/mod.py": "", "src/lib/core.py": "", "tools/helpers.py": ""})
    assert found.python("tests/test_a.py", "pkg.mod") == "pkg/mod.py"
    assert found.python("tests/test_a.py", "pkg") == "pkg/__init__.py"
    assert found.python("app.py", "lib.core") == "src/lib/core.py"
    assert found.python("tools/run.py", "helpers") == "tools/helpers.py"
    assert found.python("app.py", "os.path") is None
    assert found.python_submodule("pkg/__init__.py", "mod") == "pkg/mod.py"
    assert found.python_submodule("pkg/mod.py", "x") is None


def test_js_specifiers_try_extensions_index_files_and_compiled_names():
    found = modules({"src/a.ts": "", "src/lib/index.tsx": "", "src/b.js": "", "src/c.ts": ""})
    assert found.js("src/app.ts", "./a") == "src/a.ts"
    assert found.js("src/app.ts", "./lib") == "src/lib/index.tsx"
    assert found.js("src/lib/x.ts", "../b.js") == "src/b.js"
    assert found.js("src/app.ts", "./c.js") == "src/c.ts"  # ESM TypeScript names the compiled file
    assert found.js("src/app.ts", "react") is None
    assert found.js("src/app.ts", "../../outside") is None


def test_go_packages_resolve_through_the_nearest_go_mod():
    found = modules({
        "go.mod": "module example.com/shop\n\ngo 1.22\n",
        "tools/go.mod": "// tools\nmodule example.com/tools\n",
        "internal/util/join.go": "package util\n",
    })
    assert found.go("cmd/main.go", "example.com/shop/internal/util") == "internal/util"
    assert found.go("cmd/main.go", "example.com/shop") == ""
    assert found.go("cmd/main.go", "github.com/x/y") is None
    assert found.go("tools/gen/main.go", "example.com/tools/lint") == "tools/lint"
    assert found.go("tools/gen/main.go", "example.com/shop/internal/util") is None


def test_deleted_files_still_resolve_when_named_as_gone():
    found = modules({}, gone=frozenset({"pkg/old.py"}))
    assert found.python("pkg/user.py", ".old") == "pkg/old.py"
