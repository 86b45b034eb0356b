"""The verification stage on its own: which findings, which model, what each verdict does."""

from __future__ import annotations

import asyncio

from reviewer.codex import DETECTOR_AGENT
from reviewer.models import Category, Finding, Severity
from reviewer.settings import Environment, Settings, parse_repo_config
from reviewer.verify import to_verify, verify_call, verify_findings
from tests.support.scripted_model import ScriptedModel, json_reply


def finding(title: str, severity: Severity = Severity.CRITICAL, agent: str = "security", line: int = 3) -> Finding:
    return Finding(path="a.py", line=line, severity=severity, category=Category.SECURITY, title=title, agent=agent,
                   fingerprint=title)


def settings(model: ScriptedModel | None = None, repo: str = "", **aliases: str) -> Settings:
    env = Environment(model="openai/default", alias_models=aliases, max_retries=0,
                      api_base=model.base_url if model else None)
    return Settings(env=env, repo=parse_repo_config(repo))


def test_the_verify_alias_wins_then_strong_then_the_default_model():
    assert verify_call(settings(verify="openai/judge", strong="openai/big")).model == "openai/judge"
    assert verify_call(settings(strong="openai/big")).model == "openai/big"
    assert verify_call(settings(repo="models: {strong: {model: openai/repo-big}}\n")).model == "openai/repo-big"
    assert verify_call(settings()).model == "openai/default"


def test_only_model_findings_of_the_verified_severities_are_checked():
    found = [finding("a"), finding("b", Severity.SUGGESTION), finding("c", agent=DETECTOR_AGENT),
             finding("d", agent="earlier review"), finding("e", Severity.IMPORTANT)]
    assert [f.title for f in to_verify(found, [Severity.CRITICAL, Severity.IMPORTANT])] == ["a", "e"]
    assert to_verify(found, []) == []


def test_a_downgrade_that_is_not_lower_and_a_missing_verdict_keep_the_finding(scripted_model):
    scripted_model.script(json_reply({"verdicts": [
        {"id": "F1", "verdict": "downgraded", "severity": "critical", "reason": "Still critical."},
        {"id": "F3", "verdict": "REJECTED", "reason": "Not in the change."}]}))
    found = [finding("one"), finding("two", line=4), finding("three", line=5)]
    outcome = asyncio.run(verify_findings(found, [], settings(scripted_model)))
    assert [(f.title, f.severity) for f in outcome.findings] == [("one", Severity.CRITICAL), ("two", Severity.CRITICAL)]
    assert [d.finding["title"] for d in outcome.dropped] == ["three"] and outcome.downgraded == 0
    assert outcome.run is not None and outcome.run.status == "ok" and scripted_model.calls == 1


def test_the_verifier_sees_the_function_at_base_that_held_removed_lines(scripted_model):
    from tests.context.helpers import change
    from tests.context.test_before import BASE, HEAD

    files, reader = change({"a.py": BASE}, {"a.py": HEAD})
    scripted_model.script(json_reply({"verdicts": [{"id": "F1", "verdict": "confirmed", "reason": "The check is gone."}]}))
    found = [finding("validation removed", line=3)]
    outcome = asyncio.run(verify_findings(found, files, settings(scripted_model), reader))
    assert [f.title for f in outcome.findings] == ["validation removed"]
    prompt = "\n".join(m["content"] for m in scripted_model.requests[0]["messages"])
    header = "#### a.py: save (around the change; at the base, before the change)"
    assert header in prompt
    block = prompt.split(header, 1)[1]
    assert '4 |         raise ValueError("invalid order")' in block  # the removed check, numbered as at base
