"""Reading the reviewer's earlier threads and summary back, and acknowledging fixed findings."""

from __future__ import annotations

from reviewer.gitlab_mr import load_gitlab_mr, markers, publish
from reviewer.models import Category, Severity
from tests.gitlab_mr.conftest import git
from tests.gitlab_mr.test_publish import LINE_CASES, finding, result_of, threads_by_fp


def _push_one_more_commit(world, *, force: bool = False) -> None:
    git(world.repo, "checkout", "-q", "feature")
    if force:
        git(world.repo, "commit", "-q", "--amend", "-m", "feature (amended)")
    else:
        (world.repo / "src" / "app.py").write_text("inserted above\n" + (world.repo / "src" / "app.py").read_text())
        git(world.repo, "commit", "-q", "-am", "shift everything by one line")
    git(world.repo, "checkout", "-q", "main")
    world.sim.push(world.mr, pusher="alice")


def test_prior_threads_carry_marker_replies_awards_and_state(world):
    client = world.client()
    first = finding("src/app.py", 5, fp="fp-a", sev=Severity.CRITICAL, rule_id="SEC-003", anchor="new five",
                    title="Injected SQL")
    second = finding("src/app.py", 3, fp="fp-b")
    publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(first, second), dry_run=False)
    threads = threads_by_fp(world.sim, world.mr)
    world.sim.add_human_reply(world.mr, threads["fp-b"]["id"], "won't fix, intended", "alice")
    world.sim.resolve_as(world.mr, threads["fp-b"]["id"], "alice")
    world.sim.award(world.mr, threads["fp-a"]["notes"][0]["id"], "thumbsdown", "alice")

    mr = load_gitlab_mr(client, world.project_id, world.iid)
    by_fp = {t.fingerprint: t for t in mr.prior_threads}
    assert set(by_fp) == {"fp-a", "fp-b"}
    a, b = by_fp["fp-a"], by_fp["fp-b"]
    assert (a.severity, a.category, a.rule_id, a.anchor, a.title) == (
        Severity.CRITICAL, Category.QUALITY, "SEC-003", "new five", "Injected SQL")
    assert (a.path, a.line, a.resolved, a.outdated) == ("src/app.py", 5, False, False)
    assert a.notes[0].is_reviewer and a.notes[0].awards == ["thumbsdown"]
    assert b.resolved and not b.resolved_by_reviewer
    assert [(n.author, n.is_reviewer) for n in b.notes] == [("bot", True), ("alice", False)]
    assert mr.prior_summary is not None and "AI review summary" in mr.prior_summary
    assert mr.prior_state is not None and mr.prior_state.head_sha == world.mr.diff_refs["head_sha"]
    assert mr.prior_state.head_reachable and mr.prior_state.history[0].counts["critical"] == 1
    assert "src/app.py" in mr.prior_state.file_states


def test_after_a_push_threads_follow_or_go_outdated_and_the_old_head_stays_reachable(world):
    client = world.client()
    cases = [LINE_CASES[0][0], LINE_CASES[4][0]]  # src/app.py (shifted by the push) and new_name.py
    publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(*cases), dry_run=False)
    old_head = world.mr.diff_refs["head_sha"]
    _push_one_more_commit(world)
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    by_fp = {t.fingerprint: t for t in mr.prior_threads}
    assert not by_fp["renamed"].outdated  # unchanged file: GitLab rewrote it to the new SHAs
    assert (by_fp["added"].line, by_fp["added"].outdated) == (6, False)  # moved down with its code
    assert mr.prior_state.head_sha == old_head and mr.prior_state.head_reachable


def test_force_push_makes_the_old_head_unreachable(world):
    client = world.client()
    publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(LINE_CASES[0][0]), dry_run=False)
    _push_one_more_commit(world, force=True)
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    assert mr.prior_state is not None and not mr.prior_state.head_reachable


def test_fixed_threads_get_one_acknowledgement_and_are_resolved(world):
    client = world.client()
    publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(LINE_CASES[0][0]), dry_run=False)
    for _ in range(2):  # the second run must not reply again
        mr = load_gitlab_mr(client, world.project_id, world.iid)
        report = publish(client, mr, result_of(), dry_run=False, fixed=mr.prior_threads, fixed_in="abcdef1234567")
    assert report.acknowledged == []
    [thread] = threads_by_fp(world.sim, world.mr).values()
    bodies = [n["body"] for n in thread["notes"] if not n["system"]]
    assert len(bodies) == 2 and bodies[1].startswith("Fixed in abcdef1.")
    assert thread["notes"][0]["resolved"] and thread["notes"][0]["resolved_by"]["username"] == "bot"
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    assert mr.prior_threads[0].resolved_by_reviewer


def test_a_changed_line_leaves_its_thread_outdated(world):
    client = world.client()
    publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(LINE_CASES[0][0]), dry_run=False)
    git(world.repo, "checkout", "-q", "feature")
    app = world.repo / "src" / "app.py"
    app.write_text(app.read_text().replace("new five\n", "new FIVE\n"))
    git(world.repo, "commit", "-q", "-am", "edit the commented line")
    git(world.repo, "checkout", "-q", "main")
    world.sim.push(world.mr, pusher="alice")
    [thread] = load_gitlab_mr(client, world.project_id, world.iid).prior_threads
    assert thread.outdated and thread.fingerprint == "added"
    assert any(n.system for n in thread.notes)


def test_kept_findings_are_not_posted_and_a_fixed_finding_that_returns_is(world):
    client = world.client()
    case = LINE_CASES[0][0]
    publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(case), dry_run=False)
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    report = publish(client, mr, result_of(case), dry_run=False, keep={case.fingerprint: "dismissed"})
    assert report.threads == [] and [f.fingerprint for f, _ in report.kept] == [case.fingerprint]
    publish(client, mr, result_of(), dry_run=False, fixed=mr.prior_threads, fixed_in="abcdef1234567")
    report = publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(case), dry_run=False)
    assert len(report.threads) == 1  # the resolved (fixed) thread does not hide the finding's return
    fps = [m.fp for d in world.sim.discussions(world.mr)
           if (m := markers.finding_marker(d["notes"][0]["body"] if d["notes"] else None))]
    assert fps.count(case.fingerprint) == 2
