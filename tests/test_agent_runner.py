"""The per-agent runner, through litellm over loopback HTTP against the scripted model server."""

from __future__ import annotations

import asyncio

import pytest

from reviewer import llm
from reviewer.agent_runner import ChunkResult, run_chunk
from reviewer.prompting import agents_md_for
from reviewer.agents import load_agents
from reviewer.models import Category, MergeRequest, RiskAssessment, RiskTier, Severity
from reviewer.planning import Chunk
from reviewer.settings import Environment, Settings, parse_repo_config
from tests.support.diff_builder import file_diff
from tests.support.scripted_model import error_reply, json_reply, text_reply

RISK = RiskAssessment(tier=RiskTier.FULL)
CODE = file_diff(
    "app/db.py",
    "def find(conn, name):\n    return conn.execute('SELECT 1')\n",
    "def find(conn, name):\n    return conn.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n",
)
MR = MergeRequest(title="Search users", description="Adds a name filter.", files=[CODE],
                  agents_md={"": "Use the query builder.", "app": "No raw SQL in app/."})
FINDING = {"path": "app/db.py", "line": 2, "end_line": None, "severity": "critical", "rule_id": "SEC-001",
           "title": "SQL built from user input", "body": "name reaches the query unescaped.",
           "suggestion": "    return conn.execute('SELECT * FROM users WHERE name = ?', (name,))"}


class Rules:
    class _Rule:
        id = "SEC-001"
        severity = "critical"
        title = "SQL built from request input"
        category = "security"

    def for_path(self, path: str) -> list:
        return [self._Rule()] if path.endswith(".py") else []


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch):
    monkeypatch.setattr(llm, "RETRY_BASE_SECONDS", 0.01)


def settings_for(server, repo_yaml: str = "") -> Settings:
    env = Environment(model="openai/scripted", api_base=server.base_url, max_retries=1, timeout_s=5)
    return Settings(env=env, repo=parse_repo_config(repo_yaml))


def spec(name: str = "security"):
    return next(s for s in load_agents() if s.name == name)


def run(agent, settings, mr=MR, rules=Rules()) -> ChunkResult:
    chunk = Chunk(agent=agent.name, files=list(mr.files), est_tokens=0)
    return asyncio.run(run_chunk(agent, chunk, mr, rules, settings, RISK))


def test_good_reply_becomes_findings(scripted_model):
    scripted_model.script(json_reply({"findings": [FINDING]}, prompt_tokens=900, completion_tokens=80))
    repo = "path_instructions:\n  - path: 'app/**'\n    instructions: Queries need review.\n"
    result = run(spec(), settings_for(scripted_model, repo))
    assert result.error is None and result.model == "openai/scripted"
    [finding] = result.findings
    assert (finding.path, finding.line, finding.severity) == ("app/db.py", 2, Severity.CRITICAL)
    assert finding.category == Category.SECURITY and finding.agent == "security"
    assert finding.rule_id == "SEC-001" and finding.suggestion.startswith("    return conn.execute(")
    assert result.usage.prompt_tokens == 900 and result.usage.completion_tokens == 80
    assert result.usage.calls == 1

    [request] = scripted_model.requests
    system, shared, own = request["messages"]
    assert system["role"] == "system" and "Never invent IDs" in system["content"]
    assert "Security reviewer" in own["content"] and "Security reviewer" not in shared["content"]
    assert request["response_format"]["json_schema"]["name"] == "security_report"
    text = shared["content"] + own["content"]
    assert "## Security review" in text and "What not to flag" in text
    assert "- SEC-001 [critical] SQL built from request input" in text
    assert "2+    return conn.execute(f\"SELECT * FROM users WHERE name = '{name}'\")" in text
    assert '<untrusted source="merge_request">\nSearch users\n\nAdds a name filter.\n</untrusted>' in text
    assert "Use the query builder." in text and "No raw SQL in app/." in text
    assert "- for `app/**`: Queries need review." in text


def test_findings_beyond_the_agent_limit_are_cut(scripted_model):
    many = [{**FINDING, "line": 2, "severity": "note", "title": f"Note {i}"} for i in range(15)]
    scripted_model.script(json_reply({"findings": many}))
    result = run(spec("docs"), settings_for(scripted_model))
    assert len(result.findings) == spec("docs").limits.max_findings
    assert all(f.category == Category.DOCS for f in result.findings)


def test_failing_model_sets_error_and_never_raises(scripted_model):
    scripted_model.default(error_reply(500))
    result = run(spec(), settings_for(scripted_model))
    assert result.findings == [] and result.error
    assert "500" in result.error or "scripted error" in result.error
    assert result.usage is not None and result.model == "openai/scripted"
    assert scripted_model.calls == 2  # one try and one retry (max_retries=1)


def test_unparseable_reply_twice_is_an_error(scripted_model):
    scripted_model.script(text_reply("I think the code is fine."), text_reply('{"findings": "none"}'))
    result = run(spec(), settings_for(scripted_model))
    assert result.error and result.findings == []
    assert scripted_model.calls == 2  # the reply and the one repair attempt


def test_one_bad_finding_is_dropped_and_its_siblings_kept_without_a_repair_call(scripted_model):
    bad = {**FINDING, "severity": "catastrophic", "title": "the bad one"}
    scripted_model.script(json_reply({"findings": [FINDING, bad, {**FINDING, "line": FINDING["line"] + 1}]}))
    result = run(spec(), settings_for(scripted_model))
    assert result.error is None and len(result.findings) == 2 and scripted_model.calls == 1
    [dropped] = result.dropped
    assert (dropped.stage, dropped.finding["title"], dropped.finding["severity"]) == (
        "validate", "the bad one", "catastrophic")
    assert "severity" in dropped.reason


def test_repaired_reply_is_used(scripted_model):
    scripted_model.script(text_reply('{"findings": ['), json_reply({"findings": [FINDING]}))
    result = run(spec(), settings_for(scripted_model))
    assert result.error is None and len(result.findings) == 1


def test_no_model_is_an_error_without_a_call(scripted_model):
    result = run(spec(), Settings())
    assert result.error == "no model configured for 'default'" and scripted_model.calls == 0


def test_agent_alias_model_is_used(scripted_model):
    scripted_model.route_model("cheap", json_reply({"findings": []}))
    settings = settings_for(scripted_model).model_copy(
        update={"env": Environment(model="openai/scripted", api_base=scripted_model.base_url,
                                   alias_models={"fast": "openai/cheap"}, max_retries=0)})
    result = run(spec("docs"), settings)
    assert result.error is None and result.model == "openai/cheap"
    assert scripted_model.requests[0]["model"] == "cheap"


def test_shipped_codex_rules_reach_the_prompt(scripted_model):
    from reviewer.codex import load_rules

    codex = load_rules()
    expected = {r.id for r in codex.for_path("app/db.py") if r.category == Category.SECURITY}
    assert expected
    run(spec(), settings_for(scripted_model), rules=codex)
    text = scripted_model.requests[0]["messages"][-1]["content"]
    listed = {line.split()[1] for line in text.splitlines() if line.startswith("- ") and "[" in line}
    assert listed == expected


def test_agents_md_root_then_nearest_each_once():
    docs = {"": "root", "app": "app", "app/api": "api", "lib": "lib"}
    chosen = agents_md_for(docs, ["app/api/v1/x.py", "app/y.py", "app/api/z.py", "other/q.py"])
    assert [(d["path"], d["text"]) for d in chosen] == [
        ("AGENTS.md", "root"), ("app/api/AGENTS.md", "api"), ("app/AGENTS.md", "app")]
    assert agents_md_for({}, ["a.py"]) == []
    long = agents_md_for({"": "x" * 10_000}, ["a.py"])[0]["text"]
    assert len(long) < 7000 and long.endswith("[… truncated]")


def test_a_finding_on_a_file_outside_the_agents_focus_is_dropped(scripted_model):
    other = {**FINDING, "path": "README.md", "title": "Not mine"}
    scripted_model.script(json_reply({"findings": [FINDING, other]}))
    agent = spec()
    readme = MR.files[0].model_copy(update={"new_path": "README.md", "old_path": "README.md"})
    chunk = Chunk(agent=agent.name, files=[*MR.files, readme], est_tokens=0, focus=frozenset({"app/db.py"}))
    result = asyncio.run(run_chunk(agent, chunk, MR, None, settings_for(scripted_model), RISK))
    assert [f.path for f in result.findings] == ["app/db.py"]
    [dropped] = result.dropped
    assert (dropped.finding["title"], dropped.reason) == ("Not mine", "on a file outside the agent's scope")
    own = scripted_model.requests[0]["messages"][-1]["content"]
    assert "review only these" in own and "`app/db.py`" in own and "`README.md`" not in own
