"""One iterative run's pure parts: reviewed paths, tokens saved, the summary's sections."""

from __future__ import annotations

from reviewer.incremental import Increment
from reviewer.iteration import carried_findings, with_earlier_findings, open_severities, reviewed_paths, summary_input, tokens_saved
from reviewer.models import (
    Category, DiffRefs, Finding, MergeRequest, PriorReviewState, ReviewResult, RiskAssessment, RiskTier, RunRecord,
    PriorThread, Severity,
)
from reviewer.reconcile import Reconciliation
from reviewer.settings import Environment, Settings
from tests.support.diff_builder import file_diff

A = file_diff("src/a.py", "x = 1\n", "x = 1\ny = 2\n")
B = file_diff("src/b.py", "", "".join(f"value_{i} = {i}\n" for i in range(40)))
README = file_diff("README.md", "# T\n", "# T\n\nMore.\n")
MR = MergeRequest(files=[A, B, README], diff_refs=DiffRefs(base_sha="b" * 40, start_sha="s" * 40, head_sha="h" * 40))


def test_reviewed_paths_are_the_files_not_skipped_as_unchanged():
    assert reviewed_paths(MR, {"src/b.py"}) == {"src/a.py", "README.md"}


def test_tokens_saved_count_each_file_once_per_agent_that_would_see_it():
    settings = Settings(env=Environment(model="openai/scripted"))
    one_b = tokens_saved([B], RiskTier.FULL, settings)
    assert one_b > 0
    assert tokens_saved([A], RiskTier.FULL, settings) < one_b
    # Fewer agents run in a light review (performance is full-only), so less is saved.
    assert tokens_saved([B], RiskTier.LIGHT, settings) < one_b
    assert tokens_saved([B], RiskTier.FULL, Settings(env=Environment())) == 0  # no model: nothing to save


def test_summary_sections_count_the_run_and_keep_a_bounded_history():
    earlier = [RunRecord(head_sha=f"{i:040d}", tier=RiskTier.LIGHT, counts={"new": i}) for i in range(12)]
    mr = MR.model_copy(update={"prior_state": PriorReviewState(head_sha="9" * 40, history=earlier)})
    worse = Finding(path="src/a.py", line=2, severity=Severity.CRITICAL, category=Category.SECURITY,
                    title="Now | exposed", agent="security", fingerprint="f")
    rec = Reconciliation(to_post=[worse], reraised=[worse])
    result = ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL), head_sha="h" * 40)
    info = summary_input(mr, result, Increment(unchanged={"src/b.py"}, previous_head="9" * 40), rec, 1234)
    (title, lines), (h_title, history) = info.sections
    assert title == "This run" and h_title == "Run history"
    assert lines[0] == "- New: 1 · Still open: 0 · Fixed since last push: 0 · Dismissed: 0"
    assert lines[1] == "- 1 file unchanged since `99999999`, not sent again; ≈1234 prompt tokens saved."
    assert lines[2].startswith("- Raised again, now Critical: `src/a.py:2`")
    assert len(history) == 2 + 10 and history[2].startswith(f"| `{'h' * 12}` | full | 1 | 0 | 0 | 0 |")
    assert info.run_counts == {"new": 1, "still_open": 0, "fixed": 0, "dismissed": 0}


def test_summary_says_why_a_review_was_full():
    result = ReviewResult(risk=RiskAssessment(tier=RiskTier.LIGHT), head_sha="h" * 40)
    info = summary_input(MR, result, Increment(full_review_reason="the last reviewed head is gone"), Reconciliation(), 0)
    assert "- Full review: the last reviewed head is gone." in info.sections[0][1]


def test_open_findings_include_kept_threads_but_not_dismissed_ones():
    def finding(sev: Severity, line: int | None = 2) -> Finding:
        return Finding(path="src/a.py", line=line, severity=sev, category=Category.QUALITY, title="t", agent="q")

    kept = PriorThread(discussion_id="d1", fingerprint="k", severity=Severity.CRITICAL, path="src/b.py")
    rec = Reconciliation(to_post=[finding(Severity.SUGGESTION)], still_open=[(finding(Severity.IMPORTANT), kept)],
                         untouched=[kept], suppressed=[finding(Severity.CRITICAL)])
    assert sorted(s.rank for s in open_severities(rec, [finding(Severity.NOTE, None)])) == [0, 1, 2, 3]
    assert Severity.CRITICAL in open_severities(Reconciliation(untouched=[kept]), [])
    assert open_severities(Reconciliation(suppressed=[finding(Severity.CRITICAL)]), []) == []


def test_summary_only_findings_are_carried_only_for_files_not_reviewed_again():
    on_b = Finding(path="src/b.py", line=3, severity=Severity.NOTE, category=Category.DOCS, title="b", agent="x")
    on_a = on_b.model_copy(update={"path": "src/a.py"})
    mr = MR.model_copy(update={"prior_state": PriorReviewState(head_sha="9" * 40, listed=[on_a, on_b])})
    assert carried_findings(mr, Increment(unchanged={"src/b.py"})) == [on_b]
    assert carried_findings(mr, Increment(full_review_reason="rebased")) == []
    result = ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL), head_sha="h" * 40)
    info = summary_input(mr, result, Increment(unchanged={"src/b.py"}), Reconciliation(), 0)
    assert [f for f, _ in info.carried] == [on_b] and info.open_severities == [Severity.NOTE]


def test_reports_include_what_stays_open_on_files_not_reviewed_again():
    from reviewer.models import PriorNote

    def thread(fp: str, path: str, **kw) -> PriorThread:
        return PriorThread(discussion_id=fp, fingerprint=fp, severity=Severity.IMPORTANT, category=Category.SECURITY,
                           title=f"title {fp}", path=path, line=2, notes=[PriorNote(note_id=1, body="x", is_reviewer=True)],
                           **kw)

    listed = Finding(path="src/b.py", severity=Severity.NOTE, category=Category.DOCS, title="file-level", agent="x")
    mr = MR.model_copy(update={
        "prior_threads": [thread("open", "src/b.py"), thread("reviewed", "src/a.py"),
                          thread("resolved", "src/b.py", resolved=True)],
        "prior_state": PriorReviewState(head_sha="9" * 40, listed=[listed])})
    result = ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL))
    out = with_earlier_findings(result, mr, Increment(unchanged={"src/b.py"}))
    assert [(f.fingerprint, f.line, f.agent) for f in out.findings] == [("open", 2, "earlier review")]
    assert out.file_findings == [listed]
    unchanged_none = with_earlier_findings(result, mr, Increment())
    assert unchanged_none.findings == [] and unchanged_none.file_findings == []


def test_reports_leave_out_what_a_human_dismissed_unless_it_came_back_worse():
    from reviewer.models import PriorNote

    dismissed = PriorThread(discussion_id="d", fingerprint="fp", severity=Severity.IMPORTANT,
                            category=Category.SECURITY, path="src/a.py", line=2,
                            notes=[PriorNote(note_id=1, body="x", is_reviewer=True),
                                   PriorNote(note_id=2, body="Won't fix: test data", author="alice")])
    mr = MR.model_copy(update={"prior_threads": [dismissed]})

    def finding(severity: Severity) -> Finding:
        return Finding(path="src/a.py", line=2, severity=severity, category=Category.SECURITY, title="t",
                       agent="security", fingerprint="fp")

    same = ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL), findings=[finding(Severity.IMPORTANT)])
    assert with_earlier_findings(same, mr, Increment()).findings == []
    worse = ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL), findings=[finding(Severity.CRITICAL)])
    assert [f.severity for f in with_earlier_findings(worse, mr, Increment()).findings] == [Severity.CRITICAL]
