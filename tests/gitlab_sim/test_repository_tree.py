"""`GET /projects/:id/repository/tree`: folder listings at a ref, recursive, paginated, 404s."""

from __future__ import annotations

import gitlab
import pytest

from tests.gitlab_sim.conftest import commit, git, write


def test_tree_lists_a_folder_at_a_ref(gl, sim, repo):
    git(repo, "checkout", "-q", "main")
    write(repo, "rules/a.yaml", "a\n")
    write(repo, "rules/team/b.yml", "b\n")
    write(repo, "other.txt", "x\n")
    main_sha = commit(repo, "rules")
    project = gl.projects.get(sim.project.id, lazy=True)

    flat = project.repository_tree(path="rules", ref=main_sha, get_all=True)
    assert [(e["path"], e["type"], e["name"]) for e in flat] == [
        ("rules/a.yaml", "blob", "a.yaml"), ("rules/team", "tree", "team")]
    deep = project.repository_tree(path="rules", ref=main_sha, recursive=True, get_all=True)
    assert sorted((e["path"], e["type"]) for e in deep) == [
        ("rules/a.yaml", "blob"), ("rules/team", "tree"), ("rules/team/b.yml", "blob")]
    assert all(len(e["id"]) == 40 and e["mode"] for e in deep)
    # The feature branch does not have the folder.
    with pytest.raises(gitlab.GitlabGetError) as err:
        project.repository_tree(path="rules", ref="feature", get_all=True)
    assert err.value.response_code == 404 and "Tree Not Found" in str(err.value)


def test_tree_of_root_is_paginated_and_unknown_paths_404(gl, sim, repo):
    for i in range(30):
        write(repo, f"many/f{i:02}.txt", f"{i}\n")
    sha = commit(repo, "many files")
    project = gl.projects.get(sim.project.id, lazy=True)
    with pytest.warns(UserWarning):  # python-gitlab warns that only the first page came back
        first = project.repository_tree(path="many", ref=sha)
    assert len(first) == 20
    assert len(project.repository_tree(path="many", ref=sha, get_all=True, per_page=7)) == 30
    root = project.repository_tree(ref=sha, get_all=True)
    assert {"README.md", "many"} <= {e["path"] for e in root}
    for path in ("nowhere", "README.md"):  # a missing path, and a file rather than a folder
        with pytest.raises(gitlab.GitlabGetError) as err:
            project.repository_tree(path=path, ref=sha, get_all=True)
        assert err.value.response_code == 404
