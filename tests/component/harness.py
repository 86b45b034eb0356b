"""A consumer project that includes the reviewer's CI/CD component, run with gitlab-ci-local.

The consumer repo is a real git repository: ``main`` holds the component copy and a small module,
``feature`` changes the module. The GitLab simulator serves that repository as the project with one
MR (``feature`` → ``main``); the job runs on the host shell (``--force-shell-executor``) with the
installed ``reviewer`` on its PATH and talks HTTP to the simulator and the scripted model.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reviewer import __version__
from tests.release.tools import (
    COMPONENT_PROJECT,
    IMAGE_REPOSITORY,
    REVIEWER_PROJECT,
    seed_component_include,
    seed_project_include,
)
from tests.support.gitlab_sim import GitLabSimulator
from tests.support.scripted_model import ScriptedModel

ROOT = Path(__file__).resolve().parents[2]
COMPONENT = ROOT / "ci-component" / "templates" / "review.yml"
PROJECT_INCLUDE = ROOT / "ci-component" / "include" / "review.yml"
# The two documented includes (README "On GitLab"), resolved offline from gitlab-ci-local's include cache.
COMPONENT_ADDRESS = f"$CI_SERVER_FQDN/{COMPONENT_PROJECT}/review@{__version__}"
REVIEWER_BIN = Path(sys.executable).parent  # the installed `reviewer` the job's script calls
LOCAL_GCL = ROOT / ".ci" / "tools" / "node_modules" / ".bin" / "gitlab-ci-local"
GCL_SKIP_REASON = (
    "gitlab-ci-local is not installed (neither on PATH nor at .ci/tools/node_modules/.bin) or rsync is "
    "missing; .ci/run installs both: npm install --prefix .ci/tools gitlab-ci-local@4.65.1"
)
BOT_TOKEN = "glpat-consumer-bot-0123456789"
MODEL_KEY = "sk-scripted-consumer"
ALT_CONFIG_PATH = "ci/reviewer.yml"
FINDING_PATH = "src/shop/cart.py"
FINDING_LINE = 11  # the second `amount -= discount`, an added line
GCL_TIMEOUT_S = 180
# gitlab-ci-local warns when a run overrides these; a merge-request pipeline sets them.
PREDEFINED = ("CI_PIPELINE_SOURCE", "CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_PROJECT_ID",
              "CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "CI_COMMIT_BRANCH")

CART_MAIN = '''"""Shopping cart totals."""


def subtotal(items):
    return sum(item.price * item.quantity for item in items)
'''
CART_FEATURE = CART_MAIN + '''

def total(items, discount):
    amount = subtotal(items)
    amount -= discount
    amount -= discount
    return max(amount, 0)
'''


def gitlab_ci_local() -> str | None:
    """The gitlab-ci-local executable (PATH first, then the CI tools folder), or None if unusable."""
    if shutil.which("rsync") is None:
        return None
    found = shutil.which("gitlab-ci-local")
    if found:
        return found
    return str(LOCAL_GCL) if LOCAL_GCL.is_file() and os.access(LOCAL_GCL, os.X_OK) else None


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return stdout."""
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def build_consumer_repo(repo: Path) -> None:
    """``main``: README, the module and a reviewer config outside the default path; ``feature``: one
    change to the module."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Dev")
    git(repo, "config", "user.email", "dev@example.test")
    (repo / "README.md").write_text("# shop\n")
    (repo / "src" / "shop").mkdir(parents=True)
    (repo / FINDING_PATH).write_text(CART_MAIN)
    (repo / ALT_CONFIG_PATH).parent.mkdir()
    (repo / ALT_CONFIG_PATH).write_text("max_inline_comments: 0\n")  # used only with the `config` input
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "shop")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / FINDING_PATH).write_text(CART_FEATURE)
    git(repo, "commit", "-q", "-am", "Add total with discount")
    # An origin like a GitLab clone has, so gitlab-ci-local need not fall back (nothing is fetched).
    git(repo, "remote", "add", "origin", "https://gitlab.example.test/group/shop.git")
    for branch in ("main", "feature"):
        git(repo, "update-ref", f"refs/remotes/origin/{branch}", branch)
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")


@dataclass
class Run:
    """One gitlab-ci-local invocation."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Everything printed (stdout, then stderr)."""
        return f"{self.stdout}\n{self.stderr}"


@dataclass
class Consumer:
    """The consumer repo, the simulator holding it as a project with an open MR, and the model."""

    repo: Path
    home: Path
    sim: GitLabSimulator
    model: ScriptedModel
    project: Any
    mr: Any

    def write_pipeline(self, *, form: str = "component", extra: dict | None = None, **inputs: Any) -> None:
        """The consumer's ``.gitlab-ci.yml``: its own stage list and one documented include with ``inputs``.

        ``form="component"``: ``include: component: $CI_SERVER_FQDN/group/reviewer-component/review@X.Y.Z``,
        the component as the release job publishes it; ``form="project"``: ``include: project:
        group/reviewer, ref: vX.Y.Z, file: ci-component/include/review.yml`` with the ``image`` input.
        Either is put in gitlab-ci-local's include cache first, as if fetched. ``extra``: more top-level
        keys (e.g. ``workflow``, the consumer's own jobs)."""
        if form == "component":
            seed_component_include(self.repo, __version__)
            include = {"component": COMPONENT_ADDRESS, "inputs": inputs}
        elif form == "project":
            seed_project_include(self.repo, f"v{__version__}")
            include = {"project": REVIEWER_PROJECT, "ref": f"v{__version__}", "file": "ci-component/include/review.yml",
                       "inputs": {"image": f"{IMAGE_REPOSITORY}:{__version__}", **inputs}}
        else:
            raise ValueError(form)
        pipeline = {"stages": ["build", "test"], "include": [include], **(extra or {})}
        (self.repo / ".gitlab-ci.yml").write_text(yaml.safe_dump(pipeline, sort_keys=False))

    def merge_request_variables(self) -> dict[str, str]:
        """What GitLab sets in a merge-request pipeline, plus the project's CI/CD variables."""
        return {
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_MERGE_REQUEST_IID": str(self.mr.iid),
            "CI_MERGE_REQUEST_PROJECT_ID": str(self.project.id),
            "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": str(self.project.id),
            "REVIEWER_GITLAB_URL": self.sim.url,
            "REVIEWER_GITLAB_TOKEN": BOT_TOKEN,
            "REVIEWER_API_KEY": MODEL_KEY,
        }

    def gcl(self, *args: str, variables: dict[str, str] | None = None) -> Run:
        """Run gitlab-ci-local in the consumer repo with the installed reviewer on the job's PATH."""
        exe = gitlab_ci_local()
        assert exe is not None, GCL_SKIP_REASON
        command = [exe, "--no-color", "--home", str(self.home), "--ignore-predefined-vars", ",".join(PREDEFINED)]
        for key, value in (variables or {}).items():
            command += ["--variable", f"{key}={value}"]
        # GCL_* variables are gitlab-ci-local options: a developer's shell must not change the run.
        env = {k: v for k, v in os.environ.items() if not k.startswith("GCL_")}
        # The shell executor runs the job with gitlab-ci-local's own environment underneath the CI
        # variables, so this is how the job finds `reviewer` (the venv running these tests).
        env["PATH"] = os.pathsep.join([str(REVIEWER_BIN), env.get("PATH", "")])
        proc = subprocess.run([*command, *args], cwd=self.repo, env=env, capture_output=True, text=True,
                              timeout=GCL_TIMEOUT_S)
        return Run(proc.returncode, proc.stdout, proc.stderr)

    def run_job(self, job: str, *, variables: dict[str, str | None] | None = None) -> Run:
        """Run one job of a merge-request pipeline on the host shell, in an isolated build folder.
        ``variables`` change the merge-request variables (None removes one)."""
        assert (REVIEWER_BIN / "reviewer").is_file(), f"no `reviewer` next to {sys.executable}: pip install -e ."
        merged = {**self.merge_request_variables(), **(variables or {})}
        return self.gcl("--force-shell-executor", "--shell-isolation", job,
                        variables={k: v for k, v in merged.items() if v is not None})

    def list_jobs(self, *, merge_request: bool, variables: dict[str, str] | None = None) -> list[dict]:
        """``--list-json`` for a merge-request pipeline or a branch (push) pipeline."""
        pipeline = ({"CI_PIPELINE_SOURCE": "merge_request_event", "CI_COMMIT_BRANCH": ""} if merge_request
                    else {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "feature"})
        run = self.gcl("--list-json", variables={**pipeline, **(variables or {})})
        assert run.returncode == 0, run.output
        return json.loads(run.stdout[re.search(r"^\[", run.stdout, re.M).start():])

    def expanded_pipeline(self) -> dict:
        """The pipeline after includes and inputs were expanded (written by the last gitlab-ci-local run)."""
        return yaml.safe_load((self.repo / ".gitlab-ci-local" / "expanded-gitlab-ci.yml").read_text())

    def artifact(self, job: str, path: str) -> Path:
        """A file the job exported as an artifact (``artifacts:paths``)."""
        found = self.repo / ".gitlab-ci-local" / "artifacts" / job / path
        assert found.is_file(), f"no artifact {path} for {job}"
        return found

    def report(self, job: str, path: str) -> Path:
        """A report file left in the job's build folder (gitlab-ci-local exports only dotenv reports)."""
        found = self.repo / ".gitlab-ci-local" / "builds" / job / path
        assert found.is_file(), f"no report {path} in the build folder of {job}"
        return found
