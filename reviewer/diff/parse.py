"""Unified diff text → ``FileDiff`` / ``Hunk`` / ``DiffLine`` with GitLab's exact numbering.

Two inputs are accepted: full ``git diff`` output (``parse_git_diff``) and GitLab's
header-less per-file ``diff`` strings from the ``/diffs`` API (``parse_gitlab_diff``).

Hunk bodies are read by their ``@@`` counts, not by guessing from line prefixes, so a
removed line whose text starts with ``-- a/`` or an added ``++ b`` line cannot be mistaken
for a file header. Lines are split on ``\\n`` only (never on form feeds or Unicode
separators) and a trailing ``\\r`` is removed from the content, so CRLF files keep their
text exactly.

``unidiff`` is not used for parsing: it splits ``diff --git`` headers with spaces in the
path wrongly and cannot read header-less hunks. The test suite uses it as an independent
oracle for line numbers on the shapes it does handle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reviewer.diff.git_paths import header_file_path, split_git_header, strip_prefix, unquote_git_path
from reviewer.errors import DiffError
from reviewer.models import FileDiff, Hunk

__all__ = ["parse_git_diff", "parse_gitlab_diff"]

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(?: ?)(.*)$")
_DEV_NULL = "/dev/null"
_GIT_HEADER = "diff --git "
# Gitlab::Diff::Parser#filename?: lines it drops wherever they appear.
_GITLAB_FILENAME_PREFIXES = (
    "--- /dev/null", "+++ /dev/null", "--- a", "+++ b", "+++ a", "--- /tmp/diffy", "+++ /tmp/diffy",
)


def parse_git_diff(text: str) -> list[FileDiff]:
    """Parse full ``git diff`` output (any number of files) into ``FileDiff`` values.

    Accepts git's extended headers (renames, copies, modes, new/deleted files, binary
    markers and ``GIT binary patch`` blocks) and, as a fallback, plain ``---``/``+++``
    unified diffs. Text that is not part of a file (a commit message, a signature) is
    ignored. An empty string gives an empty list.
    """
    lines = _split_lines(text)
    files: list[FileDiff] = []
    i = 0
    while i < len(lines):
        line = _bare(lines[i])
        if line.startswith(_GIT_HEADER):
            file, i = _read_git_file(lines, i)
            files.append(file)
        elif _starts_plain_file(lines, i):
            file, i = _read_plain_file(lines, i)
            files.append(file)
        else:
            i += 1
    return files


def parse_gitlab_diff(
    diff: str,
    *,
    old_path: str,
    new_path: str,
    new_file: bool = False,
    deleted_file: bool = False,
    renamed_file: bool = False,
    a_mode: str | None = None,
    b_mode: str | None = None,
) -> FileDiff:
    """Parse one GitLab ``/diffs`` item's ``diff`` string (hunks only) into a ``FileDiff``.

    The metadata comes from the API item's fields. ``---``/``+++`` lines (``unidiff=true``)
    are skipped; ``Binary files … differ`` and ``GIT binary patch`` mark the file binary.
    An empty string (a collapsed or too-large file) gives a file without hunks.

    Lines are numbered exactly as ``Gitlab::Diff::Parser`` numbers them, quirk included:
    GitLab drops every line that starts like a file header (``--- a``, ``+++ b``,
    ``+++ a``, ``--- /dev/null``, ``+++ /dev/null``, ``--- /tmp/diffy``, ``+++ /tmp/diffy``)
    even inside a hunk, so a removed SQL comment ``-- add index`` is not a line there and
    does not advance the counters. Positions must match GitLab's numbering to be accepted.
    """
    lines = _split_lines(diff)
    hunks: list[Hunk] = []
    binary = False
    i = 0
    while i < len(lines):
        line = _bare(lines[i])
        if _HUNK_RE.match(line):
            hunk, i = _read_hunk(lines, i, gitlab=True)
            hunks.append(hunk)
            continue
        if line.startswith("Binary files ") or line == "GIT binary patch":
            binary = True
            break
        i += 1
    old_path = old_path or new_path
    new_path = new_path or old_path
    if new_file:
        old_path = new_path
    if deleted_file:
        new_path = old_path
    return FileDiff(
        old_path=old_path,
        new_path=new_path,
        new_file=new_file,
        deleted_file=deleted_file,
        renamed_file=renamed_file,
        binary=binary,
        a_mode=a_mode,
        b_mode=b_mode,
        hunks=hunks,
        diff_text=diff,
    )


# --- lines ---------------------------------------------------------------------------


def _split_lines(text: str) -> list[str]:
    """Split on ``\\n`` only, keeping the terminators (so the raw text can be rebuilt)."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _bare(raw: str) -> str:
    """The line without its terminator (``\\n`` and an optional ``\\r`` before it)."""
    if raw.endswith("\n"):
        raw = raw[:-1]
    if raw.endswith("\r"):
        raw = raw[:-1]
    return raw


# --- hunks ---------------------------------------------------------------------------


def _read_hunk(lines: list[str], i: int, *, gitlab: bool) -> tuple[Hunk, int]:
    """Read the hunk whose ``@@`` header is ``lines[i]``; return it and the next index.

    A git hunk ends when both counts are used up. With ``gitlab`` the hunk is read the way
    ``Gitlab::Diff::Parser`` reads it: up to the first line that cannot be a body line,
    skipping header-like lines without counting them. ``\\ No newline at end of file``
    lines stay in the raw text but are not lines.
    """
    match = _HUNK_RE.match(_bare(lines[i]))
    if match is None:  # pragma: no cover - callers check first
        raise DiffError(f"not a hunk header: {lines[i]!r}")
    old_start, new_start = int(match[1]), int(match[3])
    old_count = 1 if match[2] is None else int(match[2])
    new_count = 1 if match[4] is None else int(match[4])
    old_left, new_left = old_count, new_count
    old_pos, new_pos = old_start, new_start
    body: list[dict[str, object]] = []  # validated into DiffLines by Hunk in one pass
    i += 1
    while i < len(lines):
        line = _bare(lines[i])
        if line.startswith("\\") or (gitlab and line.startswith(_GITLAB_FILENAME_PREFIXES)):
            i += 1
            continue
        exhausted = old_left <= 0 and new_left <= 0
        if exhausted and (not gitlab or line == ""):
            break
        tag = line[:1]
        if tag == "+":
            body.append(dict(kind="added", content=line[1:], old_line=None, new_line=new_pos,
                                 old_pos=old_pos, new_pos=new_pos))
            new_pos += 1
            new_left -= 1
        elif tag == "-":
            body.append(dict(kind="removed", content=line[1:], old_line=old_pos, new_line=None,
                                 old_pos=old_pos, new_pos=new_pos))
            old_pos += 1
            old_left -= 1
        elif tag == " " or line == "":
            # An empty line is a context line written by diff.suppressBlankEmpty.
            body.append(dict(kind="context", content=line[1:], old_line=old_pos, new_line=new_pos,
                                 old_pos=old_pos, new_pos=new_pos))
            old_pos += 1
            new_pos += 1
            old_left -= 1
            new_left -= 1
        else:
            break
        i += 1
    hunk = Hunk(old_start=old_start, old_count=old_count, new_start=new_start, new_count=new_count,
                section=match[5], lines=body)
    return hunk, i


def _read_hunks(lines: list[str], i: int) -> tuple[list[Hunk], int, int]:
    """Read consecutive hunks from ``lines[i]``; return them, the start and the end index."""
    hunks: list[Hunk] = []
    start = i
    while i < len(lines) and _HUNK_RE.match(_bare(lines[i])):
        hunk, i = _read_hunk(lines, i, gitlab=False)
        hunks.append(hunk)
    return hunks, start, i


# --- files ---------------------------------------------------------------------------


@dataclass
class _Header:
    """What a file's extended header lines said."""

    old_path: str | None = None
    new_path: str | None = None
    minus_path: str | None = None
    plus_path: str | None = None
    new_file: bool = False
    deleted_file: bool = False
    renamed_file: bool = False
    copied_file: bool = False
    binary: bool = False
    a_mode: str | None = None
    b_mode: str | None = None
    index_mode: str | None = None
    extra: list[str] = field(default_factory=list)


def _read_git_file(lines: list[str], i: int) -> tuple[FileDiff, int]:
    """Read one ``diff --git`` block starting at ``lines[i]``."""
    header_paths = split_git_header(_bare(lines[i])[len(_GIT_HEADER):])
    head = _Header()
    i += 1
    while i < len(lines):
        line = _bare(lines[i])
        if line.startswith(_GIT_HEADER) or _HUNK_RE.match(line):
            break
        i += 1
        if line.startswith("GIT binary patch"):
            head.binary = True
            while i < len(lines) and not _bare(lines[i]).startswith(_GIT_HEADER):
                i += 1
            break
        if _apply_header_line(head, line):
            if line.startswith("+++ "):
                break
            continue
        if line.startswith("Binary files ") and line.endswith(" differ"):
            head.binary = True
            break
    hunks, start, end = _read_hunks(lines, i)
    old_path, new_path = _resolve_paths(head, header_paths)
    return _make_file(head, old_path, new_path, hunks, "".join(lines[start:end])), end


def _starts_plain_file(lines: list[str], i: int) -> bool:
    """True at a ``---``/``+++`` pair followed by a hunk (a diff without ``diff --git``)."""
    return (
        i + 2 < len(lines)
        and _bare(lines[i]).startswith("--- ")
        and _bare(lines[i + 1]).startswith("+++ ")
        and _HUNK_RE.match(_bare(lines[i + 2])) is not None
    )


def _read_plain_file(lines: list[str], i: int) -> tuple[FileDiff, int]:
    """Read a ``---``/``+++`` unified diff without a ``diff --git`` line."""
    head = _Header()
    _apply_header_line(head, _bare(lines[i]))
    _apply_header_line(head, _bare(lines[i + 1]))
    minus, plus = head.minus_path, head.plus_path
    if minus == _DEV_NULL:
        head.new_file = True
    if plus == _DEV_NULL:
        head.deleted_file = True
    old_path = strip_prefix(minus) if minus and minus != _DEV_NULL else None
    new_path = strip_prefix(plus) if plus and plus != _DEV_NULL else None
    if old_path and new_path and old_path != new_path:
        head.renamed_file = True
    if not old_path and not new_path:
        raise DiffError("a '---'/'+++' pair names no file (both are /dev/null)")
    hunks, start, end = _read_hunks(lines, i + 2)
    old_path = old_path or new_path or ""
    new_path = new_path or old_path
    return _make_file(head, old_path, new_path, hunks, "".join(lines[start:end])), end


def _apply_header_line(head: _Header, line: str) -> bool:
    """Record one extended header line; False when the line is not one."""
    key, _, value = line.partition(" ")
    if line.startswith("old mode "):
        head.a_mode = line[len("old mode "):]
    elif line.startswith("new mode "):
        head.b_mode = line[len("new mode "):]
    elif line.startswith("new file mode "):
        head.new_file = True
        head.a_mode, head.b_mode = "0", line[len("new file mode "):]
    elif line.startswith("deleted file mode "):
        head.deleted_file = True
        head.a_mode, head.b_mode = line[len("deleted file mode "):], "0"
    elif line.startswith("rename from "):
        head.renamed_file = True
        head.old_path = unquote_git_path(line[len("rename from "):])
    elif line.startswith("rename to "):
        head.renamed_file = True
        head.new_path = unquote_git_path(line[len("rename to "):])
    elif line.startswith("copy from "):
        head.copied_file = True
        head.old_path = unquote_git_path(line[len("copy from "):])
    elif line.startswith("copy to "):
        head.copied_file = True
        head.new_path = unquote_git_path(line[len("copy to "):])
    elif line.startswith(("similarity index ", "dissimilarity index ")):
        pass
    elif key == "index" and ".." in value:
        parts = value.split(" ")
        if len(parts) > 1:
            head.index_mode = parts[1]
    elif line.startswith("--- "):
        head.minus_path = header_file_path(line[4:])
    elif line.startswith("+++ "):
        head.plus_path = header_file_path(line[4:])
    else:
        return False
    return True


def _resolve_paths(head: _Header, header_paths: tuple[str, str] | None) -> tuple[str, str]:
    """Old and new path of a git file block, GitLab style (never ``/dev/null``)."""
    old_path, new_path = head.old_path, head.new_path
    if old_path is None or new_path is None:
        if header_paths is not None:
            old_path, new_path = old_path or header_paths[0], new_path or header_paths[1]
        else:
            minus = head.minus_path if head.minus_path != _DEV_NULL else None
            plus = head.plus_path if head.plus_path != _DEV_NULL else None
            old_path = old_path or (strip_prefix(minus) if minus else None)
            new_path = new_path or (strip_prefix(plus) if plus else None)
    if not old_path and not new_path:
        raise DiffError("a 'diff --git' block names no file")
    old_path = old_path or new_path or ""
    new_path = new_path or old_path
    if head.new_file:
        old_path = new_path
    if head.deleted_file:
        new_path = old_path
    return old_path, new_path


def _make_file(head: _Header, old_path: str, new_path: str, hunks: list[Hunk], text: str) -> FileDiff:
    """Build the ``FileDiff`` from the parsed header and hunks."""
    a_mode = head.a_mode or head.index_mode
    b_mode = head.b_mode or head.index_mode
    if head.a_mode and not head.b_mode and not head.index_mode:
        b_mode = head.a_mode
    return FileDiff(
        old_path=old_path,
        new_path=new_path,
        new_file=head.new_file,
        deleted_file=head.deleted_file,
        renamed_file=head.renamed_file and old_path != new_path,
        binary=head.binary,
        a_mode=a_mode,
        b_mode=b_mode,
        hunks=hunks,
        diff_text=text,
    )
