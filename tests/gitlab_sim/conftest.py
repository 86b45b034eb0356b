"""Fixtures: a git repo with an MR branch, a running simulator, python-gitlab clients."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import gitlab
import pytest

from tests.support.gitlab_sim import GitLabSimulator


def git(repo: Path, *args: str) -> str:
    """Run git in `repo`."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def write(repo: Path, path: str, text: str) -> None:
    """Write a file in the working tree."""
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def commit(repo: Path, message: str) -> str:
    """Stage everything and commit; returns the SHA."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


BASE_README = "".join(f"line {i}\n" for i in range(1, 31))


@pytest.fixture(scope="session")
def _template_repo(tmp_path_factory) -> Path:
    """main: README(30 lines), old.txt, gone.txt; feature: edits README, renames, adds, deletes."""
    import os

    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    env = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.test",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.test"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return _build_template(tmp_path_factory.mktemp("template") / "repo")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def repo(_template_repo: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template repository, on branch `feature`."""
    target = tmp_path / "repo"
    shutil.copytree(_template_repo, target)
    return target


def _build_template(r: Path) -> Path:
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    write(r, "README.md", BASE_README)
    write(r, "old.txt", "".join(f"keep {i}\n" for i in range(1, 21)))
    write(r, "gone.txt", "bye 1\nbye 2\n")
    write(r, "AGENTS.md", "be nice\n")
    commit(r, "base")
    git(r, "checkout", "-q", "-b", "feature")
    lines = BASE_README.splitlines(keepends=True)
    lines[10] = "changed 11\n"  # line 11 replaced
    lines.insert(20, "inserted after 20\n")
    write(r, "README.md", "".join(lines))
    git(r, "mv", "old.txt", "new.txt")
    write(r, "new.txt", (r / "new.txt").read_text() + "appended\n")
    write(r, "added.py", "print('a')\nprint('b')\n")
    git(r, "rm", "-q", "gone.txt")
    commit(r, "feature work")
    return r


@pytest.fixture
def sim(repo: Path):
    """A simulator with users/tokens, project `group/proj`, and MR !1 feature→main."""
    with GitLabSimulator() as s:
        s.add_user("bot", role="developer")
        s.add_user("alice", role="developer")
        s.add_user("rep", role="reporter")
        s.add_token("tok-bot", "bot")
        s.add_token("tok-alice", "alice")
        s.add_token("tok-rep", "rep")
        s.add_token("tok-ro", "bot", scopes=("read_api",))
        s.add_token("tok-job", "bot", kind="job")
        s.project = s.create_project("group/proj", repo)
        s.mr = s.create_mr(s.project, "feature", "main", title="Feature", author="alice")
        yield s
        assert not s.errors, s.errors


@pytest.fixture
def gl(sim) -> gitlab.Gitlab:
    """python-gitlab as the bot."""
    return gitlab.Gitlab(sim.url, private_token="tok-bot", retry_transient_errors=False)


@pytest.fixture
def mr(gl, sim):
    """The python-gitlab MR object for !1."""
    return gl.projects.get(sim.project.id, lazy=True).mergerequests.get(1)
