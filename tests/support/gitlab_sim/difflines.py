"""GitLab's diff-line model: hunk parsing with running counters, line codes, unfolding."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Line:
    """One parsed diff line. `old_line`/`new_line` are None where GitLab's are nil."""

    kind: str  # "context" | "added" | "removed" | "match" | "meta"
    text: str
    old_line: int | None
    new_line: int | None
    old_pos: int
    new_pos: int


@dataclass(frozen=True)
class Hunk:
    """A hunk header: where it starts on each side and how many lines it spans."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int

    @property
    def first_old(self) -> int:
        """First old line number the hunk covers (an empty old side sits after old_start)."""
        return self.old_start if self.old_count else self.old_start + 1


@dataclass(frozen=True)
class ParsedDiff:
    """All lines of one file's diff plus its hunks and the counters after the last line."""

    lines: tuple[Line, ...]
    hunks: tuple[Hunk, ...]
    end_old: int
    end_new: int


def line_code(path: str, old_pos: int, new_pos: int) -> str:
    """`sha1(path)_old_new` as GitLab's `diff_line_code`."""
    return f"{hashlib.sha1(path.encode()).hexdigest()}_{old_pos}_{new_pos}"


# `Gitlab::Diff::Parser#filename?`: lines it drops without counting them.
_FILENAME_PREFIXES = ("--- /dev/null", "+++ /dev/null", "--- a", "+++ b", "+++ a", "--- /tmp/diffy", "+++ /tmp/diffy")


def parse(diff: str) -> ParsedDiff:
    """Parse header-less hunk text the way GitLab's `Diff::Parser` counts lines."""
    lines: list[Line] = []
    hunks: list[Hunk] = []
    old = new = 0
    pieces = diff.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()  # the terminator of the last line, not a line
    for raw in pieces:
        if raw.startswith(_FILENAME_PREFIXES):
            continue  # GitLab's parser skips these as file headers, even inside a hunk
        m = _HUNK.match(raw)
        if m:
            os_, oc, ns, nc = m.groups()
            hunk = Hunk(int(os_), int(oc) if oc is not None else 1, int(ns), int(nc) if nc is not None else 1)
            hunks.append(hunk)
            old, new = hunk.old_start, hunk.new_start
            lines.append(Line("match", raw, None, None, old, new))
            continue
        if not hunks:
            continue
        tag, text = (raw[0], raw[1:]) if raw else (" ", "")
        if tag == "+":
            lines.append(Line("added", text, None, new, old, new))
            new += 1
        elif tag == "-":
            lines.append(Line("removed", text, old, None, old, new))
            old += 1
        elif tag == " ":
            lines.append(Line("context", text, old, new, old, new))
            old += 1
            new += 1
        else:  # "\ No newline at end of file"
            lines.append(Line("meta", raw, None, None, old, new))
    return ParsedDiff(tuple(lines), tuple(hunks), old, new)


def find_exact(parsed: ParsedDiff, old_line: int | None, new_line: int | None) -> Line | None:
    """The content line whose (old_line, new_line) equals the pair exactly."""
    for line in parsed.lines:
        if line.kind in ("match", "meta"):
            continue
        if line.old_line == old_line and line.new_line == new_line:
            return line
    return None


def unfold(parsed: ParsedDiff, old_line: int, new_line: int, old_line_count: int) -> Line | None:
    """A context line outside every hunk, if `(old_line, new_line)` names one consistently."""
    if not (1 <= old_line <= old_line_count):
        return None
    for line in parsed.lines:
        if line.kind in ("match", "meta"):
            continue
        if line.old_line == old_line or line.new_line == new_line:
            return None  # the line is in the diff, just not with this pair
    offset = parsed.end_new - parsed.end_old
    for hunk in parsed.hunks:
        if hunk.first_old > old_line:
            offset = hunk.new_start - hunk.old_start
            break
    if not parsed.hunks:
        offset = 0
    if old_line + offset != new_line:
        return None
    return Line("context", "", old_line, new_line, old_line, new_line)
