"""Which repository definition a name means: same file, enclosing class, imports, re-exports, Go packages."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.context.modules import Modules
from reviewer.context.outline import Definition, Outline
from reviewer.context.references import Reference
from reviewer.context.repository import Repository
from reviewer.context.syntax.base import Chain, Import

__all__ = ["Found", "ModuleTarget", "Resolver"]

_MAX_HOPS = 32
"""Re-export hops followed for one name (cycles are cut earlier)."""
_MAX_BASES = 4
"""Superclass levels searched for an inherited method."""
_GO_BUILTINS = frozenset({
    "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max",
    "min", "new", "panic", "print", "println", "real", "recover", "any", "bool", "byte", "comparable",
    "complex64", "complex128", "error", "float32", "float64", "int", "int8", "int16", "int32",
    "int64", "rune", "string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "nil",
    "true", "false", "iota",
})


@dataclass(frozen=True)
class Found:
    """A definition and the file it is in."""

    path: str
    definition: Definition


@dataclass(frozen=True)
class ModuleTarget:
    """A module a name stands for: a file, or (``package``) a Go package folder."""

    path: str
    package: bool = False


Target = Found | ModuleTarget


class Resolver:
    """Follows names to repository definitions; anything that does not resolve to a repo file is left alone."""

    def __init__(self, repo: Repository, modules: Modules) -> None:
        self.repo = repo
        self.modules = modules

    def resolve(self, outline: Outline, ref: Reference) -> Found | None:
        """The definition ``ref`` (used in ``outline``) means, or None."""
        head, rest = ref.chain[0], ref.chain[1:]
        owner = self._owner(outline, head, ref.line) if rest else None
        if owner is not None:
            return self.member(outline.path, owner, rest[0])
        start = self._local(outline, ref)
        if start is None:
            return None
        target: Target | None
        target, rest = start
        for name in rest:
            if isinstance(target, Found):
                if target.definition.kind not in ("class", "type"):
                    return target
                return self.member(target.path, target.definition.qualified, name) or target
            target = self.name_in(target, name) if target is not None else None
        return target if isinstance(target, Found) else None

    def module_path(self, outline: Outline, imp: Import) -> str | None:
        """The file (a Go package: the folder) an import's module names, or None outside the repo."""
        if outline.family == "python":
            return self.modules.python(outline.path, imp.module)
        if outline.family == "js":
            return self.modules.js(outline.path, imp.module)
        return self.modules.go(outline.path, imp.module)

    def name_in(self, module: ModuleTarget, name: str) -> Target | None:
        """What ``name`` is in ``module``: a definition (re-exports followed) or a sub-module."""
        if module.package:
            return self._in_package(module.path, name)
        for path, local in self.locations(module.path, name):
            outline = self.repo.outline(path)
            if outline is None:
                continue
            definition = outline.top.get(local)
            if definition is not None:
                return Found(path, definition)
            bound = self._module_binding(outline, local)
            if bound is not None:
                return bound
        return None

    def locations(self, path: str, name: str) -> Iterator[tuple[str, str]]:
        """``(path, name)`` and every place it is re-exported from, nearest first."""
        return self._locations(path, name, set())

    def member(self, path: str, owner: str, name: str, depth: int = 0) -> Found | None:
        """Method or attribute ``name`` of the class or type ``owner`` defined in ``path`` (bases searched)."""
        outline = self.repo.outline(path)
        if outline is None:
            return None
        found = outline.by_qualified.get(f"{owner}.{name}")
        if found is not None:
            return Found(path, found)
        if outline.family == "go":  # methods may be in any file of the package
            return self._in_package(posixpath.dirname(path), name, qualified=f"{owner}.{name}", exclude=path)
        definition = outline.by_qualified.get(owner)
        if definition is None or depth >= _MAX_BASES:
            return None
        for chain in definition.bases:
            base = self.resolve(outline, Reference(chain, definition.start, False))
            if base is not None and base.definition.kind == "class":
                inherited = self.member(base.path, base.definition.qualified, name, depth + 1)
                if inherited is not None:
                    return inherited
        return None

    # --- names in one file -------------------------------------------------------------

    def _owner(self, outline: Outline, head: str, line: int) -> str | None:
        """The class ``self``/``this`` (or a Go receiver) stands for at ``line``."""
        for definition in outline.containers(line):
            if head in outline.syntax.self_names and definition.kind == "class":
                return definition.qualified
            if definition.receiver == head and definition.owner:
                return definition.owner
        return None

    def _local(self, outline: Outline, ref: Reference) -> tuple[Target, Chain] | None:
        """What the first name of ``ref`` is bound to in ``outline``, with the rest of the chain."""
        head, rest = ref.chain[0], ref.chain[1:]
        definition = outline.visible(head, ref.line)
        if definition is not None:
            return Found(outline.path, definition), rest
        imports = outline.imports_of(head)
        if imports:
            return self._imported(outline, imports, ref.chain)
        for star in outline.imports_of("*"):
            module = self._module_of(outline, star)
            found = self.name_in(module, head) if module is not None else None
            if found is not None:
                return found, rest
        if outline.family == "go" and head not in _GO_BUILTINS and (ref.call or head[:1].isupper()):
            found = self._in_package(posixpath.dirname(outline.path), head, exclude=outline.path)
            return (found, rest) if found is not None else None
        return None

    def _imported(self, outline: Outline, imports: list[Import], chain: Chain) -> tuple[Target, Chain] | None:
        """Follow the import that binds ``chain[0]`` (Python's last binding wins)."""
        for imp in sorted((i for i in imports if i.dotted), key=lambda i: -len(i.module)):
            parts = tuple(imp.module.split("."))  # `import a.b.c` binds `a`; `a.b.c.f` is f in a.b.c
            if chain[: len(parts)] == parts:
                path = self.modules.python(outline.path, imp.module)
                return (ModuleTarget(path), chain[len(parts):]) if path is not None else None
        imp = imports[-1]
        module = self._module_of(outline, imp)
        if module is None:
            return None
        if imp.name is None:
            return module, chain[1:]
        found = self.name_in(module, imp.name)
        return (found, chain[1:]) if found is not None else None

    def _module_of(self, outline: Outline, imp: Import) -> ModuleTarget | None:
        if imp.dotted:  # `import a.b` used as plain `a`
            path = self.modules.python(outline.path, imp.module.split(".")[0])
        else:
            path = self.module_path(outline, imp)
        return ModuleTarget(path, package=outline.family == "go") if path is not None else None

    def _module_binding(self, outline: Outline, name: str) -> ModuleTarget | None:
        """The module ``name`` is bound to in ``outline`` (a module import, ``export * as``, a sub-module)."""
        for imp in outline.imports_of(name):
            if imp.name is None:
                return self._module_of(outline, imp)
        for exp in outline.exports_of(name):
            if exp.module is not None and exp.name is None:
                path = self.modules.js(outline.path, exp.module)
                if path is not None:
                    return ModuleTarget(path)
        if outline.family == "python":
            path = self.modules.python_submodule(outline.path, name)
            if path is not None:
                return ModuleTarget(path)
        return None

    def _locations(self, path: str, name: str, seen: set[tuple[str, str]]) -> Iterator[tuple[str, str]]:
        if (path, name) in seen or len(seen) >= _MAX_HOPS:
            return
        seen.add((path, name))
        yield path, name
        outline = self.repo.outline(path)
        if outline is None or name in outline.top:
            return
        for exp in outline.exports_of(name):
            if exp.module is None and exp.name:
                yield from self._locations(path, exp.name, seen)
            elif exp.module is not None and exp.name is not None:
                source = self.modules.js(path, exp.module)
                if source is not None:
                    yield from self._locations(source, exp.name, seen)
        for imp in outline.imports_of(name):
            source = self.module_path(outline, imp) if imp.name is not None else None
            if source is not None and imp.name is not None:
                yield from self._locations(source, imp.name, seen)
        sources = [self.module_path(outline, imp) for imp in outline.imports_of("*")]
        sources += [self.modules.js(path, exp.module) for exp in outline.exports_of("*") if exp.module]
        for source in sources:
            if source is not None:
                yield from self._locations(source, name, seen)

    def _in_package(self, folder: str, name: str, *, qualified: str | None = None,
                    exclude: str | None = None) -> Found | None:
        """``name`` (or a method ``qualified``) defined in any ``.go`` file directly in ``folder``."""
        paths = [p for p in self.repo.search(name)
                 if p.endswith(".go") and p != exclude and posixpath.dirname(p) == folder]
        for path in sorted(paths, key=lambda p: (p.endswith("_test.go"), p)):
            outline = self.repo.outline(path)
            definition = None
            if outline is not None:
                definition = outline.by_qualified.get(qualified) if qualified else outline.top.get(name)
            if definition is not None:
                return Found(path, definition)
        return None
