"""The summary note body and the state it keeps."""

from __future__ import annotations

from reviewer.diff import parse_gitlab_diff
from reviewer.gitlab_mr import markers
from reviewer.gitlab_mr.summary import SummaryInput, render_summary
from reviewer.incremental import file_state
from reviewer.models import (
    AgentRun,
    Category,
    DiffRefs,
    Finding,
    MergeRequest,
    NotReviewed,
    ReviewResult,
    RiskAssessment,
    RiskTier,
    Severity,
)

HEAD = "h" * 40


def _mr() -> MergeRequest:
    files = [parse_gitlab_diff("@@ -1 +1 @@\n-a\n+b\n", old_path=p, new_path=p) for p in ("a.py", "b.py")]
    return MergeRequest(diff_refs=DiffRefs(base_sha="b" * 40, start_sha="s" * 40, head_sha=HEAD), files=files,
                        not_reviewed=[NotReviewed(path="big.bin", reason="too large")], project="1", iid=1)


def _finding(sev: Severity, cat: Category, title: str, line: int | None = 1) -> Finding:
    return Finding(path="a.py", line=line, severity=sev, category=cat, title=title, body="Because @all.",
                   agent=cat.value, fingerprint=title)


def _result(agents: list[AgentRun]) -> ReviewResult:
    return ReviewResult(
        risk=RiskAssessment(tier=RiskTier.FULL, reasons=["touches auth/"]),
        findings=[_finding(Severity.CRITICAL, Category.SECURITY, "SQL"),
                  _finding(Severity.SUGGESTION, Category.QUALITY, "Naming")],
        file_findings=[_finding(Severity.IMPORTANT, Category.SECURITY, "Whole file", None)],
        agents=agents, head_sha=HEAD)


def test_summary_tells_everything_the_reader_needs():
    runs = [AgentRun(name="security", model="openai/gpt-4o-mini", status="ok", prompt_tokens=1200,
                     completion_tokens=300, cost_usd=0.0123, seconds=4.2),
            AgentRun(name="docs", model="openai/gpt-4o-mini", status="failed", error="timeout | retry")]
    result = _result(runs)
    body = render_summary(_mr(), result, SummaryInput(
        inline_posted=1, not_inline=[(result.file_findings[0], "about the whole file")],
        current_head_sha="n" * 40))
    assert "**Tier: full**, because:\n- touches auth/" in body
    assert "**Findings (3):** 🔴 Critical: 1 · 🟠 Important: 1 · 🟡 Suggestion: 1" in body
    assert "By area: Security: 2 · Code Quality: 1" in body
    assert "Whole file" in body and "about the whole file" in body and "`@all`" in body
    assert "| security | openai/gpt-4o-mini | ok | 1200/300 | $0.0123 | 4.2s |" in body
    assert "| docs | openai/gpt-4o-mini | failed: timeout \\| retry |" in body
    assert "- `big.bin`: too large" in body
    assert f"**Reviewed head:** `{HEAD}`" in body and "moved on to `nnnnnnnnnnnn`" in body


def test_file_states_are_kept_only_for_really_reviewed_files():
    mr = _mr()
    ok = markers.summary_marker(render_summary(mr, _result([AgentRun(name="q", status="ok")]), SummaryInput()))
    assert ok is not None and ok.file_states == {f.path: file_state(f) for f in mr.files}
    assert ok.history[-1].counts["critical"] == 1 and ok.head_sha == HEAD
    failed = markers.summary_marker(render_summary(
        mr, _result([AgentRun(name="q", status="failed")]), SummaryInput(), previous=ok))
    assert failed is not None and failed.file_states == ok.file_states  # earlier, still current
    assert len(failed.history) == 2
    skipped = markers.summary_marker(render_summary(mr, _result([AgentRun(name="q", status="skipped")]),
                                                    SummaryInput()))
    assert skipped is not None and skipped.file_states == {}


def test_history_is_bounded():
    previous = None
    for _ in range(15):
        previous = markers.summary_marker(render_summary(_mr(), _result([]), SummaryInput(), previous))
    assert previous is not None and len(previous.history) == 10


def test_marker_keeps_summary_only_findings_without_their_body_and_reads_them_back():
    from reviewer.gitlab_mr.source import _listed
    from reviewer.gitlab_mr.summary import MAX_LISTED_KEPT, build_marker
    from reviewer.models import Category, DiffRefs, Finding, MergeRequest, ReviewResult, RiskAssessment, RiskTier
    from reviewer.models import Severity as Sev

    listed = [Finding(path=f"f{i}.py", line=i + 1, severity=Sev.NOTE, category=Category.DOCS, title=f"t{i}",
                      body="long explanation", agent="docs", fingerprint=f"fp{i}") for i in range(MAX_LISTED_KEPT + 5)]
    mr = MergeRequest(diff_refs=DiffRefs(base_sha="b" * 40, start_sha="s" * 40, head_sha="h" * 40))
    marker = build_marker(mr, ReviewResult(risk=RiskAssessment(tier=RiskTier.LIGHT)), None, {}, listed)
    kept = marker.extra["listed"]
    assert len(kept) == MAX_LISTED_KEPT and "body" not in kept[0] and kept[0]["fingerprint"] == "fp0"
    back = _listed([*kept, {"path": "x"}, "junk"])
    assert [f.title for f in back] == [f.title for f in listed[:MAX_LISTED_KEPT]] and back[0].body == ""


def test_the_summary_says_when_the_model_review_failed_and_why():
    down = AgentRun(name="security", status="failed", error="x", causes=["openai/x: could not reach http://gw"])
    also = AgentRun(name="quality", status="failed", error="x", causes=["openai/x: could not reach http://gw"])
    body = render_summary(_mr(), _result([down, also]), SummaryInput())
    assert "**The model review did not happen:** every model call failed" in body
    assert body.count("could not reach http://gw") == 1  # one line per distinct cause
    partial = render_summary(_mr(), _result([down, AgentRun(name="quality", status="ok")]), SummaryInput())
    assert "**Part of the model review failed** (security)" in partial
    assert "did not happen" not in render_summary(_mr(), _result([AgentRun(name="q", status="ok")]), SummaryInput())
