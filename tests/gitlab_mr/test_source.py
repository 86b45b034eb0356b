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
