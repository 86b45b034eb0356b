"""The JSON shape golden files store for parsed diffs (one compact list per diff line)."""

from __future__ import annotations

from typing import Any

from reviewer.diff import mark_not_for_review
from reviewer.models import FileDiff

KIND_MARK = {"added": "+", "removed": "-", "context": " "}


def to_golden(files: list[FileDiff]) -> list[dict[str, Any]]:
    """Every field the parser sets, plus the filter's verdict, as plain JSON values.

    A line is ``[mark, old_line, new_line, old_pos, new_pos, content]``.
    """
    marked = mark_not_for_review(files)
    return [
        {
            "old_path": file.old_path,
            "new_path": file.new_path,
            "new_file": file.new_file,
            "deleted_file": file.deleted_file,
            "renamed_file": file.renamed_file,
            "binary": file.binary,
            "a_mode": file.a_mode,
            "b_mode": file.b_mode,
            "added": file.added,
            "removed": file.removed,
            "not_for_review": verdict.skip_reason,
            "hunks": [
                {
                    "old_start": hunk.old_start,
                    "old_count": hunk.old_count,
                    "new_start": hunk.new_start,
                    "new_count": hunk.new_count,
                    "section": hunk.section,
                    "lines": [
                        [KIND_MARK[ln.kind], ln.old_line, ln.new_line, ln.old_pos, ln.new_pos, ln.content]
                        for ln in hunk.lines
                    ],
                }
                for hunk in file.hunks
            ],
            "diff_text": file.diff_text,
        }
        for file, verdict in zip(files, marked, strict=True)
    ]
