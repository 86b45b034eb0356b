"""Very large merge requests: the summary note stays bounded, its state marker is compact, and a
summary GitLab refuses is replaced by a minimal one that keeps the state."""

from __future__ import annotations

import base64
import json
import re
import zlib

import pytest

from reviewer.diff import parse_gitlab_diff
from reviewer.errors import GitLabError
from reviewer.gitlab_mr import load_gitlab_mr, markers, publish
from reviewer.gitlab_mr.summary import (
    MAX_MARKER_CHARS, MAX_SUMMARY_CHARS, SECTION_CAP, TITLE, SummaryInput, _allocate, build_marker, render_summary,
)
from reviewer.incremental import STATES_DROPPED, STATES_DROPPED_REASON, compute_increment, file_state
from reviewer.models import (
    AgentRun, Category, DiffRefs, FileDiff, Finding, MergeRequest, NotReviewed, ReviewResult, RiskAssessment,
    RiskTier, Severity,
)
from tests.gitlab_mr.test_publish import finding, result_of, summary_notes

HEAD = "a" * 40
REFS = DiffRefs(base_sha="b" * 40, start_sha="c" * 40, head_sha=HEAD)
MORE = re.compile(r"^… and (\d+) more \(see the job's `gl-reviewer\.json` artifact\)$", re.M)
SEVERITY_ITEM = re.compile(r"^- (?:🔴|🟠|🟡|🔵) \*\*", re.M)


def _files(n: int, prefix: str = "src") -> list[FileDiff]:
    return [parse_gitlab_diff(f"@@ -0,0 +1 @@\n+X_{i} = {i}\n", old_path=f"{prefix}/pkg{i // 100}/m{i}.py",
                              new_path=f"{prefix}/pkg{i // 100}/m{i}.py", new_file=True) for i in range(n)]


def _mr(files: list[FileDiff], not_reviewed: list[NotReviewed] = (), refs: DiffRefs = REFS) -> MergeRequest:
    return MergeRequest(diff_refs=refs, files=files, not_reviewed=list(not_reviewed), project="1", iid=1)


def _result(findings: list[Finding] = (), head: str = HEAD) -> ReviewResult:
    return ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL, reasons=["14000 files changed"]),
                        findings=list(findings), agents=[AgentRun(name="quality", model="m", status="ok")],
                        head_sha=head)


def _listed_finding(i: int, severity: Severity) -> Finding:
    return Finding(path=f"src/pkg0/m{i}.py", line=1, severity=severity, category=Category.QUALITY,
                   title=f"Problem {i}", body="Why it matters. " * 94, agent="quality", fingerprint=f"fp{i}")


def _section(body: str, title: str) -> str:
    """The text of the ``### title`` section, up to the next section or the footer."""
    start = body.index(f"\n### {title}\n")
    ends = [i for i in (body.find("\n### ", start + 1), body.find("\n<sub>reviewer", start + 1)) if i != -1]
    return body[start:min(ends)]


def _more(section: str) -> int:
    [count] = MORE.findall(section)
    return int(count)


def _vendored(n: int) -> list[NotReviewed]:
    return [NotReviewed(path=f"vendor/lib{i // 100}/f{i}.go", reason="vendored") for i in range(n)]


def test_a_14000_file_change_stays_under_the_limit_and_counts_what_it_cut():
    reviewed = _files(4_000)
    vendored = _vendored(10_000)
    vendored_files = [parse_gitlab_diff("@@ -0,0 +1 @@\n+x\n", old_path=n.path, new_path=n.path, new_file=True)
                      for n in vendored]
    mr = _mr([*vendored_files, *reviewed], vendored)
    # The least severe come first: the note lists the most severe first, so those survive a cut.
    listed = [_listed_finding(i, Severity.NOTE) for i in range(2_000)]
    listed += [_listed_finding(i, Severity.CRITICAL) for i in range(2_000, 3_000)]
    info = SummaryInput(not_inline=[(f, "below the inline threshold") for f in listed])

    body = render_summary(mr, _result(listed), info)

    assert len(body) <= MAX_SUMMARY_CHARS
    assert f"**Reviewed head:** `{HEAD}`" in body and "**Tier: full**, because:\n- 14000 files changed" in body
    assert "**Findings (3000):** 🔴 Critical: 1000 · 🔵 Optional Note: 2000" in body
    assert "Inline threads: 0 posted this run; 3000 listed below." in body
    findings = _section(body, "Findings not posted inline")
    shown = SEVERITY_ITEM.findall(findings)
    assert len(shown) >= 20 and len(shown) + _more(findings) == 3_000
    assert findings.index("🔴 **Critical") < findings.index("… and")
    assert "🔵" not in findings  # the 1,000 critical ones fill the room first
    not_reviewed = _section(body, "Not reviewed")
    items = re.findall(r"^- `vendor/", not_reviewed, re.M)
    assert len(items) >= 100 and len(items) + _more(not_reviewed) == 10_000
    marker = markers.summary_marker(body)
    assert marker is not None and len(marker.file_states) == 4_000  # the state still fits: kept


def test_a_note_that_fits_is_not_cut():
    body = render_summary(_mr(_files(50), _vendored(30)), _result([_listed_finding(1, Severity.NOTE)]),
                          SummaryInput(not_inline=[(_listed_finding(1, Severity.NOTE), "below the threshold")]))
    assert "more (see the job's" not in body
    assert len(re.findall(r"^- `vendor/", body, re.M)) == 30 and "Problem 1" in body


def test_every_list_but_the_findings_stops_at_its_own_cap():
    listed = [_listed_finding(i, Severity.NOTE) for i in range(60)]  # about 100,000 characters
    body = render_summary(_mr(_files(10), _vendored(2_000)), _result(listed),
                          SummaryInput(not_inline=[(f, "below the inline threshold") for f in listed]))
    findings = _section(body, "Findings not posted inline")
    assert len(SEVERITY_ITEM.findall(findings)) == 60 and len(findings) > 3 * SECTION_CAP
    not_reviewed = _section(body, "Not reviewed")
    items = re.findall(r"^- `vendor/", not_reviewed, re.M)
    assert len(not_reviewed) <= SECTION_CAP and len(items) + _more(not_reviewed) == 2_000


def test_the_limit_holds_whatever_the_input():
    result = _result().model_copy(update={
        "risk": RiskAssessment(tier=RiskTier.FULL, reasons=[f"reason {i} " + "r" * 1_000 for i in range(1_000)]),
        "notices": [f"notice {i} " + "n" * 5_000 for i in range(1_000)],
        "agents": [AgentRun(name="quality", status="ok"),
                   *(AgentRun(name=f"agent{i}", status="skipped", error="e" * 2_000) for i in range(500))],
    })
    info = SummaryInput(sections=[("t" * 300_000, ["- a line"]), ("This run", ["- x" * 50_000])])
    body = render_summary(_mr(_files(10)), result, info)
    assert len(body) <= MAX_SUMMARY_CHARS
    assert body.startswith(f"{TITLE}\n\n**Reviewed head:**") and "**Tier: full**, because:" in body
    assert "the rest is cut (see the job's `gl-reviewer.json` artifact)" in body
    marker = markers.summary_marker(body)
    assert marker is not None and marker.head_sha == HEAD and len(marker.file_states) == 10


def test_room_goes_first_to_what_needs_little_then_by_weight():
    assert _allocate([10, 1_000, 50], [1, 6, 1], 500) == [10, 440, 50]
    assert _allocate([300, 300], [6, 2], 400) == [300, 100]  # the findings' share suffices; the rest gets the rest
    assert _allocate([0, 900, 900], [1, 1, 2], 900) == [0, 300, 600]
    assert _allocate([100, 200], [1, 1], 1_000) == [100, 200]


def test_the_compact_marker_round_trips_and_is_much_smaller():
    marker = build_marker(_mr(_files(5_000)), _result(), None, {"new": 1})
    compact = markers.encode("summary", marker)
    legacy = markers.encode("summary", marker, compact=False)
    assert compact.startswith("<!-- reviewer:summary z.") and legacy.startswith("<!-- reviewer:summary ey")
    assert markers.summary_marker(compact) == marker == markers.summary_marker(legacy)
    assert len(compact) < len(legacy) / 2.5
    assert "--" not in compact[len("<!-- "):-len(" -->")] and ">" not in compact[len("<!-- "):-len(" -->")]
    assert markers.encode("finding", {"fp": "x", "sev": "note"}).startswith("<!-- reviewer:finding ey")


def test_a_marker_written_before_compaction_still_reads():
    payload = {"head_sha": HEAD, "file_states": {"a.py": "0123456789abcdef"}, "version": "0.1.0",
               "history": [{"head_sha": HEAD, "tier": "light", "counts": {"new": 1}}]}
    token = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    marker = markers.summary_marker(f"## AI review summary\n\n<!-- reviewer:summary {token} -->")
    assert marker is not None and marker.file_states == {"a.py": "0123456789abcdef"}
    assert marker.history[0].counts == {"new": 1}


def test_a_broken_or_oversized_compact_marker_is_ignored():
    def note(data: bytes) -> str:
        return f"<!-- reviewer:summary z.{base64.b64encode(data).decode().rstrip('=')} -->"

    good = zlib.compress(json.dumps({"head_sha": HEAD}).encode())
    assert markers.summary_marker(note(good)).head_sha == HEAD
    assert markers.summary_marker(note(good[:-4])) is None  # truncated stream
    assert markers.summary_marker("<!-- reviewer:summary z.%%%notzlib -->") is None
    bomb = zlib.compress(b'{"head_sha": "' + b"x" * (markers.MAX_INFLATED + 1) + b'"}')
    assert len(bomb) < 100_000 and markers.summary_marker(note(bomb)) is None


def test_an_oversized_marker_drops_the_file_states_and_says_so():
    files = _files(14_000)
    body = render_summary(_mr(files), _result(), SummaryInput())
    assert len(markers.encode("summary", build_marker(_mr(files), _result(), None, {}))) > MAX_MARKER_CHARS
    marker = markers.summary_marker(body)
    assert marker is not None and marker.file_states == {} and marker.head_sha == HEAD
    assert marker.history[-1].counts[STATES_DROPPED] == 14_000
    assert len(markers.last_marker_text(body)) < 1_000
    assert "the state of the 14000 files reviewed is too large to keep" in body
    # The next run, on fewer files, keeps their states again and no longer reports a drop.
    smaller = markers.summary_marker(render_summary(_mr(files[:100]), _result(), SummaryInput(), marker))
    assert smaller is not None and len(smaller.file_states) == 100
    assert STATES_DROPPED not in smaller.history[-1].counts and len(smaller.history) == 2


@pytest.mark.parametrize("files, dropped", [(14_000, True), (2_000, False)])
def test_the_run_after_a_drop_is_a_full_review(world, files, dropped):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    # A summary of this MR's head whose file list is (14,000 files) or is not (2,000) too large to keep.
    listed = _files(files) + [f for f in mr.files if f.reviewable]
    client.create_note(world.project_id, world.iid,
                       render_summary(_mr(listed, refs=mr.diff_refs), _result(head=mr.diff_refs.head_sha),
                                      SummaryInput()))
    increment = compute_increment(load_gitlab_mr(client, world.project_id, world.iid))
    if dropped:
        assert increment.full_review_reason == STATES_DROPPED_REASON and increment.unchanged == set()
    else:
        assert increment.full_review_reason is None
        assert increment.unchanged == {f.path for f in mr.files if f.reviewable}
    assert increment.previous_head == mr.diff_refs.head_sha


def _fault_on_summary(world, method: str, status: int, times: int = 1) -> None:
    world.sim.faults.add(method=method, path_regex=r"/notes(/\d+)?$", status=status, times=times, retry_after=None)


def _summary_writes(world) -> list:
    return [r for r in world.sim.request_log if r.method in ("POST", "PUT") and re.search(r"/notes(/\d+)?$", r.path)]


def test_a_refused_summary_is_replaced_by_a_minimal_one_that_keeps_the_state(world):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    inline = finding("src/app.py", 5, fp="added", title="Inline problem")
    _fault_on_summary(world, "POST", 413)
    report = publish(client, mr, result_of(inline), dry_run=False)
    [note] = summary_notes(world.sim, world.mr)
    assert report.summary_action == "created (minimal: the full summary was refused)"
    assert note["body"] == report.summary_body and len(_summary_writes(world)) == 2
    assert note["body"].startswith(f"{TITLE}\n\n**The full summary could not be posted** (GitLab answered 413")
    assert "the whole review is in the job's `gl-reviewer.json` artifact" in note["body"]
    state = markers.summary_marker(note["body"])
    skipped = {n.path for n in mr.not_reviewed}
    reviewed = {f.path: file_state(f) for f in mr.files if f.reviewable and f.path not in skipped}
    assert state is not None and state.head_sha == mr.diff_refs.head_sha and state.file_states == reviewed
    assert len(report.threads) == 1
    # The next run finds the state: the reviewed files are not sent again, the thread not posted twice.
    again = load_gitlab_mr(client, world.project_id, world.iid)
    assert compute_increment(again).unchanged == set(reviewed)
    second = publish(client, again, result_of(inline), dry_run=False)
    assert second.threads == [] and second.existing == ["added"] and second.summary_action == "updated"
    [note] = summary_notes(world.sim, world.mr)
    assert "### Findings not posted inline" not in note["body"] and "could not be posted" not in note["body"]


def test_a_refused_edit_falls_back_in_place_and_a_second_refusal_fails_the_run(world):
    client = world.client()
    publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(), dry_run=False)
    [first] = summary_notes(world.sim, world.mr)
    _fault_on_summary(world, "PUT", 400)
    report = publish(client, load_gitlab_mr(client, world.project_id, world.iid),
                     result_of(finding("src/app.py", 5, fp="new")), dry_run=False)
    [note] = summary_notes(world.sim, world.mr)
    assert note["id"] == first["id"] and report.summary_action == "updated (minimal: the full summary was refused)"
    assert "could not be posted** (GitLab refused PUT" in note["body"]

    _fault_on_summary(world, "PUT", 400, times=2)
    with pytest.raises(GitLabError):
        publish(client, load_gitlab_mr(client, world.project_id, world.iid),
                result_of(finding("src/app.py", 9, fp="other")), dry_run=False)
    assert summary_notes(world.sim, world.mr)[0]["body"] == note["body"]


def test_a_permission_error_is_not_retried_with_a_minimal_summary(world):
    client = world.client()
    _fault_on_summary(world, "POST", 403)
    with pytest.raises(GitLabError, match="Developer role"):
        publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(), dry_run=False)
    assert len(_summary_writes(world)) == 1 and summary_notes(world.sim, world.mr) == []
