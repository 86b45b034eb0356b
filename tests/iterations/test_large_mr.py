"""A merge request of 14,000 changed files, reviewed through the real CLI against the GitLab
simulator: the summary note stays bounded (GitLab refuses notes over 1,000,000 characters), says
what it cut, and keeps the state, so a rerun on the same head costs no model call.

Shaped like the failure it guards against: 13,000 vendored files, each listed as not reviewed,
and 1,000 small Python files that every agent reviews (each file's state goes into the marker);
the agents' Optional Notes stay out of the inline threads and are listed in the note. The model's
context is set large enough for one call per agent, so every file is really reviewed once.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from reviewer.gitlab_mr import markers
from reviewer.gitlab_mr.summary import MAX_SUMMARY_CHARS
from tests.iterations.conftest import diff_files
from tests.support.cli_runner import run_reviewer
from tests.support.gitlab_sim import GitLabSimulator
from tests.support.scripted_model import Reply, ScriptedModel, json_reply, messages_text, reply_from

TOKEN = "glpat-large-mr-bot-0001"
VENDORED = 13_000
SOURCES = 1_000
GITLAB_NOTE_LIMIT = 1_000_000
CONFIG = ("token_budget: 10000000\nmax_findings_per_severity: {note: 1000}\n"
          "models: {default: {context_window: 128000}}\n")  # one call per agent: every file reviewed
MORE = re.compile(r"^… and (\d+) more \(see the job's `gl-reviewer\.json` artifact\)$", re.M)


def _blob(text: str) -> bytes:
    data = text.encode()
    return b"data %d\n%s\n" % (len(data), data)


def _build_repo(repo: Path) -> None:
    """main: a README and the config; feature: 14,000 one-line files, in one ``git fast-import``."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream = [b"commit refs/heads/main\ncommitter T <t@example.test> 0 +0000\n", _blob("base"),
              b"M 100644 inline README.md\n", _blob("readme\n"),
              b"M 100644 inline .reviewer.yml\n", _blob(CONFIG),
              b"commit refs/heads/feature\ncommitter T <t@example.test> 1 +0000\n", _blob("14000 files"),
              b"from refs/heads/main\n"]
    for i in range(VENDORED):
        stream += [f"M 100644 inline vendor/lib{i // 100}/f{i}.go\n".encode(), _blob(f"package lib // {i}\n")]
    for i in range(SOURCES):
        stream += [f"M 100644 inline src/pkg{i // 100}/m{i}.py\n".encode(), _blob(f"LIMIT_{i} = {i}\n")]
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(stream), check=True)


def _a_note_per_file(body: dict) -> Reply:
    """Every agent: one Optional Note on each file it is shown (each agent keeps its first few)."""
    findings = [{"path": path, "line": lines[0][0], "end_line": None, "severity": "note", "rule_id": None,
                 "title": f"Unused constant in {path}", "body": "Nothing reads this constant. " * 35,
                 "suggestion": None}
                for path, lines in diff_files(messages_text(body)).items() if lines]
    return json_reply({"findings": findings})


def _section(body: str, title: str) -> str:
    start = body.index(f"\n### {title}\n")
    return body[start:body.index("\n### ", start + 1)]


def test_a_14000_file_merge_request_finishes_with_a_bounded_summary_and_a_free_rerun(
        gitlab_sim: GitLabSimulator, scripted_model: ScriptedModel, tmp_path: Path):
    repo = tmp_path / "repo"
    _build_repo(repo)
    gitlab_sim.add_user("alice", role="developer")
    gitlab_sim.add_user("bot", role="developer")
    gitlab_sim.add_token(TOKEN, "bot", scopes=("api",))
    project = gitlab_sim.create_project("group/big", repo)
    mr = gitlab_sim.create_mr(project, "feature", "main", title="Vendor everything", author="alice")
    scripted_model.default(reply_from(_a_note_per_file))
    report_path = tmp_path / "gl-reviewer.json"

    def review() -> subprocess.CompletedProcess[str]:
        done = run_reviewer(
            "review", "--gitlab-url", gitlab_sim.url, "--project", project.path_with_namespace,
            "--mr", str(mr.iid), "--output", str(tmp_path / "out.json"), "--json-report", str(report_path),
            env={"REVIEWER_GITLAB_TOKEN": TOKEN, "REVIEWER_MODEL": "openai/scripted",
                 "REVIEWER_API_BASE": scripted_model.base_url, "REVIEWER_API_KEY": "x"},
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    review()
    calls = len(scripted_model.requests)
    [note] = [n for n in gitlab_sim.notes(mr) if not n["system"] and markers.summary_marker(n["body"])]
    body = note["body"]
    assert len(body) <= MAX_SUMMARY_CHARS < GITLAB_NOTE_LIMIT
    report = json.loads(report_path.read_text())

    assert not [n for n in report["not_reviewed"] if not n["path"].startswith("vendor/")]
    listed = len(report["findings"]) + len(report["file_findings"])
    assert listed >= 10 and f"Inline threads: 0 posted this run; {listed} listed below." in body
    findings = _section(body, "Findings not posted inline")
    assert len(re.findall(r"^- 🔵 \*\*Optional Note", findings, re.M)) == listed and not MORE.findall(findings)

    not_reviewed = _section(body, "Not reviewed")
    shown = len(re.findall(r"^- `vendor/", not_reviewed, re.M))
    [more] = MORE.findall(not_reviewed)
    assert len(report["not_reviewed"]) == VENDORED and shown + int(more) == VENDORED

    state = markers.summary_marker(body)
    assert state is not None and len(state.file_states) == SOURCES

    # The same head again: every file is unchanged, so no model is called and the note stays.
    review()
    assert len(scripted_model.requests) == calls
    [again] = [n for n in gitlab_sim.notes(mr) if not n["system"] and markers.summary_marker(n["body"])]
    assert again["id"] == note["id"] and again["body"] == body
    assert gitlab_sim.errors == []
