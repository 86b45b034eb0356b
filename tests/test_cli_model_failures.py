"""A review whose model calls fail says so in its exit status and in words that say what to fix.

Each case is shaped like the real failure: a model named with no key (litellm fails before any
request), an unreachable gateway, a provider that rejects the key, an outage of one agent only.
The command runs in a child process with a clean environment, as CI runs it.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from tests.support.cli_runner import run_reviewer
from tests.support.gitrepo import GitRepo
from tests.support.scripted_model import ScriptedModel, error_reply, json_reply

SECURITY_AGENT = "You are the Security reviewer"
APP = '''"""Orders."""


def total(items):
    return sum(item.price for item in items)
'''
FEATURE = APP + '''

def load(text):
    return eval(text)


def discount(order, rate):
    if rate > 1:
        rate = rate / 100
    return order.total * (1 - rate)


def describe(order):
    lines = [f"{item.name}: {item.price}" for item in order.items]
    lines.append(f"total: {total(order.items)}")
    return "\n".join(lines)
'''


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """main: orders.py; feature (checked out): three new functions (a light-tier change), one with
    ``eval`` (SEC-010)."""
    repo = GitRepo.init(tmp_path_factory.mktemp("failures") / "repo")
    repo.commit("Base", {"orders.py": APP})
    repo.branch("feature")
    repo.commit("Load and discount", {"orders.py": FEATURE})
    return repo.root


def review(repo: Path, *args: str, **env: str):
    return run_reviewer("review", "--local", "--repo", repo, "--base", "main", "--format", "json", *args, env=env)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def said(stderr: str) -> list[str]:
    """The plain lines meant for the user (logs on a terminal are warnings only, none here)."""
    return [line for line in stderr.splitlines() if line.startswith("reviewer: ")]


def test_a_model_without_its_key_fails_at_once_with_exit_3_naming_the_variable(repo):
    started = time.monotonic()
    done = review(repo, REVIEWER_MODEL="openai/gpt-4o-mini")
    elapsed = time.monotonic() - started
    assert done.returncode == 3, done.stderr
    assert elapsed < 30  # not retried: before, 24 retries took about 40 s
    lines = said(done.stderr)
    assert lines[0].startswith("reviewer: failed: the model review did not happen: every model call failed")
    assert lines[1:] == ["reviewer:   - openai/gpt-4o-mini: no API key for openai/gpt-4o-mini: "
                         "set OPENAI_API_KEY (or REVIEWER_API_KEY)"]
    report = json.loads(done.stdout)
    assert report["model_review"]["status"] == "failed"
    assert set(report["model_review"]["failed_agents"]) == {a["name"] for a in report["agents"]
                                                            if a["status"] != "skipped"}
    # What did not need a model is still reported.
    assert any(f["rule_id"] == "SEC-010" for f in report["findings"])


def test_an_unreachable_gateway_is_retried_then_exits_3_saying_which_url(repo):
    base = f"http://127.0.0.1:{closed_port()}/v1"
    done = review(repo, REVIEWER_MODEL="openai/any", REVIEWER_API_BASE=base, REVIEWER_LLM_MAX_RETRIES="1")
    assert done.returncode == 3, done.stderr
    [head, cause] = said(done.stderr)
    assert "every model call failed" in head
    assert cause.startswith(f"reviewer:   - openai/any: could not reach {base}: ")
    assert not cause.endswith(("-", "`")) and len(cause) < 320


def test_a_rejected_key_is_not_retried_and_names_the_gateway_key_variable(repo, scripted_model: ScriptedModel):
    scripted_model.default(error_reply(401, {"error": {"message": "Incorrect API key provided: sk-wr**", "code": 401}}))
    done = review(repo, REVIEWER_MODEL="openai/scripted", REVIEWER_API_BASE=scripted_model.base_url,
                  REVIEWER_API_KEY="sk-wrong")
    assert done.returncode == 3, done.stderr
    agents = [a for a in json.loads(done.stdout)["agents"] if a["status"] != "skipped"]
    assert scripted_model.calls == len(agents)  # one request per agent, no retry
    assert f"the gateway at {scripted_model.base_url} rejected the API key (401): check REVIEWER_API_KEY" in done.stderr
    assert "sk-wrong" not in done.stderr + done.stdout


def _security_fails(scripted_model: ScriptedModel) -> None:
    scripted_model.route(SECURITY_AGENT, error_reply(403, {"error": {"message": "model not allowed"}}),
                         then=error_reply(403, {"error": {"message": "model not allowed"}}))
    scripted_model.default(json_reply({"findings": []}))


def test_one_failed_agent_warns_and_exits_0_by_default(repo, scripted_model: ScriptedModel):
    _security_fails(scripted_model)
    done = review(repo, REVIEWER_MODEL="openai/scripted", REVIEWER_API_BASE=scripted_model.base_url)
    assert done.returncode == 0, done.stderr
    lines = said(done.stderr)
    assert lines[0] == "reviewer: warning: part of the model review failed (security)"
    assert "access to openai/scripted was refused (403)" in lines[1]
    report = json.loads(done.stdout)
    assert report["model_review"] == {"status": "partial", "failed_agents": ["security"],
                                      "causes": [lines[1].removeprefix("reviewer:   - ")]}


@pytest.mark.parametrize(("policy", "code"), [("fail", 3), ("warn", 0)])
def test_on_agent_failure_decides(repo, scripted_model: ScriptedModel, policy: str, code: int):
    _security_fails(scripted_model)
    done = review(repo, REVIEWER_MODEL="openai/scripted", REVIEWER_API_BASE=scripted_model.base_url,
                  REVIEWER_ON_AGENT_FAILURE=policy)
    assert done.returncode == code, done.stderr
    assert said(done.stderr)[0].startswith("reviewer: failed:" if policy == "fail" else "reviewer: warning:")


def test_warn_keeps_a_fully_failed_review_at_exit_0_but_says_so(repo):
    done = review(repo, REVIEWER_MODEL="openai/gpt-4o-mini", REVIEWER_ON_AGENT_FAILURE="warn")
    assert done.returncode == 0, done.stderr
    assert said(done.stderr)[0].startswith("reviewer: warning: the model review did not happen")


def test_a_blocking_finding_wins_over_a_failed_model_review(repo):
    done = review(repo, "--fail-on", "important", REVIEWER_MODEL="openai/gpt-4o-mini")
    assert done.returncode == 1, done.stderr
    lines = said(done.stderr)
    assert lines[0].startswith("reviewer: failed: the model review did not happen")
    assert lines[-1].startswith("reviewer: 1 open finding(s) at or above important (--fail-on important): orders.py:")
    assert lines[-1].endswith(" SEC-010")


def test_the_policy_in_the_repo_config_is_read(tmp_path: Path):
    repo = GitRepo.init(tmp_path / "repo")
    repo.commit("Base", {"orders.py": APP, ".reviewer.yml": "on_agent_failure: warn\n"})
    repo.branch("feature")
    repo.commit("Load", {"orders.py": FEATURE})
    assert review(repo.root, REVIEWER_MODEL="openai/gpt-4o-mini").returncode == 0
    repo.checkout("main")
    repo.commit("Loud", {".reviewer.yml": "on_agent_failure: loud\n"})
    repo.checkout("feature")
    done = review(repo.root, REVIEWER_MODEL="openai/gpt-4o-mini")
    assert done.returncode == 2 and "on_agent_failure" in done.stderr


@pytest.mark.parametrize("fmt", ["json", "codequality", "markdown", "text"])
def test_no_model_is_said_on_stderr_in_every_format(repo, tmp_path: Path, fmt: str):
    done = run_reviewer("review", "--local", "--repo", repo, "--base", "main", "--format", fmt,
                        "--output", tmp_path / "report")
    assert done.returncode == 0, done.stderr
    [line] = said(done.stderr)
    assert line.startswith("reviewer: note: no model is configured") and "REVIEWER_MODEL" in line


def test_exit_1_names_the_findings_that_caused_it(repo):
    done = review(repo, "--fail-on", "suggestion")
    assert done.returncode == 1
    last = said(done.stderr)[-1]
    findings = [f for f in json.loads(done.stdout)["findings"] if f["severity"] in ("critical", "important", "suggestion")]
    assert last.startswith(f"reviewer: {len(findings)} open finding(s) at or above suggestion (--fail-on suggestion): ")
    assert f"orders.py:{findings[0]['line']} {findings[0]['rule_id']}" in last
