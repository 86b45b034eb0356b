"""Mark (never drop) the files agents must not review, with a short human reason.

Reasons, in the order they are checked: an earlier reason is kept (the GitLab source marks
collapsed/too-large files), ``ignored by config: <glob>``, ``binary file``, ``submodule``, ``lock file``,
``vendored``, ``generated file``, then files without hunks (``mode change only``,
``renamed without changes``, ``empty file``, ``no changes``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from posixpath import basename

from reviewer.globs import any_match
from reviewer.models import FileDiff

__all__ = ["LOCK_FILES", "mark_not_for_review", "skip_reason"]

LOCK_FILES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock",
    "deno.lock", "poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "Cargo.lock", "go.sum",
    "go.work.sum", "Gemfile.lock", "composer.lock", "mix.lock", "pubspec.lock", "Podfile.lock",
    "Package.resolved", "packages.lock.json", "flake.lock", "gradle.lockfile", ".terraform.lock.hcl",
    "conan.lock", "Chart.lock", "cabal.project.freeze", "shard.lock",
})
_GENERATED_GLOBS = (
    "*.min.js", "*.min.mjs", "*.min.css", "*.map", "*_pb2.py", "*_pb2.pyi", "*_pb2_grpc.py",
    "*.pb.go", "*.pb.gw.go", "*.pb.cc", "*.pb.h", "*.g.dart", "*.freezed.dart", "*.designer.cs",
)
_VENDOR_DIRS = frozenset({"vendor", "third_party", "third-party", "node_modules", "bower_components"})
_GENERATED_MARKER = re.compile(
    r"^\s*(?:#|//|/\*|\*|--|<!--|;|%|'|rem\b|\"\"\"|''')(?:.*\W)?(?:@generated\b|DO NOT EDIT\b)",
    re.IGNORECASE,
)
_MARKER_MAX_LINE = 25
_SUBMODULE_MODE = "160000"


def mark_not_for_review(files: Iterable[FileDiff], ignore_globs: Sequence[str] = ()) -> list[FileDiff]:
    """Copies of ``files`` (same order, none dropped) with ``skip_reason`` set where due."""
    marked: list[FileDiff] = []
    for file in files:
        reason = skip_reason(file, ignore_globs)
        marked.append(file if reason == file.skip_reason else file.model_copy(update={"skip_reason": reason}))
    return marked


def skip_reason(file: FileDiff, ignore_globs: Sequence[str] = ()) -> str | None:
    """Why agents must not review ``file``, or None when they may."""
    if file.skip_reason:
        return file.skip_reason
    paths = {file.new_path, file.old_path} - {""}
    for glob in ignore_globs:
        if any(any_match(path, (glob,)) for path in paths):
            return f"ignored by config: {glob}"
    if file.binary:
        return "binary file"
    if _SUBMODULE_MODE in (file.a_mode, file.b_mode):
        return "submodule"
    path = file.path
    name = basename(path)
    if name in LOCK_FILES:
        return "lock file"
    if any(part in _VENDOR_DIRS for part in path.split("/")[:-1]):
        return "vendored"
    if any_match(name, _GENERATED_GLOBS) or _has_generated_marker(file):
        return "generated file"
    if not file.hunks:
        return _no_hunks_reason(file)
    return None


def _has_generated_marker(file: FileDiff) -> bool:
    """An ``@generated`` or ``DO NOT EDIT`` comment in the new file's first lines (added or
    context lines of the diff: either shows the header the file has now)."""
    for line in file.iter_lines():
        if line.new_line is not None and line.new_line <= _MARKER_MAX_LINE:
            if _GENERATED_MARKER.search(line.content):
                return True
    return False


def _no_hunks_reason(file: FileDiff) -> str:
    """The reason for a file whose diff has no lines."""
    if file.a_mode and file.b_mode and file.a_mode != file.b_mode and not (file.new_file or file.deleted_file):
        return "mode change only"
    if file.renamed_file:
        return "renamed without changes"
    if file.new_file or file.deleted_file:
        return "empty file"
    return "no changes"
