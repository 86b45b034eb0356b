"""Publishing findings to the simulator: each lands on the exact line GitLab accepts."""

from __future__ import annotations

import hashlib
import importlib

from reviewer.gitlab_mr import load_gitlab_mr, markers, publish
from reviewer.gitlab_mr.positions import Placement
from reviewer.models import Category, Finding, ReviewResult, RiskAssessment, RiskTier, Severity


def finding(path: str, line: int | None, *, end: int | None = None, side: str = "new", fp: str,
            sev: Severity = Severity.IMPORTANT, **kw) -> Finding:
    return Finding(path=path, line=line, end_line=end, side=side, severity=sev, category=Category.QUALITY,
                   title=kw.pop("title", f"Problem {fp}"), body=kw.pop("body", "Why it matters."),
                   agent="quality", fingerprint=fp, **kw)


def result_of(*findings: Finding, file_findings: tuple[Finding, ...] = ()) -> ReviewResult:
    return ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL, reasons=["touches src/"]),
                        findings=list(findings), file_findings=list(file_findings))


def code(path: str, old_pos: int, new_pos: int) -> str:
    return f"{hashlib.sha1(path.encode()).hexdigest()}_{old_pos}_{new_pos}"


def threads_by_fp(sim, mr) -> dict[str, dict]:
    out = {}
    for discussion in sim.discussions(mr):
        marker = markers.finding_marker(discussion["notes"][0]["body"])
        if marker:
            assert marker.fp not in out, f"duplicate thread for {marker.fp}"
            out[marker.fp] = discussion
    return out


def summary_notes(sim, mr) -> list[dict]:
    return [n for n in sim.notes(mr) if markers.summary_marker(n["body"])]


LINE_CASES = [
    # (finding, expected position line fields, expected (path for line_code, old_pos, new_pos))
    (finding("src/app.py", 5, fp="added"), {"new_line": 5}, ("src/app.py", 7, 5)),
    (finding("src/app.py", 30, side="old", fp="removed"), {"old_line": 30}, None),
    (finding("src/app.py", 3, fp="context"), {"old_line": 3, "new_line": 3}, ("src/app.py", 3, 3)),
    (finding("src/app.py", 9, fp="shifted-context"), {"old_line": 8, "new_line": 9}, ("src/app.py", 8, 9)),
    (finding("new_name.py", 10, fp="renamed"), {"new_line": 10}, None),
    (finding("brand_new.py", 2, fp="new-file"), {"new_line": 2}, ("brand_new.py", 0, 2)),
    (finding("to_delete.txt", 2, side="old", fp="deleted"), {"old_line": 2}, ("to_delete.txt", 2, 0)),
]


def test_each_finding_lands_on_its_exact_line(world):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    report = publish(client, mr, result_of(*(c[0] for c in LINE_CASES)), dry_run=False,
                     inline_min_severity=Severity.SUGGESTION, max_inline=20)
    assert not report.not_inline, report.not_inline
    assert world.sim.errors == []
    threads = threads_by_fp(world.sim, world.mr)
    refs = world.mr.diff_refs
    for case, expected_lines, expected_code in LINE_CASES:
        note = threads[case.fingerprint]["notes"][0]
        position = note["position"]
        assert note["type"] == "DiffNote"
        assert {k: position.get(k) for k in ("old_line", "new_line") if position.get(k) is not None} == expected_lines
        assert (position["base_sha"], position["start_sha"], position["head_sha"]) == (
            refs["base_sha"], refs["start_sha"], refs["head_sha"])
        if expected_code:
            assert note["line_code"] == code(*expected_code), case.fingerprint
    renamed = threads["renamed"]["notes"][0]["position"]
    assert (renamed["old_path"], renamed["new_path"]) == ("old_name.py", "new_name.py")
    new_file = threads["new-file"]["notes"][0]["position"]
    assert new_file["old_path"] == new_file["new_path"] == "brand_new.py"
    deleted = threads["deleted"]["notes"][0]["position"]
    assert deleted["old_path"] == deleted["new_path"] == "to_delete.txt"
    assert len(summary_notes(world.sim, world.mr)) == 1


def test_multi_line_range_with_one_click_suggestion(world):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    multi = finding("src/app.py", 5, end=7, fp="range", suggestion="five\nsix\nsix and a half\n")
    publish(client, mr, result_of(multi), dry_run=False)
    note = threads_by_fp(world.sim, world.mr)["range"]["notes"][0]
    position = note["position"]
    assert position["new_line"] == 7 and position.get("old_line") is None
    assert position["line_range"]["start"] == {"line_code": code("src/app.py", 7, 5), "type": "new"}
    assert position["line_range"]["end"] == {"line_code": code("src/app.py", 7, 7), "type": "new"}
    assert "```suggestion:-2+0\nfive\nsix\nsix and a half\n```" in note["body"]
    assert note["body"].startswith("**🟠 Important · Code Quality**\nProblem range")


def test_unplaceable_and_file_level_findings_reach_the_summary(world):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    outside = finding("src/app.py", 20, fp="outside", title="Outside the diff")
    whole = finding("src/app.py", None, fp="whole", title="Whole file problem")
    low = finding("src/app.py", 3, fp="low", sev=Severity.NOTE, title="Tiny nit")
    too_large = finding("big.txt", 50, fp="big", title="In a too-large file")
    report = publish(client, mr, result_of(outside, low, too_large, file_findings=(whole,)), dry_run=False,
                     inline_min_severity=Severity.SUGGESTION)
    assert report.threads == []
    assert threads_by_fp(world.sim, world.mr) == {}
    [summary] = summary_notes(world.sim, world.mr)
    assert summary["type"] is None and not summary["resolvable"]
    for title in ("Outside the diff", "Whole file problem", "Tiny nit", "In a too-large file"):
        assert title in summary["body"]
    assert "big.txt" in summary["body"] and "too large" in summary["body"]
    assert not any(r.method == "POST" and r.path.endswith("/discussions") for r in world.sim.request_log)


def test_rerun_edits_the_summary_and_posts_nothing_twice(world):
    client = world.client()
    cases = [c[0] for c in LINE_CASES[:3]]
    publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(*cases), dry_run=False)
    first = summary_notes(world.sim, world.mr)
    report = publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(*cases), dry_run=False)
    assert report.threads == [] and sorted(report.existing) == sorted(c.fingerprint for c in cases)
    assert report.summary_action == "updated"
    second = summary_notes(world.sim, world.mr)
    assert len(second) == 1 and second[0]["id"] == first[0]["id"]
    assert len(threads_by_fp(world.sim, world.mr)) == 3
    puts = [r for r in world.sim.request_log if r.method == "PUT" and r.path.endswith(f"/notes/{first[0]['id']}")]
    assert len(puts) == 1
    state = markers.summary_marker(second[0]["body"])
    assert state is not None and [r.head_sha for r in state.history] == [world.mr.diff_refs["head_sha"]] * 2


def test_a_higher_severity_comeback_gets_a_new_thread(world):
    client = world.client()
    low = finding("src/app.py", 5, fp="same", sev=Severity.SUGGESTION)
    publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(low), dry_run=False)
    high = low.model_copy(update={"severity": Severity.CRITICAL})
    report = publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(high), dry_run=False)
    assert len(report.threads) == 1
    assert len([d for d in world.sim.discussions(world.mr) if not d["individual_note"]]) == 2


def test_max_inline_sends_the_rest_to_the_summary(world):
    client = world.client()
    cases = [c[0] for c in LINE_CASES]
    report = publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(*cases),
                     dry_run=False, max_inline=2)
    assert len(report.threads) == 2
    assert sum("over the limit" in reason for _, reason in report.not_inline) == len(cases) - 2


def test_dry_run_writes_nothing(world):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    report = publish(client, mr, result_of(*(c[0] for c in LINE_CASES)), dry_run=True)
    assert len(report.threads) == len(LINE_CASES)
    assert report.summary_action == "would be created"
    assert all(r.method == "GET" for r in world.sim.request_log)
    text = report.describe()
    assert "would post 7 inline thread(s)" in text and "AI review summary" in text


def test_head_moved_during_review_posts_on_reviewed_shas_and_says_so(world):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    reviewed = mr.diff_refs.head_sha
    from tests.gitlab_mr.conftest import git
    git(world.repo, "checkout", "-q", "feature")
    (world.repo / "later.txt").write_text("pushed later\n")
    git(world.repo, "add", "later.txt")
    git(world.repo, "commit", "-q", "-m", "later")
    git(world.repo, "checkout", "-q", "main")
    world.sim.push(world.mr, pusher="alice")
    report = publish(client, mr, result_of(LINE_CASES[0][0]), dry_run=False)
    assert report.head_moved and report.current_head_sha != reviewed
    [summary] = summary_notes(world.sim, world.mr)
    assert "moved on" in summary["body"] and reviewed in summary["body"]
    assert len(report.threads) == 1


def test_a_refused_position_moves_to_the_summary_without_a_storm(world, monkeypatch):
    """When our diff and GitLab's disagree (e.g. a rebuilt diff), GitLab's 400 is the last word."""
    publish_mod = importlib.import_module("reviewer.gitlab_mr.publish")

    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    real_place = publish_mod.place

    def lying_place(f, m):  # pretend local validation passed for lines GitLab will refuse
        p = real_place(f, m)
        if p.placeable:
            return p
        pos = {**real_place(LINE_CASES[0][0], m).position, "new_line": f.line}
        return Placement(f, position=pos)

    monkeypatch.setattr(publish_mod, "place", lying_place)
    bad_findings = [finding("src/app.py", 15 + i, fp=f"bad{i}") for i in range(5)]
    report = publish(client, mr, result_of(*bad_findings), dry_run=False)
    posts = [r for r in world.sim.request_log if r.method == "POST" and r.path.endswith("/discussions")]
    assert [r.status for r in posts] == [400, 400, 400]
    assert len(report.not_inline) == 5 and report.threads == []
    assert sum("line_code" in reason for _, reason in report.not_inline) == 3
    [summary] = summary_notes(world.sim, world.mr)
    assert all(f"Problem bad{i}" in summary["body"] for i in range(5))


def test_a_finding_on_a_collapsed_file_lands_after_recovery(world):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    report = publish(client, mr, result_of(finding("collapsed.txt", 2, fp="collapsed")), dry_run=False)
    assert len(report.threads) == 1
    note = threads_by_fp(world.sim, world.mr)["collapsed"]["notes"][0]
    assert note["position"]["new_line"] == 2 and note["line_code"] == code("collapsed.txt", 3, 2)


def test_mixed_range_from_context_to_added_line(world):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    mixed = finding("src/app.py", 3, end=5, fp="mixed", suggestion="a\nb\nc")
    on_new_file_old_side = finding("brand_new.py", 1, side="old", fp="coerced")
    report = publish(client, mr, result_of(mixed, on_new_file_old_side), dry_run=False)
    assert len(report.threads) == 2
    threads = threads_by_fp(world.sim, world.mr)
    position = threads["mixed"]["notes"][0]["position"]
    assert position["line_range"] == {"start": {"line_code": code("src/app.py", 3, 3), "type": "old"},
                                      "end": {"line_code": code("src/app.py", 7, 5), "type": "new"}}
    assert position["new_line"] == 5 and "```suggestion:-2+0\na\nb\nc\n```" in threads["mixed"]["notes"][0]["body"]
    assert threads["coerced"]["notes"][0]["position"]["new_line"] == 1


def test_a_thread_another_job_posts_meanwhile_is_not_posted_again(world):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    first, second = LINE_CASES[0][0], LINE_CASES[2][0]
    real_create = client.create_discussion
    posted: list[str] = []

    def create_then_race(project, iid, body, position, **kw):
        created = real_create(project, iid, body, position, **kw)
        posted.append(body)
        if len(posted) == 1:  # right after our first thread, a racing job posts the second finding
            publish(world.client(), mr, result_of(second), dry_run=False)
        return created

    client.create_discussion = create_then_race
    report = publish(client, mr, result_of(first, second), dry_run=False)
    assert [t.finding.fingerprint for t in report.threads] == [first.fingerprint]
    assert second.fingerprint in report.existing
    assert set(threads_by_fp(world.sim, world.mr)) == {first.fingerprint, second.fingerprint}  # no twin
