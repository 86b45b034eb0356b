"""The repository's own Codex rules, read through the tree and raw-file APIs at the target branch."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from structlog.testing import capture_logs

from reviewer.errors import ConfigError
from reviewer.gitlab_mr import load_gitlab_mr
from tests.gitlab_mr.conftest import _write, git


def _commit(world, message: str) -> None:
    git(world.repo, "add", "-A")
    git(world.repo, "commit", "-q", "-m", message)


def test_rule_folders_are_read_at_start_sha_across_tree_pages(world):
    git(world.repo, "checkout", "-q", "main")
    _write(world.repo, ".reviewer.yml", "codex_rule_dirs: ['.codex/', 'missing']\n")
    _write(world.repo, ".codex/REPO-001.yaml", "id: REPO-001  # main\n")
    for i in range(105):  # more than one page of the tree listing (per_page=100)
        _write(world.repo, f".codex/notes/n{i:03d}.md", "not a rule\n")
    _write(world.repo, ".codex/zz/REPO-002.yml", "id: REPO-002\n")
    _commit(world, "team rules")
    git(world.repo, "checkout", "-q", "feature")
    _write(world.repo, ".codex/REPO-001.yaml", "id: REPO-001  # rewritten by the MR\n")
    _write(world.repo, ".codex/REPO-003.yaml", "id: REPO-003  # added by the MR\n")
    _commit(world, "the MR edits its own rules")
    world.sim.push(world.mr)

    with capture_logs() as logs:
        mr = load_gitlab_mr(world.client(), world.project_id, world.iid)

    assert mr.repo_rule_files == {".codex/REPO-001.yaml": "id: REPO-001  # main\n",
                                  ".codex/zz/REPO-002.yml": "id: REPO-002\n"}
    start_sha = mr.diff_refs.start_sha
    assert start_sha == git(world.repo, "rev-parse", "main").strip()
    trees = [parse_qs(r.query) for r in world.sim.request_log if r.path.endswith("/repository/tree")]
    assert [(q["path"][0], q.get("page", ["1"])[0]) for q in trees if q["path"][0] == ".codex"] == [
        (".codex", "1"), (".codex", "2")]
    assert {q["ref"][0] for q in trees} == {start_sha}
    rule_reads = [r for r in world.sim.request_log if r.path.endswith((".yaml/raw", ".yml/raw")) and ".codex" in r.path]
    assert len(rule_reads) == 2 and {parse_qs(r.query)["ref"][0] for r in rule_reads} == {start_sha}
    assert [(e["event"], e["folder"]) for e in logs if e["log_level"] == "warning"] == [
        ("codex_rule_dir_not_found", "missing")]


def test_no_rule_folders_means_no_tree_requests(world):
    mr = load_gitlab_mr(world.client(), world.project_id, world.iid)
    assert mr.repo_rule_files == {}
    assert not [r for r in world.sim.request_log if r.path.endswith("/repository/tree")]


def test_an_invalid_config_on_the_target_branch_is_a_config_error(world):
    git(world.repo, "checkout", "-q", "main")
    _write(world.repo, ".reviewer.yml", "codex_rule_dirs: '.codex'\n")
    _commit(world, "broken config")
    world.sim.push(world.mr)
    with pytest.raises(ConfigError, match=r"^\.reviewer\.yml: bad value for 'codex_rule_dirs'"):
        load_gitlab_mr(world.client(), world.project_id, world.iid)
