"""Position tracing across MR versions (an independent take on GitLab's PositionTracer).

A line is traced when it is unchanged: the same kind of diff line (added / removed / context)
whose content did not change between the two versions' heads (new side) and bases (old side).
"""

from __future__ import annotations

from . import difflines
from .gitrepo import GitError, map_line
from .positions import Located, line_type, locate, locate_code
from .versions import DiffContext, FileEntry


def _map(ctx_from: DiffContext, ctx_to: DiffContext, side: str, path_from: str, path_to: str, line: int) -> int | None:
    a = ctx_from.head_sha if side == "new" else ctx_from.base_sha
    b = ctx_to.head_sha if side == "new" else ctx_to.base_sha
    try:
        hunks = ctx_from.repo.line_map(a, b, path_from, path_to)
    except GitError:
        return None
    return map_line(hunks, line)


def trace_line(ctx_from: DiffContext, entry_from: FileEntry, line: difflines.Line,
               ctx_to: DiffContext) -> Located | None:
    """Where an unchanged diff line sits in the newer diff, or None if it is outdated."""
    raw = entry_from.raw
    entry_to = ctx_to.find(raw.old_path, raw.new_path)
    if entry_to is None:
        return None
    old = new = None
    if line.old_line is not None:
        old = _map(ctx_from, ctx_to, "old", raw.old_path, raw.old_path, line.old_line)
        if old is None:
            return None
    if line.new_line is not None:
        new = _map(ctx_from, ctx_to, "new", raw.new_path, raw.new_path, line.new_line)
        if new is None:
            return None
    found = locate(ctx_to, raw.old_path, raw.new_path, old, new)
    if found is None or found.line is None or found.line.kind != line.kind:
        return None
    return found


def trace_position(ctx_from: DiffContext, position: dict, ctx_to: DiffContext) -> tuple[dict, str | None] | None:
    """The position rewritten onto `ctx_to`, with its line code; None when outdated."""
    refs = {"base_sha": ctx_to.base_sha, "start_sha": ctx_to.start_sha, "head_sha": ctx_to.head_sha}
    text = position.get("position_type") == "text"
    here = locate(ctx_from, position.get("old_path"), position.get("new_path"),
                  position.get("old_line"), position.get("new_line"), text=text)
    if here is None:
        return None
    if not text:
        if ctx_to.find(position["old_path"], position["new_path"]) is None:
            return None
        return {**position, **refs}, None
    assert here.line is not None
    there = trace_line(ctx_from, here.entry, here.line, ctx_to)
    if there is None or there.line is None:
        return None
    new_pos = {**position, **refs, "old_line": there.line.old_line, "new_line": there.line.new_line}
    rng = position.get("line_range")
    if isinstance(rng, dict) and isinstance(rng.get("start"), dict):
        start_line = locate_code(ctx_from, here.entry, rng["start"].get("line_code"))
        if start_line is None:
            return None
        start_there = trace_line(ctx_from, here.entry, start_line, ctx_to)
        if start_there is None or start_there.line is None:
            return None
        new_pos["line_range"] = {
            "start": {**rng["start"], "line_code": start_there.code(), "type": line_type(start_there.line)},
            "end": {**(rng.get("end") or {}), "line_code": there.code(), "type": line_type(there.line)},
        }
    return new_pos, there.code()
