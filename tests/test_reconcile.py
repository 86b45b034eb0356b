"""Reconcile: still open, fixed, dismissed, re-raised, untouched."""

from reviewer.fingerprint import normalise_code
from reviewer.models import (
    Category, DiffLine, FileDiff, Finding, Hunk, MergeRequest, PriorNote, PriorThread, Severity,
)
from reviewer.reconcile import anchor_present, earlier_for_prompt, is_dismissed, reconcile


def _file(path: str, *added: str) -> FileDiff:
    lines = [
        DiffLine(kind="added", content=text, old_line=None, new_line=i + 1, old_pos=1, new_pos=i + 1)
        for i, text in enumerate(added)
    ]
    return FileDiff(old_path=path, new_path=path, hunks=[Hunk(old_start=1, old_count=0, new_start=1,
                                                               new_count=len(lines), lines=lines)])


def _finding(fp: str, severity=Severity.IMPORTANT, path="app.py") -> Finding:
    return Finding(path=path, line=1, severity=severity, category=Category.SECURITY, title="t",
                   agent="security", fingerprint=fp)


def _thread(fp: str, *, path="app.py", anchor="", severity=Severity.IMPORTANT, resolved=False,
            by_reviewer=False, replies=(), awards=()) -> PriorThread:
    notes = [PriorNote(note_id=1, body="finding", is_reviewer=True, awards=list(awards))]
    notes += [PriorNote(note_id=i + 2, body=text, author="alice") for i, text in enumerate(replies)]
    return PriorThread(discussion_id=f"d-{fp}", fingerprint=fp, path=path, anchor=anchor, severity=severity,
                       resolved=resolved, resolved_by_reviewer=by_reviewer, notes=notes)


def test_new_finding_is_posted_and_matched_one_is_not():
    mr = MergeRequest(files=[_file("app.py", "x = 1")])
    result = reconcile([_finding("aaa"), _finding("bbb")], [_thread("aaa")], mr, {"app.py"})
    assert [f.fingerprint for f in result.to_post] == ["bbb"]
    assert [t.discussion_id for _, t in result.still_open] == ["d-aaa"]
    assert result.counts() == {"new": 1, "still_open": 1, "fixed": 0, "dismissed": 0}


def test_thread_whose_anchor_is_gone_is_fixed():
    mr = MergeRequest(files=[_file("app.py", "query = safe(q)")])
    gone = _thread("old", anchor=normalise_code("query = 'SELECT ' + q"))
    result = reconcile([], [gone], mr, {"app.py"})
    assert result.fixed == [gone]


def test_thread_whose_anchor_remains_is_kept_open_not_fixed():
    mr = MergeRequest(files=[_file("app.py", "    eval(data)")])
    kept = _thread("k", anchor=normalise_code("eval(data)"))
    result = reconcile([], [kept], mr, {"app.py"})
    assert result.fixed == [] and result.untouched == [kept]


def test_thread_on_file_not_reviewed_again_is_untouched():
    mr = MergeRequest(files=[_file("lib.py", "a"), _file("app.py", "b")])
    thread = _thread("t", path="lib.py", anchor="zzz")
    result = reconcile([], [thread], mr, reviewed_paths={"app.py"})
    assert result.untouched == [thread] and result.fixed == []


def test_thread_on_file_dropped_from_the_change_is_fixed():
    thread = _thread("t", path="gone.py", anchor="x")
    result = reconcile([], [thread], MergeRequest(files=[_file("app.py", "b")]), {"app.py"})
    assert result.fixed == [thread]


def test_dismissals():
    assert is_dismissed(_thread("a", resolved=True))
    assert not is_dismissed(_thread("a", resolved=True, by_reviewer=True))
    assert is_dismissed(_thread("a", replies=["Won't fix, this is a test fixture."]))
    assert is_dismissed(_thread("a", replies=["false positive"]))
    assert is_dismissed(_thread("a", awards=["thumbsdown"]))
    assert not is_dismissed(_thread("a", replies=["Good catch, fixing now"]))


def test_dismissed_finding_is_not_raised_again_unless_worse():
    mr = MergeRequest(files=[_file("app.py", "x")])
    dismissed = _thread("fp", replies=["won't fix"], severity=Severity.IMPORTANT)
    same = reconcile([_finding("fp", Severity.IMPORTANT)], [dismissed], mr, {"app.py"})
    assert same.to_post == [] and len(same.suppressed) == 1 and same.dismissed == [dismissed]
    worse = reconcile([_finding("fp", Severity.CRITICAL)], [dismissed], mr, {"app.py"})
    assert [f.severity for f in worse.to_post] == [Severity.CRITICAL] and worse.reraised


def test_finding_that_returns_after_being_fixed_is_posted_again():
    mr = MergeRequest(files=[_file("app.py", "x")])
    closed = _thread("fp", resolved=True, by_reviewer=True)
    assert [f.fingerprint for f in reconcile([_finding("fp")], [closed], mr, {"app.py"}).to_post] == ["fp"]


def test_anchor_present_ignores_removed_lines_and_layout():
    file = _file("app.py", "  call( a,b )")
    assert anchor_present(normalise_code("call(a, b)"), file)
    assert not anchor_present("", file)


def test_agents_are_shown_only_open_earlier_findings_on_their_files():
    open_one = _thread("a", anchor='password="x"').model_copy(update={"title": "Hard-coded  password", "rule_id": "SEC-1"})
    elsewhere = _thread("b", path="other.py")
    dismissed = _thread("c", replies=["won't fix"])
    resolved = _thread("d", resolved=True, by_reviewer=True)
    shown = earlier_for_prompt([open_one, elsewhere, dismissed, resolved], ["app.py"])
    assert shown == [{"path": "app.py", "rule_id": "SEC-1", "title": "Hard-coded password", "anchor": 'password="x"'}]
    assert "fingerprint" not in str(shown) and "d-a" not in str(shown)
