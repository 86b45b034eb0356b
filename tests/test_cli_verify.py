"""Verification through the CLI: the scripted verifier's verdicts decide what is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli_runner import run_reviewer
from tests.support.gitrepo import GitRepo
from tests.support.scripted_model import ScriptedModel, error_reply, json_reply

SECURITY_AGENT = "You are the Security reviewer"
VERIFIER = "## Verify review findings"
BASE = '"""Store."""\n\n\ndef load(path):\n    return open(path).read()\n'
HEAD = BASE + '''

def query(db, name):
    sql = "SELECT * FROM users WHERE name = '%s'" % name
    rows = db.execute(sql)
    return rows


def save(path, text):
    handle = open(path, "w")
    handle.write(text)
    return len(text)
'''
INJECTION = {"path": "store.py", "line": 9, "end_line": None, "side": "new", "severity": "critical", "rule_id": None,
             "title": "SQL built from user input", "body": "name reaches the query.", "suggestion": None}
LEAK = {**INJECTION, "line": 15, "severity": "important", "title": "File handle never closed",
        "body": "Use a with block."}


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo.init(tmp_path / "repo")
    repo.commit("base", {"store.py": BASE})
    repo.branch("feature")
    repo.commit("query and save", {"store.py": HEAD})
    return repo


def review(repo: GitRepo, model: ScriptedModel, config: str = ""):
    if config:  # the config is read from the target branch
        repo.checkout("main")
        repo.commit("config", {".reviewer.yml": config})
        repo.checkout("feature")
        repo.git("rebase", "-q", "main")
    model.route(SECURITY_AGENT, json_reply({"findings": [INJECTION, LEAK]}),
                then=json_reply({"findings": []}))
    model.default(json_reply({"findings": []}))
    done = run_reviewer("review", "--local", "--repo", repo.root, "--base", "main", "--format", "json",
                        env={"REVIEWER_MODEL": "openai/scripted", "REVIEWER_API_BASE": model.base_url})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    report["findings"] = [f for f in report["findings"] if f["agent"] == "security"]  # detectors are not verified
    return report, done.stderr


def verifier_prompts(model: ScriptedModel) -> list[str]:
    from tests.support.scripted_model import messages_text

    return [t for t in (messages_text(b) for b in model.requests) if VERIFIER in t]


def test_a_rejected_finding_is_dropped_and_a_downgraded_one_reported_lower(repo, scripted_model):
    scripted_model.route(VERIFIER, json_reply({"verdicts": [
        {"id": "F1", "verdict": "rejected", "severity": None, "reason": "name is bound by the driver on line 10."},
        {"id": "F2", "verdict": "downgraded", "severity": "suggestion", "reason": "The handle closes at exit."},
    ]}, prompt_tokens=700, completion_tokens=60))
    report, _ = review(repo, scripted_model)
    [prompt] = verifier_prompts(scripted_model)  # one call for the file's two findings
    assert "id F1: critical" in prompt and "id F2: important" in prompt
    assert [(f["title"], f["severity"]) for f in report["findings"]] == [("File handle never closed", "suggestion")]
    [dropped] = [d for d in report["dropped"] if d["stage"] == "verify"]
    assert dropped["title"] == "SQL built from user input" and dropped["reason"].startswith("name is bound")
    [run] = [a for a in report["agents"] if a["name"] == "verify"]
    assert (run["status"], run["prompt_tokens"], run["completion_tokens"]) == ("ok", 700, 60)


def test_a_failed_verification_keeps_the_findings_and_says_so(repo, scripted_model):
    scripted_model.route(VERIFIER, error_reply(400, {"error": {"message": "bad request"}}))
    report, stderr = review(repo, scripted_model)
    assert {f["title"] for f in report["findings"]} == {"SQL built from user input", "File handle never closed"}
    [run] = [a for a in report["agents"] if a["name"] == "verify"]
    assert run["status"] == "failed" and "refused the request (400)" in run["error"]
    assert "warning: part of the model review failed (verify)" in stderr


def test_verify_off_makes_no_verification_call(repo, scripted_model):
    report, _ = review(repo, scripted_model, config="verify: []\n")
    assert verifier_prompts(scripted_model) == []
    assert len(report["findings"]) == 2 and all(a["name"] != "verify" for a in report["agents"])


def test_only_the_configured_severities_are_verified(repo, scripted_model):
    scripted_model.route(VERIFIER, json_reply({"verdicts": [
        {"id": "F1", "verdict": "confirmed", "severity": None, "reason": "The query is built from name."}]}))
    report, _ = review(repo, scripted_model, config="verify: [critical]\n")
    [prompt] = verifier_prompts(scripted_model)
    assert "SQL built from user input" in prompt and "File handle never closed" not in prompt
    assert len(report["findings"]) == 2
