"""Multi-push scenarios: a git project served by the GitLab simulator, the real ``reviewer`` CLI in a
child process, and a scripted model whose findings depend on the code it is shown.

The scripted security agent reports one finding on every added line of the diff it receives that
contains a flaw word (``FLAWS``); its severity is critical when that file's diff also shows
``EXPOSED = True``, else important. Every other agent reports nothing. So a fixed line stops being
reported, a moved line is reported at its new number, and a file the agents do not receive yields
nothing — the scenarios test the reviewer, not a script that knows the answers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reviewer.gitlab_mr import markers
from tests.support.cli_runner import run_reviewer
from tests.support.gitlab_sim import GitLabSimulator
from tests.support.gitlab_sim.fixtures import gitlab_sim  # noqa: F401 - fixture
from tests.support.scripted_model import Reply, ScriptedModel, json_reply, messages_text, reply_from

TOKEN = "glpat-iterations-bot-0001"
FLAWS = {
    "md5(": "MD5 used to hash passwords",
    "password = ": "Hard-coded password in source",
    "shell_out(": "Command built from user input runs in a shell",
}
EXPOSED = "EXPOSED = True"
SECURITY_AGENT = "You are the Security reviewer"
VERIFIER = "## Verify review findings"
VERIFY_IDS = re.compile(r"^- id (F\d+):", re.M)
DIFF_BLOCK = re.compile(r'<untrusted source="diff">\n(.*?)\n</untrusted>', re.S)
_ADDED = re.compile(r"^(\d+)\+(.*)$")


def module(name: str, body: str = "") -> str:
    """A small Python module: a docstring, a helper function, then ``body``."""
    return (f'"""The {name} module."""\n\nimport hashlib\n\n\ndef helper_{name}(value):\n'
            f"    total = value + 1\n    return total\n{body}")


def diff_files(prompt: str) -> dict[str, list[tuple[int, str]]]:
    """The added lines ``(new line, content)`` of each file in the prompt's diff block."""
    files: dict[str, list[tuple[int, str]]] = {}
    for block in DIFF_BLOCK.findall(prompt):
        current: list[tuple[int, str]] | None = None
        for line in block.split("\n"):
            if line.startswith("### "):
                current = files.setdefault(line[4:].split(" (")[0], [])
            elif current is not None and (match := _ADDED.match(line)):
                current.append((int(match.group(1)), match.group(2)))
    return files


def find_flaws(body: dict) -> Reply:
    """The security agent's findings on the prompt's diff (see the module docstring); the
    verifier confirms every finding it is shown."""
    text = messages_text(body)
    if VERIFIER in text:
        return json_reply({"verdicts": [{"id": i, "verdict": "confirmed", "severity": None, "reason": "As shown."}
                                        for i in VERIFY_IDS.findall(text)]})
    if SECURITY_AGENT not in text:
        return json_reply({"findings": []})
    findings = []
    for path, lines in diff_files(text).items():
        severity = "critical" if any(EXPOSED in content for _, content in lines) else "important"
        for number, content in lines:
            for word, title in FLAWS.items():
                if word in content:
                    findings.append({"path": path, "line": number, "end_line": None, "severity": severity,
                                     "rule_id": None, "title": title, "body": f"`{word.strip()}` here is unsafe.",
                                     "suggestion": None})
    return json_reply({"findings": findings})


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@dataclass
class Run:
    """One finished CLI run."""

    code: int
    stdout: str
    stderr: str


@dataclass
class Scenario:
    """One merge request on the simulator, the repository behind it and the model's log."""

    sim: GitLabSimulator
    model: ScriptedModel
    repo: Path
    project: Any
    mr: Any
    runs: list[Run] = field(default_factory=list)
    model_calls_at: list[int] = field(default_factory=list)

    # -- the repository -----------------------------------------------------------------
    def write(self, path: str, text: str) -> None:
        target = self.repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def read_feature(self, path: str) -> str:
        """``path`` as it is on the feature branch."""
        return git(self.repo, "show", f"feature:{path}")

    def read_main(self, path: str) -> str:
        """``path`` as it is on the target branch."""
        return git(self.repo, "show", f"main:{path}")

    def push(self, files: dict[str, str], message: str = "more work") -> None:
        """Commit ``files`` on the feature branch and let GitLab see the new version."""
        git(self.repo, "checkout", "-q", "feature")
        for path, text in files.items():
            self.write(path, text)
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", message)
        git(self.repo, "checkout", "-q", "main")
        self.sim.push(self.mr, pusher="alice")

    def advance_target_and_rebase(self, files: dict[str, str]) -> None:
        """Commit ``files`` on main, then rebase the feature branch onto it (a force-push)."""
        git(self.repo, "checkout", "-q", "main")
        for path, text in files.items():
            self.write(path, text)
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", "target moved on")
        git(self.repo, "checkout", "-q", "feature")
        git(self.repo, "rebase", "-q", "main")
        git(self.repo, "checkout", "-q", "main")
        self.sim.push(self.mr, pusher="alice")

    def set_target_config(self, text: str) -> None:
        """Commit ``.reviewer.yml`` on the target branch (the reviewer reads it from there)."""
        git(self.repo, "checkout", "-q", "main")
        self.write(".reviewer.yml", text)
        git(self.repo, "commit", "-q", "-am", "reviewer config")
        self.sim.push(self.mr, pusher="alice")

    # -- the reviewer -------------------------------------------------------------------
    def review(self, *args: str, expect: int | None = 0) -> Run:
        """Run ``reviewer review`` on the MR through the real CLI."""
        self.model_calls_at.append(len(self.model.requests))
        done = run_reviewer(
            "review", "--gitlab-url", self.sim.url, "--project", self.project.path_with_namespace,
            "--mr", str(self.mr.iid), "--format", "json", *args,
            env={"REVIEWER_GITLAB_TOKEN": TOKEN, "REVIEWER_MODEL": "openai/scripted",
                 "REVIEWER_API_BASE": self.model.base_url, "REVIEWER_API_KEY": "x"},
        )
        run = Run(done.returncode, done.stdout, done.stderr)
        self.runs.append(run)
        if expect is not None:
            assert run.code == expect, run.stderr[-3000:]
        return run

    # -- what GitLab holds ----------------------------------------------------------------
    def threads(self) -> list[dict[str, Any]]:
        """The reviewer's inline threads (first note carries a finding marker)."""
        return [d for d in self.sim.discussions(self.mr)
                if d["notes"] and markers.finding_marker(d["notes"][0]["body"])]

    def thread_of(self, title: str) -> dict[str, Any]:
        [found] = [t for t in self.threads() if title in t["notes"][0]["body"]]
        return found

    def titles(self) -> list[str]:
        return sorted(markers.finding_marker(t["notes"][0]["body"]).title for t in self.threads())

    def replies(self) -> list[str]:
        """Bodies of the reviewer's replies in its threads (e.g. "Fixed in …")."""
        return [n["body"] for t in self.threads() for n in t["notes"][1:] if markers.reply_marker(n["body"])]

    def summary(self) -> str:
        notes = [n for n in self.sim.notes(self.mr) if not n["system"] and markers.summary_marker(n["body"])]
        assert len(notes) == 1, f"{len(notes)} summary notes"
        return notes[0]["body"]

    def writes(self) -> list[tuple[str, str]]:
        """The write requests the simulator answered so far (method, path)."""
        return [(r.method, r.path) for r in self.sim.request_log if r.method in ("POST", "PUT", "DELETE")]

    def prompts(self, start: int = 0, end: int | None = None) -> list[str]:
        """Texts of the model requests ``start:end``."""
        return [messages_text(b) for b in self.model.requests[start:end]]

    def security_prompts(self, start: int = 0, end: int | None = None) -> list[str]:
        """Texts of the security agent's model requests ``start:end``."""
        return [t for t in self.prompts(start, end) if SECURITY_AGENT in t]


BASE_FILES = {f"app/mod{i}.py": module(f"m{i}") for i in range(10)}
FLAWED = {
    "app/mod1.py": "\n\ndef store(secret):\n    digest = hashlib.md5(secret.encode())\n    return digest.hexdigest()\n",
    "app/mod2.py": "\n\ndef connect(host):\n    password = \"hunter2\"\n    return host, password\n",
    "app/mod3.py": "\n\ndef run(cmd):\n    out = shell_out(cmd)\n    return out\n",
}


def feature_files() -> dict[str, str]:
    """Version 1 of the MR: every module gains a function; three of them are flawed."""
    out = {}
    for i in range(10):
        path = f"app/mod{i}.py"
        extra = FLAWED.get(path, f"\n\ndef extra_{i}(items):\n    return [item * {i} for item in items]\n")
        out[path] = BASE_FILES[path] + extra
    return out


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory) -> Path:
    """main: ten modules and a config; feature: version 1 of the MR."""
    repo = tmp_path_factory.mktemp("iterations") / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "T")
    git(repo, "config", "user.email", "t@example.test")
    for path, text in {**BASE_FILES, ".reviewer.yml": "max_inline_comments: 20\n"}.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    for path, text in feature_files().items():
        (repo / path).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feature v1")
    git(repo, "checkout", "-q", "main")
    return repo


@pytest.fixture
def scenario(gitlab_sim: GitLabSimulator, scripted_model: ScriptedModel,  # noqa: F811
             template_repo: Path, tmp_path: Path) -> Scenario:
    repo = tmp_path / "repo"
    shutil.copytree(template_repo, repo)
    gitlab_sim.add_user("alice", role="developer")
    gitlab_sim.add_user("bob", role="developer")
    gitlab_sim.add_user("bot", role="developer")
    gitlab_sim.add_token(TOKEN, "bot", scopes=("api",))
    project = gitlab_sim.create_project("group/proj", repo)
    mr = gitlab_sim.create_mr(project, "feature", "main", title="Feature", description="Adds helpers",
                              author="alice")
    scripted_model.default(reply_from(find_flaws))
    yield Scenario(gitlab_sim, scripted_model, repo, project, mr)
    assert gitlab_sim.errors == []
