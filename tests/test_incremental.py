"""Incremental review: file states and which files changed since the last reviewed push."""

from reviewer.incremental import compute_increment, file_state, file_states
from reviewer.models import DiffLine, FileDiff, Hunk, MergeRequest, PriorReviewState


def _file(path: str, start: int, *added: str) -> FileDiff:
    lines = [DiffLine(kind="added", content=t, old_line=None, new_line=start + i, old_pos=start, new_pos=start + i)
             for i, t in enumerate(added)]
    return FileDiff(old_path=path, new_path=path,
                    hunks=[Hunk(old_start=start, old_count=0, new_start=start, new_count=len(lines), lines=lines)])


def test_state_ignores_line_numbers_but_not_content():
    assert file_state(_file("a.py", 1, "x = 1")) == file_state(_file("a.py", 40, "x = 1"))
    assert file_state(_file("a.py", 1, "x = 1")) != file_state(_file("a.py", 1, "x = 2"))
    assert file_state(_file("a.py", 1, "x = 1")) != file_state(_file("b.py", 1, "x = 1"))


def test_first_review_is_full():
    increment = compute_increment(MergeRequest(files=[_file("a.py", 1, "x")]))
    assert not increment.incremental and increment.full_review_reason is None


def test_only_changed_files_are_reviewed_again():
    v1 = [_file("a.py", 1, "x"), _file("b.py", 1, "y")]
    prior = PriorReviewState(head_sha="abc", file_states=file_states(v1))
    v2 = [_file("a.py", 5, "x"), _file("b.py", 1, "y changed")]
    increment = compute_increment(MergeRequest(files=v2, prior_state=prior))
    assert increment.unchanged == {"a.py"} and increment.previous_head == "abc"


def test_unreachable_previous_head_falls_back_to_full_review():
    prior = PriorReviewState(head_sha="abcdef1234", file_states={"a.py": "s"}, head_reachable=False)
    increment = compute_increment(MergeRequest(files=[_file("a.py", 1, "x")], prior_state=prior))
    assert not increment.incremental
    assert "abcdef12" in increment.full_review_reason and "full review" in increment.full_review_reason
