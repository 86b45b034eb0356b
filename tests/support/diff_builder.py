"""Build ``FileDiff`` values from two versions of a file, the way ``git diff`` would show them.

Tests use it to make realistic diffs without a git repository or the diff parser: hunks with
three lines of context and git's default section header (the nearest earlier line of the old
file that starts with a letter, ``_`` or ``$``).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from reviewer.models import DiffLine, FileDiff, Hunk


def file_diff(path: str, old: str, new: str, *, context: int = 3) -> FileDiff:
    """Return the ``FileDiff`` of ``path`` going from ``old`` to ``new`` text."""
    a, b = old.splitlines(), new.splitlines()
    hunks = []
    for group in SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        lines: list[DiffLine] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [_line("context", a[i], i + 1, j1 + k + 1) for k, i in enumerate(range(i1, i2))]
                continue
            if tag in ("delete", "replace"):
                lines += [_line("removed", a[i], i + 1, None, new_pos=j1) for i in range(i1, i2)]
            if tag in ("insert", "replace"):
                lines += [_line("added", b[j], None, j + 1, old_pos=i2) for j in range(j1, j2)]
        first, last = group[0], group[-1]
        old_start, new_start = first[1] + 1, first[3] + 1
        hunks.append(
            Hunk(
                old_start=old_start,
                old_count=last[2] - first[1],
                new_start=new_start,
                new_count=last[4] - first[3],
                section=_section(a, first[1]),
                lines=lines,
            )
        )
    return FileDiff(old_path=path, new_path=path, new_file=not a, hunks=hunks)


def _line(kind, content, old_line, new_line, *, old_pos=None, new_pos=None) -> DiffLine:
    return DiffLine(
        kind=kind,
        content=content,
        old_line=old_line,
        new_line=new_line,
        old_pos=old_line if old_line is not None else (old_pos or 0),
        new_pos=new_line if new_line is not None else (new_pos or 0),
    )


def _section(old_lines: list[str], start: int) -> str:
    for text in reversed(old_lines[:start]):
        if text[:1].isalpha() or text[:1] in ("_", "$"):
            return text[:80]
    return ""
