"""Each external service stays behind one module: python-gitlab in ``reviewer/gitlab_mr/``,
litellm in ``reviewer/llm.py``. Every module under ``reviewer/`` is read as an AST, so a lazy
import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import reviewer

PACKAGE = Path(reviewer.__file__).parent
ROOT = PACKAGE.parent
ALLOWED = {
    "gitlab": lambda rel: rel.startswith("reviewer/gitlab_mr/"),
    "litellm": lambda rel: rel == "reviewer/llm.py",
}


def imported_roots(source: str) -> set[str]:
    """The top-level package names ``source`` imports (absolute imports only)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def violations(files: dict[str, str]) -> list[str]:
    """``path: package`` for each forbidden import in ``files`` (repo-relative path → source)."""
    return [
        f"{rel}: {package}"
        for rel, source in sorted(files.items())
        for package in sorted(imported_roots(source) & ALLOWED.keys())
        if not ALLOWED[package](rel)
    ]


def _package_sources() -> dict[str, str]:
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}


def test_external_services_are_imported_only_by_their_module():
    sources = _package_sources()
    assert "reviewer/llm.py" in sources and "reviewer/gitlab_mr/client.py" in sources
    assert violations(sources) == []


def test_the_allowed_modules_do_import_their_service():
    roots = {rel: imported_roots(src) for rel, src in _package_sources().items()}
    assert "litellm" in roots["reviewer/llm.py"]
    assert any("gitlab" in r for rel, r in roots.items() if rel.startswith("reviewer/gitlab_mr/"))


def test_a_forbidden_import_anywhere_in_a_module_is_reported():
    files = {
        "reviewer/judge.py": "def f():\n    import litellm.utils\n",
        "reviewer/review.py": "from gitlab.exceptions import GitlabError\n",
        "reviewer/gitlab_mr/source.py": "import gitlab\n",
        "reviewer/llm.py": "from litellm import acompletion\n",
        "reviewer/planning.py": "from . import llm\nfrom reviewer.gitlab_mr import connect\n",
    }
    assert violations(files) == ["reviewer/judge.py: litellm", "reviewer/review.py: gitlab"]
