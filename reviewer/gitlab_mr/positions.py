"""Where on GitLab a finding goes: the ``position`` payload GitLab accepts, or why none exists.

Rules (gitlab-api.md §2): added line → ``new_line`` only; removed line → ``old_line`` only;
context line → both; multi-line → ``line_range`` with only ``line_code``/``type`` at each end and
the top-level line fields set to the *end* line; both paths always (new file: both the new
path, deleted file: both the old path); SHAs from ``diff_refs``; ``position_type: "text"``.
A finding is validated here against the parsed diff, so GitLab never sees a position it would
refuse: an unplaceable finding goes to the summary note instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reviewer.diff.positions import position_for, position_paths
from reviewer.models import DiffLine, DiffRefs, FileDiff, Finding, MergeRequest


@dataclass
class Placement:
    """The outcome of placing one finding."""

    finding: Finding
    position: dict[str, Any] | None = None
    reason: str | None = None
    line_code: str | None = None
    anchor_kind: str | None = None
    suggestion_above: int | None = field(default=None)

    @property
    def placeable(self) -> bool:
        """True when the finding can be posted inline."""
        return self.position is not None


def find_file(mr: MergeRequest, path: str) -> FileDiff | None:
    """The changed file a finding's path names (new path first, then old path)."""
    for file in mr.files:
        if file.new_path == path:
            return file
    for file in mr.files:
        if file.old_path == path:
            return file
    return None


def place(finding: Finding, mr: MergeRequest) -> Placement:
    """The GitLab position for ``finding`` on ``mr``, or the reason it has none."""
    if mr.diff_refs is None:
        return Placement(finding, reason="the merge request has no diff_refs")
    if finding.line is None:
        return Placement(finding, reason="about the file as a whole")
    file = find_file(mr, finding.path)
    if file is None:
        return Placement(finding, reason=f"{finding.path} is not among the changed files")
    if file.binary or not file.hunks:
        return Placement(finding, reason=f"{file.path} has no diff lines GitLab can anchor to")
    side = "old" if file.deleted_file else "new" if file.new_file else finding.side
    end = finding.end_line if finding.end_line and finding.end_line > finding.line else finding.line
    anchor = position_for(file, end, side)
    anchor_line = file.find_line(end, side)
    if anchor is None or anchor_line is None:
        return Placement(finding, reason=f"line {end} ({side} side) of {file.path} is not in the diff")
    position = _base_position(mr.diff_refs, file)
    _set_lines(position, anchor_line)
    placement = Placement(finding, position=position, line_code=anchor.get("line_code"),
                          anchor_kind=anchor_line.kind)
    if end != finding.line:
        start = position_for(file, finding.line, side)
        start_line = file.find_line(finding.line, side)
        if start is not None and start_line is not None and _ordered(start_line, anchor_line):
            position["line_range"] = {
                "start": {"line_code": start["line_code"], "type": start.get("type") or _range_type(start_line)},
                "end": {"line_code": anchor["line_code"], "type": anchor.get("type") or _range_type(anchor_line)},
            }
            if side == "new" and anchor_line.kind != "removed" and start_line.kind != "removed":
                placement.suggestion_above = end - finding.line
    elif side == "new" and anchor_line.kind != "removed":
        placement.suggestion_above = 0
    return placement


def _base_position(refs: DiffRefs, file: FileDiff) -> dict[str, Any]:
    old_path, new_path = position_paths(file)
    return {
        "position_type": "text",
        "base_sha": refs.base_sha,
        "start_sha": refs.start_sha,
        "head_sha": refs.head_sha,
        "old_path": old_path,
        "new_path": new_path,
    }


def _set_lines(position: dict[str, Any], line: DiffLine) -> None:
    if line.kind in ("added", "context"):
        position["new_line"] = line.new_line
    if line.kind in ("removed", "context"):
        position["old_line"] = line.old_line


def _range_type(line: DiffLine) -> str:
    return "new" if line.kind == "added" else "old"


def _ordered(start: DiffLine, end: DiffLine) -> bool:
    return (start.old_pos, start.new_pos) <= (end.old_pos, end.new_pos) and start != end
