"""Loading a merge request from the simulator through python-gitlab."""

from __future__ import annotations

from urllib.parse import parse_qs

from reviewer.gitlab_mr import load_gitlab_mr
from tests.gitlab_mr.conftest import GENERATED


def test_loads_every_file_through_pagination_with_shapes(world):
    mr = load_gitlab_mr(world.client(), world.project_id, world.iid)
    paths = {f.path for f in mr.files}
    assert len([p for p in paths if p.startswith("gen/")]) == GENERATED
    diff_pages = [r for r in world.sim.request_log if r.path.endswith("/diffs")]
    assert len(diff_pages) == 2  # 100 + 20 files, following Link rel=next
    by_path = {f.path: f for f in mr.files}
    renamed = by_path["new_name.py"]
    assert renamed.renamed_file and renamed.old_path == "old_name.py"
    assert by_path["brand_new.py"].new_file and by_path["brand_new.py"].old_path == "brand_new.py"
    deleted = by_path["to_delete.txt"]
    assert deleted.deleted_file and deleted.new_path == "to_delete.txt" and deleted.removed == 3
    app = by_path["src/app.py"]
    assert app.added == 4 and app.removed == 3
    assert mr.diff_refs is not None and mr.diff_refs.head_sha == world.mr.diff_refs["head_sha"]
    assert mr.title == "Feature" and mr.source_branch == "feature" and mr.target_branch == "main"


def test_too_large_is_not_reviewed_and_collapsed_is_recovered(world):
    mr = load_gitlab_mr(world.client(), world.project_id, world.iid)
    by_path = {f.path: f for f in mr.files}
    assert by_path["big.txt"].skip_reason and not by_path["big.txt"].hunks
    assert [n.path for n in mr.not_reviewed] == ["big.txt"]
    assert "too large" in mr.not_reviewed[0].reason
    collapsed = by_path["collapsed.txt"]
    assert collapsed.reviewable
    assert [(ln.kind, ln.content) for ln in collapsed.iter_lines() if ln.kind != "context"] == [
        ("removed", "c2"), ("added", "c2 changed")]


def test_repo_context_is_read_at_the_target_branch(world):
    mr = load_gitlab_mr(world.client(), world.project_id, world.iid)
    assert mr.agents_md[""] == "root rules (target)\n"
    assert mr.agents_md["src"] == "src rules (target)\n"
    assert "gen" not in mr.agents_md
    assert mr.repo_config_text == "max_inline_comments: 7\n"
    context_reads = [r for r in world.sim.request_log
                     if r.path.endswith(("AGENTS.md/raw", ".reviewer.yml/raw"))]
    assert context_reads
    assert {parse_qs(r.query)["ref"][0] for r in context_reads} == {world.mr.diff_refs["start_sha"]}


def test_collapsed_file_is_rebuilt_from_raw_files_when_versions_are_unavailable(world):
    world.sim.faults.add(method="GET", path_regex=r"/versions$", status=404, times=1)
    world.sim.mark_file(world.mr, "src/app.py", collapsed=True)
    mr = load_gitlab_mr(world.client(), world.project_id, world.iid)
    by_path = {f.path: f for f in mr.files}
    collapsed = by_path["collapsed.txt"]
    assert [(ln.kind, ln.content, ln.old_line, ln.new_line) for ln in collapsed.iter_lines()] == [
        ("context", "c1", 1, 1), ("removed", "c2", 2, None), ("added", "c2 changed", None, 2),
        ("context", "c3", 3, 3), ("context", "c4", 4, 4)]
    app = by_path["src/app.py"]
    assert (app.added, app.removed) == (4, 3)
    assert app.find_line(5, "new").kind == "added" and app.find_line(30, "old").kind == "removed"
    refs = world.mr.diff_refs
    reads = {(r.path.rsplit("/files/", 1)[1], parse_qs(r.query)["ref"][0]) for r in world.sim.request_log
             if "collapsed.txt" in r.path}
    assert reads == {("collapsed.txt/raw", refs["base_sha"]), ("collapsed.txt/raw", refs["head_sha"])}


def test_unified_diff_is_accepted_by_the_gitlab_parser():
    from reviewer.diff import parse_gitlab_diff
    from reviewer.gitlab_mr.source import unified_diff

    text = unified_diff("a\nb\nc\n", "a\nB\nc\nd\n")
    assert text.startswith("@@ -1,3 +1,4 @@\n")
    parsed = parse_gitlab_diff(text, old_path="x", new_path="x")
    assert [(ln.kind, ln.content) for ln in parsed.iter_lines()] == [
        ("context", "a"), ("removed", "b"), ("added", "B"), ("context", "c"), ("added", "d")]
    assert unified_diff("same\n", "same\n") == ""


def test_files_hidden_by_gitlab_diff_limits_are_reported():
    from reviewer.gitlab_mr.source import _hidden_by_limits

    assert _hidden_by_limits("127", 127) is None and _hidden_by_limits(None, 3) is None
    hidden = _hidden_by_limits("1000+", 1000)
    assert hidden is not None and hidden.reason == "GitLab counts more than 1000 changed files but lists only 1000"
