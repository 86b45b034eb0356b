"""Resolvability, replies, edits, awards and quick actions through python-gitlab."""

from __future__ import annotations

import gitlab
import pytest

from tests.support.gitlab_sim.errors import ApiError


def diff_position(mr) -> dict:
    return {**mr.diff_refs, "position_type": "text", "old_path": "README.md", "new_path": "README.md",
            "new_line": 11}


def test_general_note_is_not_resolvable(mr, sim):
    note = mr.notes.create({"body": "summary"})
    assert note.type is None and note.resolvable is False and not hasattr(note, "resolved")
    discussion = next(d for d in sim.discussions(sim.mr) if d["notes"][0]["id"] == note.id)
    assert discussion["individual_note"] is True and discussion["resolvable"] is False
    mr.notes.update(note.id, {"body": "summary v2"})
    assert mr.notes.get(note.id).body == "summary v2"
    # a reply converts the plain note into a resolvable thread, as GitLab does
    reply = mr.discussions.get(discussion["id"], lazy=True).notes.create({"body": "reply"})
    assert reply.type == "DiscussionNote" and reply.resolvable is True
    converted = mr.discussions.get(discussion["id"])
    assert converted.individual_note is False and converted.attributes["notes"][0]["type"] == "DiscussionNote"


def test_discussion_kinds_and_reply_inheritance(mr, sim):
    plain = mr.discussions.create({"body": "general thread"})
    assert plain.attributes["notes"][0]["type"] == "DiscussionNote" and plain.resolvable is True
    diff = mr.discussions.create({"body": "inline", "position": diff_position(mr)})
    reply = diff.notes.create({"body": "reply"})
    assert reply.type == "DiffNote" and reply.position == diff.attributes["notes"][0]["position"]
    assert plain.notes.create({"body": "r"}).type == "DiscussionNote"
    human = sim.add_human_reply(sim.mr, diff.id, "thanks", "alice")
    assert human["author"]["username"] == "alice" and human["type"] == "DiffNote"


def test_resolve_roles_and_edit_exclusivity(gl, mr, sim):
    d = mr.discussions.create({"body": "inline", "position": diff_position(mr)})
    d.resolved = True
    d.save()
    assert mr.discussions.get(d.id).resolved is True
    reporter = gitlab.Gitlab(sim.url, private_token="tok-rep")
    rd = reporter.projects.get(1, lazy=True).mergerequests.get(1, lazy=True).discussions.get(d.id, lazy=True)
    rd.resolved = False
    with pytest.raises(gitlab.GitlabUpdateError) as err:
        rd.save()
    assert err.value.response_code == 403 and err.value.error_message == "403 Forbidden"
    nid = d.attributes["notes"][0]["id"]
    with pytest.raises(gitlab.GitlabHttpError) as err:
        gl.http_put(f"/projects/1/merge_requests/1/discussions/{d.id}/notes/{nid}",
                    post_data={"body": "x", "resolved": False})
    assert err.value.response_code == 400
    note = d.notes.get(nid, lazy=True)
    note.body = "edited"
    note.save()
    assert sim.discussions(sim.mr)[0]["notes"][0]["body"] == "edited"
    r = gl.http_put(f"/projects/1/merge_requests/1/discussions/{d.id}", query_data={"resolved": "false"})
    assert r["resolved"] is False
    # the MR author may resolve
    assert sim.resolve_as(sim.mr, d.id, "alice", resolved=False)["resolved"] is False


def test_quick_actions_execute_and_strip(mr, sim):
    note = mr.notes.create({"body": "Looks fine\n/approve\n```\n/merge\n```\n > /close"})
    assert "/approve" not in note.body and "/merge" in note.body
    assert [q["command"] for q in sim.executed_quick_actions] == ["approve"]
    result = mr.manager.gitlab.http_post("/projects/1/merge_requests/1/notes", post_data={"body": "/merge"})
    assert "merge" in result["commands_changes"]
    assert [q["command"] for q in sim.executed_quick_actions] == ["approve", "merge"]
    assert not any(n["body"] == "/merge" for n in sim.notes(sim.mr))


def test_award_emoji_and_duplicate_404(mr, sim):
    note = mr.notes.create({"body": "summary"})
    mr.notes.get(note.id, lazy=True).awardemojis.create({"name": "eyes"})
    with pytest.raises(gitlab.GitlabCreateError) as err:
        mr.notes.get(note.id, lazy=True).awardemojis.create({"name": "eyes"})
    assert err.value.response_code == 404
    sim.award(sim.mr, note.id, "thumbsup", "alice")
    names = [a.name for a in mr.notes.get(note.id, lazy=True).awardemojis.list(get_all=True)]
    assert names == ["eyes", "thumbsup"]


def test_mr_versions_commits_and_raw_file(gl, mr, sim):
    assert mr.sha == mr.diff_refs["head_sha"] and mr.changes_count == "4"
    versions = mr.diffs.list(get_all=True)
    assert versions[0].head_commit_sha == mr.sha
    assert [c.title for c in mr.commits()] == ["feature work"]
    project = gl.projects.get("group/proj")
    assert project.files.raw(file_path="AGENTS.md", ref=mr.diff_refs["start_sha"]) == b"be nice\n"
    with pytest.raises(gitlab.GitlabGetError) as err:
        project.files.raw(file_path="added.py", ref=mr.diff_refs["start_sha"])
    assert err.value.response_code == 404


def test_draft_notes_publish(mr, sim):
    bad = mr.draft_notes.create({"note": "bad", "position": {**diff_position(mr), "new_line": 16}})
    assert bad.line_code is None
    good = mr.draft_notes.create({"note": "good", "position": diff_position(mr)})
    assert good.line_code
    mr.draft_notes.bulk_publish()
    bodies = [n["body"] for n in sim.notes(sim.mr)]
    assert "good" in bodies and "bad" not in bodies


def test_unidiff_and_raw_diffs(gl, sim):
    items = gl.http_list("/projects/1/merge_requests/1/diffs", query_data={"unidiff": "true"}, get_all=True)
    added = next(x for x in items if x["new_path"] == "added.py")
    assert added["diff"].startswith("--- /dev/null\n+++ b/added.py\n@@ -0,0 +1,2 @@")
    raw = gl.http_get("/projects/1/merge_requests/1/raw_diffs", raw=True)
    assert b"diff --git a/README.md b/README.md" in raw.content


def test_mr_author_may_resolve_without_developer_role(mr, sim):
    d = mr.discussions.create({"body": "thread"})
    sim.mr.author = "rep"  # a reporter who authored the MR
    assert sim.resolve_as(sim.mr, d.id, "rep")["resolved"] is True
    sim.mr.author = "alice"
    with pytest.raises(ApiError) as err:  # the facade raises the simulator's own error
        sim.resolve_as(sim.mr, d.id, "rep", resolved=False)
    assert err.value.status == 403
