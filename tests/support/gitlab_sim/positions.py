"""Diff-note position validation: gitlab-api.md §2, written from the spec."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import difflines
from .errors import LINE_CODE_ERRORS, ApiError, note_errors, param_error
from .versions import DiffContext, FileEntry

_TOP_KEYS = {
    "base_sha", "start_sha", "head_sha", "position_type", "old_path", "new_path", "old_line",
    "new_line", "line_range", "width", "height", "x", "y", "ignore_whitespace_change",
}
_RANGE_END_KEYS = {"line_code", "type", "old_line", "new_line"}
_REQUIRED = ("base_sha", "start_sha", "head_sha", "position_type")


@dataclass
class Located:
    """A position resolved to one line (or a whole file) of a diff."""

    entry: FileEntry
    line: difflines.Line | None  # None for position_type "file"

    def code(self) -> str | None:
        """The line code of the located line."""
        if self.line is None:
            return None
        path = self.entry.raw.new_path or self.entry.raw.old_path
        return difflines.line_code(path, self.line.old_pos, self.line.new_pos)


def coerce_params(position: Any) -> dict:
    """Apply Grape's declared types: top-level lines Integer, nested lines String."""
    if not isinstance(position, dict):
        raise param_error("position is invalid")
    pos = dict(position)
    for key in _REQUIRED:
        if pos.get(key) in (None, ""):
            raise param_error(f"position[{key}] is missing")
    if pos["position_type"] not in ("text", "image", "file"):
        raise param_error("position[position_type] does not have a valid value")
    for key in ("old_line", "new_line", "width", "height", "x", "y"):
        value = pos.get(key)
        if value is None or value == "":
            if key in pos:
                pos[key] = None
            continue
        if isinstance(value, bool):
            raise param_error(f"position[{key}] is invalid")
        try:
            pos[key] = int(value)
        except (TypeError, ValueError):
            raise param_error(f"position[{key}] is invalid") from None
    rng = pos.get("line_range")
    if isinstance(rng, dict):
        rng = {k: (dict(v) if isinstance(v, dict) else v) for k, v in rng.items()}
        for end in ("start", "end"):
            part = rng.get(end)
            if isinstance(part, dict):
                for k in ("old_line", "new_line"):
                    if part.get(k) is not None:
                        part[k] = str(part[k])  # declared String in lib/api/discussions.rb
        pos["line_range"] = rng
    return pos


def schema_errors(pos: dict) -> bool:
    """True if `position.json` (additionalProperties:false, integer lines) rejects it."""
    if set(pos) - _TOP_KEYS:
        return True
    rng = pos.get("line_range")
    if rng is None:
        return False
    if not isinstance(rng, dict) or set(rng) - {"start", "end"}:
        return True
    for part in rng.values():
        if not isinstance(part, dict) or set(part) - _RANGE_END_KEYS:
            return True
        if any(part.get(k) is not None and not isinstance(part.get(k), int) for k in ("old_line", "new_line")):
            return True
        if part.get("line_code") is not None and not isinstance(part.get("line_code"), str):
            return True
        if part.get("type") not in (None, "new", "old"):
            return True
    return False


def is_complete(pos: dict) -> bool:
    """`Position#complete?`: start+head SHAs, both paths, and a line for text positions."""
    if not pos.get("start_sha") or not pos.get("head_sha"):
        return False
    if not pos.get("old_path") or not pos.get("new_path"):
        return False
    if pos["position_type"] == "text":
        return pos.get("old_line") is not None or pos.get("new_line") is not None
    return True


def locate(ctx: DiffContext | None, old_path: str | None, new_path: str | None,
           old_line: int | None, new_line: int | None, *, text: bool = True) -> Located | None:
    """Find the diff line (exact match, or unfolded context) a position names."""
    if ctx is None:
        return None
    entry = ctx.find(old_path, new_path)
    if entry is None:
        return None
    if not text:
        return Located(entry, None)
    line = difflines.find_exact(entry.parsed, old_line, new_line)
    if line is None and _unfoldable(entry, old_line, new_line):
        assert old_line is not None and new_line is not None
        line = difflines.unfold(entry.parsed, old_line, new_line, ctx.old_line_count(entry))
    return Located(entry, line) if line else None


def _unfoldable(entry: FileEntry, old_line: int | None, new_line: int | None) -> bool:
    raw = entry.raw
    return (
        old_line is not None and new_line is not None and not entry.too_large
        and not raw.new_file and not raw.deleted_file and bool(raw.diff)
    )


def locate_code(ctx: DiffContext, entry: FileEntry, code: str) -> difflines.Line | None:
    """The line a `line_range` line code names in `entry` (diff line or unfolded context)."""
    path = entry.raw.new_path or entry.raw.old_path
    prefix = difflines.line_code(path, 0, 0).rsplit("_", 2)[0]
    parts = code.split("_") if isinstance(code, str) else []
    if len(parts) != 3 or parts[0] != prefix or not (parts[1].isdigit() and parts[2].isdigit()):
        return None
    old_pos, new_pos = int(parts[1]), int(parts[2])
    for line in entry.parsed.lines:
        if line.kind not in ("match", "meta") and (line.old_pos, line.new_pos) == (old_pos, new_pos):
            return line
    if _unfoldable(entry, old_pos, new_pos):
        return difflines.unfold(entry.parsed, old_pos, new_pos, ctx.old_line_count(entry))
    return None


def line_type(line: difflines.Line) -> str:
    """`new` for added lines, `old` otherwise."""
    return "new" if line.kind == "added" else "old"


def validate_range(ctx: DiffContext, located: Located, rng: dict) -> str | None:
    """Strict simulator check of `line_range`; returns an error text or None."""
    start, end = rng.get("start") or {}, rng.get("end") or {}
    assert located.line is not None
    if end.get("line_code") != located.code():
        return "line_range end must be the line of the top-level old_line/new_line"
    if end.get("type") != line_type(located.line):
        return "line_range end type does not match the line"
    first = locate_code(ctx, located.entry, start.get("line_code"))
    if first is None:
        return "line_range start line_code is not a line of this diff"
    if start.get("type") != line_type(first):
        return "line_range start type does not match the line"
    order = _order(located.entry, first), _order(located.entry, located.line)
    if order[0] > order[1]:
        return "line_range start is after its end"
    return None


def _order(entry: FileEntry, line: difflines.Line) -> tuple[int, int]:
    for idx, cand in enumerate(entry.parsed.lines):
        if cand == line:
            return (line.new_pos, idx)
    return (line.new_pos, -1)


def resolve(ctx: DiffContext | None, position: Any, *, strict_line_range: bool = True) -> tuple[dict, str | None, Located | None]:
    """Validate a requested position. Returns (stored position, line_code, located).

    Raises ApiError with GitLab's bodies for every rejection.
    """
    pos = coerce_params(position)
    errors: dict[str, list[str]] = {}
    if schema_errors(pos):
        errors["position"] = ["must be a valid json schema"]
        raise note_errors(errors)
    text = pos["position_type"] == "text"
    if pos["position_type"] == "image":
        raise note_errors({"position": ["is incomplete"]})
    located = None
    if is_complete(pos):
        located = locate(ctx, pos.get("old_path"), pos.get("new_path"), pos.get("old_line"),
                         pos.get("new_line"), text=text)
    if text and (located is None or located.line is None):
        errors["line_code"] = list(LINE_CODE_ERRORS)
    if not is_complete(pos):
        errors.setdefault("position", []).append("is incomplete")
    if not text and located is None and "position" not in errors:
        errors["position"] = ["is not a file of this diff"]
    if errors:
        raise note_errors(errors)
    assert located is not None and ctx is not None
    rng = pos.get("line_range")
    if text and rng is not None and strict_line_range:
        problem = validate_range(ctx, located, rng)
        if problem:
            raise note_errors({"position": [problem]})
    stored = {
        "base_sha": pos["base_sha"], "start_sha": pos["start_sha"], "head_sha": pos["head_sha"],
        "old_path": pos["old_path"], "new_path": pos["new_path"],
        "position_type": pos["position_type"],
        "old_line": located.line.old_line if located.line else None,
        "new_line": located.line.new_line if located.line else None,
        "line_range": rng,
    }
    return stored, located.code(), located
