"""Where an import points inside the repository: Python modules, JS/TS files, Go package folders."""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from reviewer.context.repository import Repository

__all__ = ["Modules"]

_JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs")
_JS_COMPILED = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}
_GO_MODULE = re.compile(r"^\s*module\s+(\S+)", re.MULTILINE)


class Modules:
    """Resolves module names to repository paths through the repository's reader (cached).

    ``gone`` names files the change deleted or renamed, so imports of them still resolve.
    """

    def __init__(self, repo: Repository, gone: frozenset[str] = frozenset()) -> None:
        self._repo = repo
        self._gone = gone
        self._go_modules: dict[str, tuple[str, str] | None] = {}
        self._python: dict[tuple[str, str], str | None] = {}

    def exists(self, path: str) -> bool:
        """True when ``path`` can be read at head, or is one the change deleted or moved (``gone``)."""
        return path in self._gone or self._repo.head(path) is not None

    def python(self, importer: str, module: str) -> str | None:
        """The file of ``module`` (``.x``, ``..pkg.m``, ``pkg.mod``) as imported by ``importer``."""
        key = (posixpath.dirname(importer), module)
        if key not in self._python:
            self._python[key] = self._find_python(importer, module)
        return self._python[key]

    def _find_python(self, importer: str, module: str) -> str | None:
        level = len(module) - len(module.lstrip("."))
        parts = [p for p in module[level:].split(".") if p]
        if level:
            folder = posixpath.dirname(importer)
            for _ in range(level - 1):
                folder = posixpath.dirname(folder)
            return self._python_file(folder, parts)
        for root in _python_roots(posixpath.dirname(importer)):
            found = self._python_file(root, parts)
            if found is not None:
                return found
        return None

    def python_submodule(self, package: str, name: str) -> str | None:
        """``pkg/name.py`` (or a sub-package) when ``package`` is ``pkg/__init__.py``."""
        if posixpath.basename(package) != "__init__.py":
            return None
        return self._python_file(posixpath.dirname(package), [name])

    def _python_file(self, folder: str, parts: list[str]) -> str | None:
        stem = posixpath.join(folder, *parts) if parts else folder
        candidates = [f"{stem}.py", posixpath.join(stem, "__init__.py")] if parts else [
            posixpath.join(stem, "__init__.py")]
        return next((c for c in candidates if self.exists(c)), None)

    def js(self, importer: str, specifier: str) -> str | None:
        """The file a relative ``./x`` / ``../x`` specifier names (extensions and ``index.*`` tried)."""
        if not (specifier.startswith("./") or specifier.startswith("../") or specifier in (".", "..")):
            return None  # a package: third-party
        stem = posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
        if stem.startswith("../"):
            return None
        return next((c for c in _js_candidates(stem) if self.exists(c)), None)

    def go(self, importer: str, import_path: str) -> str | None:
        """The folder of a Go package inside the repository's module (from ``go.mod``), or None."""
        found = self._go_module(posixpath.dirname(importer))
        if found is None:
            return None
        folder, module = found
        if import_path == module:
            return folder
        if not import_path.startswith(module + "/"):
            return None
        return posixpath.join(folder, import_path[len(module) + 1:]) if folder else import_path[len(module) + 1:]

    def _go_module(self, folder: str) -> tuple[str, str] | None:
        """The nearest ``go.mod`` at or above ``folder``: (its folder, its module path)."""
        if folder in self._go_modules:
            return self._go_modules[folder]
        source = self._repo.head(posixpath.join(folder, "go.mod"))
        match = _GO_MODULE.search(source) if source is not None else None
        if match is not None:
            found: tuple[str, str] | None = (folder, match[1])
        else:
            found = self._go_module(posixpath.dirname(folder)) if folder else None
        self._go_modules[folder] = found
        return found


@lru_cache(maxsize=4096)
def _python_roots(folder: str) -> tuple[str, ...]:
    """Where an absolute import may start: the importer's folders nearest first, the root, ``src``."""
    roots = []
    while folder:
        roots.append(folder)
        folder = posixpath.dirname(folder)
    return (*roots, "", "src")


def _js_candidates(stem: str) -> list[str]:
    suffix = posixpath.splitext(stem)[1]
    candidates = [stem] if suffix in _JS_SUFFIXES else []
    candidates += [stem[: -len(suffix)] + other for other in _JS_COMPILED.get(suffix, ())]
    candidates += [stem + s for s in _JS_SUFFIXES]
    candidates += [posixpath.join(stem, "index" + s) for s in _JS_SUFFIXES]
    return candidates
