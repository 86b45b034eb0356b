"""The diff model: parse diffs, address lines the way GitLab does, mark files not for review."""

from reviewer.diff.filters import mark_not_for_review
from reviewer.diff.git_paths import unquote_git_path
from reviewer.diff.parse import parse_git_diff, parse_gitlab_diff
from reviewer.diff.positions import commentable_lines, line_code, line_range_for, position_for, text_position

__all__ = [
    "commentable_lines",
    "line_code",
    "line_range_for",
    "mark_not_for_review",
    "parse_git_diff",
    "parse_gitlab_diff",
    "position_for",
    "text_position",
    "unquote_git_path",
]
