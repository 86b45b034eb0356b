"""A git project with one merge request covering every shape the reviewer must handle, served by
the GitLab simulator, and a fast-retrying client for it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewer.gitlab_mr import RetryPolicy, connect
from reviewer.gitlab_mr.client import GitLabClient
from tests.support.gitlab_sim import GitLabSimulator
from tests.support.gitlab_sim.fixtures import gitlab_sim  # noqa: F401 - fixture

TOKEN = "glpat-bot-secret-123456"
RO_TOKEN = "glpat-readonly-654321"
GUEST_TOKEN = "glpat-guest-777777"
JOB_TOKEN = "job-token-abcdef"
GENERATED = 120  # more than one page of /diffs at per_page=100
FAST = RetryPolicy(attempts=4, backoff_base=0.01, max_wait=2.0)

APP_OLD = "".join(f"line {i}\n" for i in range(1, 41))
# Lines 5-6 replaced by three new lines, line 30 removed, a line appended at the end.
APP_NEW_LINES = [f"line {i}" for i in range(1, 41)]
APP_NEW_LINES[4:6] = ["new five", "new six", "new six and a half"]
APP_NEW_LINES.remove("line 30")
APP_NEW_LINES.append("appended")
APP_NEW = "\n".join(APP_NEW_LINES) + "\n"


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return stdout."""
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _write(repo: Path, path: str, text: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory) -> Path:
    """main + feature branches; copied per test so pushes stay local to a test."""
    repo = tmp_path_factory.mktemp("template") / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "T")
    git(repo, "config", "user.email", "t@example.test")
    _write(repo, "src/app.py", APP_OLD)
    _write(repo, "old_name.py", "".join(f"keep {i}\n" for i in range(1, 11)))
    _write(repo, "to_delete.txt", "gone 1\ngone 2\ngone 3\n")
    _write(repo, "big.txt", "big\n" * 50)
    _write(repo, "collapsed.txt", "c1\nc2\nc3\nc4\n")
    _write(repo, "AGENTS.md", "root rules (target)\n")
    _write(repo, "src/AGENTS.md", "src rules (target)\n")
    _write(repo, ".reviewer.yml", "max_inline_comments: 7\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    _write(repo, "src/app.py", APP_NEW)
    git(repo, "mv", "old_name.py", "new_name.py")
    _write(repo, "new_name.py", "".join(f"keep {i}\n" for i in range(1, 10)) + "changed 10\n")
    _write(repo, "brand_new.py", "def hello():\n    return 1\n")
    (repo / "to_delete.txt").unlink()
    _write(repo, "big.txt", "big\n" * 49 + "bigger\n")
    _write(repo, "collapsed.txt", "c1\nc2 changed\nc3\nc4\n")
    _write(repo, "AGENTS.md", "root rules (changed by the MR!)\n")
    _write(repo, ".reviewer.yml", "max_inline_comments: 0\n")
    for i in range(GENERATED):
        _write(repo, f"gen/file_{i:03d}.txt", f"generated {i}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feature")
    git(repo, "checkout", "-q", "main")
    return repo


@dataclass
class World:
    """One simulator with the project and MR, plus handy references."""

    sim: GitLabSimulator
    repo: Path
    project: object
    mr: object

    @property
    def project_id(self) -> int:
        return self.project.id  # type: ignore[attr-defined]

    @property
    def iid(self) -> int:
        return self.mr.iid  # type: ignore[attr-defined]

    def client(self, token: str | None = TOKEN, job_token: str | None = None) -> GitLabClient:
        return connect(self.sim.url, token, job_token, policy=FAST)


@pytest.fixture
def world(gitlab_sim: GitLabSimulator, template_repo: Path, tmp_path: Path) -> World:  # noqa: F811
    repo = tmp_path / "repo"
    shutil.copytree(template_repo, repo)
    gitlab_sim.add_user("alice", role="developer")
    gitlab_sim.add_user("bot", role="developer")
    gitlab_sim.add_user("visitor", role="guest")
    gitlab_sim.add_token(TOKEN, "bot", scopes=("api",))
    gitlab_sim.add_token(RO_TOKEN, "bot", scopes=("read_api",))
    gitlab_sim.add_token(GUEST_TOKEN, "visitor", scopes=("api",))
    gitlab_sim.add_token(JOB_TOKEN, "bot", kind="job")
    project = gitlab_sim.create_project("group/proj", repo)
    mr = gitlab_sim.create_mr(project, "feature", "main", title="Feature", description="desc", author="alice")
    gitlab_sim.mark_file(mr, "big.txt", too_large=True)
    gitlab_sim.mark_file(mr, "collapsed.txt", collapsed=True)
    return World(gitlab_sim, repo, project, mr)
