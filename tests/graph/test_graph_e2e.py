"""The whole graph with the real stages, litellm talking to the scripted model over loopback."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from reviewer.graph import run_graph
from reviewer.models import MergeRequest, RiskTier, Severity
from reviewer.settings import NO_MODEL_HELP, Environment, Settings
from tests.support.diff_builder import file_diff
from tests.support.scripted_model import json_reply, slow_reply, text_reply

RULE = r"""
id: TST-901
title: Call to `eval`
rule: If you evaluate a string as code, you must not pass it data from outside the program.
why: eval runs whatever code the string holds, so whoever controls the string controls the process.
category: security
severity: critical
scope:
  globs: ["**/*.py"]
examples:
  fire: ["value = eval(data)"]
  pass: ["value = literal_eval(data)"]
since: 0.1.0
detector:
  pattern: '\beval\('
"""

SESSION = """\
import os


def load(data):
    token = os.environ["TOKEN"]
    value = eval(data)
    return value
"""

MR = MergeRequest(title="Load sessions", files=[file_diff("src/auth/session.py", "", SESSION)])


def _finding(line: int, title: str, *, path: str = "src/auth/session.py", rule_id: str | None = None,
             severity: str = "critical") -> dict:
    return {"path": path, "line": line, "end_line": None, "severity": severity, "rule_id": rule_id,
            "title": title, "body": "Explained.", "suggestion": None}


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    (tmp_path / "TST-901-eval.yaml").write_text(RULE, encoding="utf-8")
    return tmp_path


def _settings(server, rules_dir: Path) -> Settings:
    env = Environment(model="openai/scripted", api_base=server.base_url, api_key="test-key", max_retries=1)
    return Settings(env=env, extra_rule_dirs=[rules_dir])


def test_review_through_the_real_stages(scripted_model, rules_dir):
    scripted_model.route("You are the Security reviewer", json_reply({"findings": [
        _finding(6, "eval() on untrusted session data", rule_id="TST-901"),
        _finding(5, "Token read from the environment without a check", rule_id="SEC-999", severity="suggestion"),
        _finding(3, "Secret in a file that is not in this change", path="src/missing.py"),
    ]}, prompt_tokens=900, completion_tokens=120))
    scripted_model.route("You are the Code Quality reviewer", text_reply("this is not JSON"),
                         then=text_reply("still not JSON"))
    scripted_model.route("You are the Performance reviewer", json_reply({"findings": [
        _finding(40, "Module re-reads the environment on every call", severity="note"),
    ]}))

    result = asyncio.run(run_graph(MR, _settings(scripted_model, rules_dir)))

    assert result.risk.tier == RiskTier.FULL
    status = {a.name: a.status for a in result.agents}
    assert status["quality"] == "failed" and status["security"] == "ok" and status["docs"] == "skipped"
    security = next(a for a in result.agents if a.name == "security")
    assert security.prompt_tokens == 900 and security.calls == 1 and security.model
    eval_finding = next(f for f in result.findings if f.rule_id == "TST-901")  # shipped rules may fire too
    assert eval_finding.line == 6 and eval_finding.severity == Severity.CRITICAL
    assert {eval_finding.agent, *eval_finding.also_reported_by} == {"codex-detector", "security"}
    token_finding = next(f for f in result.findings if f.agent == "security" and f.line == 5)
    assert token_finding.rule_id is None
    assert [f.title for f in result.file_findings] == ["Module re-reads the environment on every call"]
    assert all(f.fingerprint for f in result.all_findings())
    assert not any(f.path == "src/missing.py" for f in result.all_findings())
    text = "\n".join(result.notices)
    assert "1 finding(s) were dropped" in text and "SEC-999" in text and "quality agent failed" in text


def test_model_agents_run_concurrently(scripted_model, rules_dir):
    scripted_model.default(slow_reply(1.0, json_reply({"findings": []})))
    started = time.perf_counter()
    result = asyncio.run(run_graph(MR, _settings(scripted_model, rules_dir)))
    elapsed = time.perf_counter() - started
    ran = [a for a in result.agents if a.status == "ok"]
    assert len(ran) >= 4 and scripted_model.calls == len(ran)
    assert elapsed < 0.5 * len(ran), f"{len(ran)} one-second agents took {elapsed:.2f}s"


def test_without_a_model_only_the_detectors_run(scripted_model, rules_dir):
    result = asyncio.run(run_graph(MR, Settings(extra_rule_dirs=[rules_dir])))
    assert scripted_model.calls == 0
    assert result.agents and all(a.status == "skipped" for a in result.agents)
    assert {a.error for a in result.agents if a.name in ("security", "quality")} == {"no model configured"}
    assert ("TST-901", 6) in [(f.rule_id, f.line) for f in result.findings]
    assert {f.agent for f in result.all_findings()} == {"codex-detector"}
    assert any(NO_MODEL_HELP in n for n in result.notices)
