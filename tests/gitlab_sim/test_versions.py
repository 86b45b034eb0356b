"""New pushes: versions, thread tracing, outdated threads, system notes."""

from __future__ import annotations

from .conftest import commit, git, write


def post(mr, **line) -> dict:
    position = {**mr.diff_refs, "position_type": "text", "old_path": "README.md", "new_path": "README.md", **line}
    return mr.discussions.create({"body": "finding", "position": position}).attributes


def test_unchanged_line_moves_and_is_rewritten(sim, mr, repo):
    moved = post(mr, new_line=21)  # "inserted after 20"
    changed = post(mr, new_line=11)  # "changed 11"
    git(repo, "checkout", "-q", "feature")
    text = (repo / "README.md").read_text().replace("changed 11\n", "changed 11 again\n")
    write(repo, "README.md", "top\n" + text)
    commit(repo, "second")
    version = sim.push(sim.mr)
    assert len(sim.mr.versions) == 2 and version.head_commit_sha == sim.mr.diff_refs["head_sha"]

    by_id = {d["id"]: d for d in sim.discussions(sim.mr)}
    moved_pos = by_id[moved["id"]]["notes"][0]["position"]
    assert moved_pos["new_line"] == 22 and moved_pos["head_sha"] == version.head_commit_sha
    outdated = by_id[changed["id"]]
    assert outdated["notes"][0]["position"]["head_sha"] != version.head_commit_sha
    assert outdated["notes"][-1]["system"] and "changed this line in" in outdated["notes"][-1]["body"]
    assert outdated["resolved"] is False
    assert any(n["system"] and n["body"].startswith("added 1 commit") for n in sim.notes(sim.mr))
    assert len(mr.diffs.list(get_all=True)) == 2


def test_outdated_threads_auto_resolve_when_enabled(sim, mr, repo):
    sim.project.resolve_outdated_diff_discussions = True
    changed = post(mr, new_line=11)
    write(repo, "README.md", (repo / "README.md").read_text().replace("changed 11\n", "other\n"))
    commit(repo, "rewrite")
    sim.push(sim.mr, pusher="alice")
    d = next(d for d in sim.discussions(sim.mr) if d["id"] == changed["id"])
    assert d["resolved"] is True and d["notes"][0]["resolved_by"]["username"] == "alice"


def test_position_on_old_version_is_traced_to_latest(sim, mr, repo):
    old_refs = dict(mr.diff_refs)
    write(repo, "README.md", "top\n" + (repo / "README.md").read_text())
    commit(repo, "shift")
    sim.push(sim.mr)
    position = {**old_refs, "position_type": "text", "old_path": "README.md", "new_path": "README.md",
                "new_line": 11}
    d = mr.discussions.create({"body": "late", "position": position})
    assert d.attributes["notes"][0]["position"]["new_line"] == 12
    assert d.attributes["notes"][0]["position"]["head_sha"] == sim.mr.diff_refs["head_sha"]


def test_rebase_onto_newer_target_moves_every_line(sim, mr, repo):
    added = post(mr, new_line=11)
    removed = post(mr, old_line=11)
    context = post(mr, old_line=21, new_line=22)
    git(repo, "checkout", "-q", "main")
    write(repo, "README.md", "head 1\nhead 2\n" + (repo / "README.md").read_text())
    commit(repo, "target moves on")
    git(repo, "checkout", "-q", "feature")
    git(repo, "rebase", "-q", "main")
    sim.push(sim.mr)
    by_id = {d["id"]: d["notes"][0] for d in sim.discussions(sim.mr)}
    refs = sim.mr.diff_refs
    for d, old_line, new_line in ((added, None, 13), (removed, 13, None), (context, 23, 24)):
        note = by_id[d["id"]]
        assert note["position"]["head_sha"] == refs["head_sha"] and note["position"]["base_sha"] == refs["base_sha"]
        assert (note["position"]["old_line"], note["position"]["new_line"]) == (old_line, new_line)
    assert not any("changed this line" in n["body"] for n in sim.notes(sim.mr))


def test_multi_line_thread_is_traced_with_its_range(sim, mr, repo):
    import hashlib

    sha = hashlib.sha1(b"README.md").hexdigest()
    rng = {"start": {"line_code": f"{sha}_8_8", "type": "old"}, "end": {"line_code": f"{sha}_12_11", "type": "new"}}
    d = post(mr, new_line=11, line_range=rng)
    write(repo, "README.md", "top\n" + (repo / "README.md").read_text())
    commit(repo, "shift")
    sim.push(sim.mr)
    pos = next(x for x in sim.discussions(sim.mr) if x["id"] == d["id"])["notes"][0]["position"]
    assert pos["new_line"] == 12
    assert pos["line_range"]["start"]["line_code"] == f"{sha}_8_9"
    assert pos["line_range"]["end"]["line_code"] == f"{sha}_12_12"
