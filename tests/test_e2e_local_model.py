"""``reviewer review --local`` through the whole graph with the real local model (SmolLM2 via xllamacpp).

It checks plumbing and the validation of what a real model returns, never the review's quality:
a 135M model invents files and lines, and the judge must keep all of that out of the report.
Kept small for a 2-core machine: one agent (security), a two-line change, short replies.
"""

from __future__ import annotations

import json

import pytest

from reviewer.local_source import load_local_mr
from tests.support.cli_runner import run_reviewer
from tests.support.gitrepo import GitRepo

BASE = '''\
def find_user(cursor, name):
    cursor.execute("SELECT * FROM users WHERE name = %s", (name,))
    return cursor.fetchone()
'''
CHANGED = '''\
def find_user(cursor, name):
    cursor.execute("SELECT * FROM users WHERE name = '" + name + "'")
    return cursor.fetchone()
'''
# On the base branch, so the change cannot rewrite it. Only the security agent runs; the tier is
# forced to light (its tiers) by a zero trivial threshold; replies are capped for speed.
CONFIG = '''\
agents: {codex: false, docs: false, quality: false, performance: false, release: false}
risk: {trivial_max_lines: 0}
models:
  default: {max_output_tokens: 1500, context_window: 8192}
path_instructions:
  - path: "**"
    instructions: "Report at most one finding. Keep its title under 8 words and its body under 20 words."
'''
FINDING_KEYS = {"path", "line", "end_line", "severity", "category", "rule_id", "title", "body", "suggestion",
                "agent", "fingerprint"}


@pytest.mark.local_model
def test_review_with_the_real_local_model(local_model, tmp_path):
    repo = GitRepo.init(tmp_path / "repo")
    repo.commit("Base", {"db.py": BASE, ".reviewer.yml": CONFIG})
    repo.branch("feature")
    repo.commit("Build the user query by hand", {"db.py": CHANGED})
    env = {"REVIEWER_MODEL": "openai/smollm2", "REVIEWER_API_BASE": local_model.base_url,
           "REVIEWER_API_KEY": "x", "REVIEWER_LLM_TIMEOUT": "300", "REVIEWER_LLM_MAX_RETRIES": "0"}

    result = run_reviewer("review", "--local", "--repo", repo.root, "--base", "main", "--format", "json",
                          env=env, timeout=900)

    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    agents = {a["name"]: a for a in report["agents"]}
    ran = {name: a for name, a in agents.items() if a["status"] != "skipped"}
    assert set(ran) == {"security"}, agents
    for agent in ran.values():
        assert agent["model"] == "openai/smollm2"
        assert agent["status"] in ("ok", "failed")
        assert agent["seconds"] > 0
        if agent["status"] == "failed":
            assert agent["error"], agent
        else:
            assert agent["error"] is None
        if agent["status"] == "ok" or "invalid output" in (agent["error"] or ""):  # the model did answer
            assert agent["prompt_tokens"] > 0 and agent["completion_tokens"] > 0, agent

    files = {f.path: f for f in load_local_mr(repo.root, "main").files}
    assert set(files) == {"db.py"}
    for finding in report["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["path"] in files
        assert files[finding["path"]].find_line(finding["line"]) is not None, finding   # a commentable line
        if finding["end_line"] is not None:
            assert files[finding["path"]].find_line(finding["end_line"]) is not None, finding
        assert finding["fingerprint"]
    for finding in report["file_findings"]:
        assert set(finding) == FINDING_KEYS - {"line", "end_line"}
        assert finding["path"] in files
    assert any(f["rule_id"] == "SQL-001" for f in report["findings"])  # the detectors ran too
    model_findings = [f for f in report["findings"] + report["file_findings"] if f["agent"] == "security"]
    if agents["security"]["status"] == "failed":
        assert not model_findings
