"""The graph's wiring with fake stages: fan-out, concurrency, failure isolation, no model."""

from __future__ import annotations

import asyncio
import time

from reviewer.agent_runner import ChunkResult
from reviewer.context_stage import add_context
from reviewer.verify import verify_findings
from reviewer.agents import AgentSpec, apply_overrides
from reviewer.graph import ReviewServices, run_graph
from reviewer.judge import judge_findings
from reviewer.llm import CallUsage
from reviewer.models import (
    AgentRun, Category, DiffRefs, Finding, MergeRequest, NotReviewed, RiskAssessment, RiskTier, Severity,
)
from reviewer.planning import Chunk, ReviewPlan
from reviewer.settings import NO_MODEL_HELP, Environment, RepoConfig, Settings
from tests.support.diff_builder import file_diff

APP = file_diff("src/app.py", "a = 1\n", "a = 1\nb = eval(a)\nc = 3\n")
DOC = file_diff("docs/guide.md", "# Guide\n", "# Guide\n\nRun it.\n")
MR = MergeRequest(files=[APP, DOC], diff_refs=DiffRefs(base_sha="b" * 40, start_sha="s" * 40, head_sha="h" * 40),
                  not_reviewed=[NotReviewed(path="big.bin", reason="too large to load")])
WITH_MODEL = Settings(env=Environment(model="openai/fake"))


class Rules:
    """A tiny stand-in for the Codex rule set."""

    def ids(self) -> list[str]:
        return ["SEC-001"]

    def for_path(self, path: str) -> list:
        return []


def _spec(name: str, category: Category = Category.QUALITY) -> AgentSpec:
    return AgentSpec(name=name, description=f"{name} agent", category=category,
                     tiers=[RiskTier.TRIVIAL, RiskTier.LIGHT, RiskTier.FULL], prompt=f"{name}.md.j2")


def _detector_finding() -> Finding:
    return Finding(path="src/app.py", line=2, severity=Severity.CRITICAL, category=Category.SECURITY,
                   rule_id="SEC-001", title="eval on data", agent="codex-detector")


class Stages:
    """Fake stages that record what the graph handed them."""

    def __init__(self, agents: list[AgentSpec], chunks_per_agent: dict[str, int] | None = None,
                 delay: float = 0.0, behaviour: dict[str, str] | None = None) -> None:
        self.agents = agents
        self.chunks_per_agent = chunks_per_agent or {}
        self.delay = delay
        self.behaviour = behaviour or {}
        self.calls: list[str] = []
        self.active = 0
        self.max_active = 0
        self.classified_files: list = []
        self.rule_sources: list[tuple] = []

    def services(self) -> ReviewServices:
        return ReviewServices(
            mark_files=self.mark_files, classify=self.classify, load_rules=self.load_rules,
            run_detectors=lambda files, rules: [_detector_finding()], load_agents=lambda: list(self.agents),
            apply_overrides=apply_overrides, plan_review=self.plan_review, add_context=add_context,
            run_chunk=self.run_chunk, judge=judge_findings, verify=verify_findings,
        )

    def load_rules(self, dirs, texts):
        self.rule_sources.append((list(dirs), dict(texts)))
        return Rules()

    def mark_files(self, files, globs):
        return [f.model_copy(update={"skip_reason": "ignored"}) if any(f.path.startswith(g) for g in globs) else f
                for f in files]

    def classify(self, files, thresholds):
        self.classified_files = list(files)
        return RiskAssessment(tier=RiskTier.FULL, reasons=["fake reason"])

    def plan_review(self, mr, risk, agents, settings, *, rules=None):
        plan = ReviewPlan(not_reviewed=[NotReviewed(path="docs/guide.md", reason="budget")])
        for spec in agents:
            if not spec.enabled:
                plan.skipped.append(AgentRun(name=spec.name, status="skipped", error="disabled"))
                continue
            if settings.resolve_model(spec.model) is None:
                plan.skipped.append(AgentRun(name=spec.name, status="skipped", error="no model"))
                continue
            plan.agents.append(spec)
            for i in range(self.chunks_per_agent.get(spec.name, 1)):
                plan.chunks.append(Chunk(agent=spec.name, files=[mr.files[i % len(mr.files)]], est_tokens=100))
        return plan

    async def run_chunk(self, spec, chunk, mr, rules, settings, risk):
        self.calls.append(spec.name)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.active -= 1
        behaviour = self.behaviour.get(spec.name, "ok")
        if behaviour == "crash":
            raise RuntimeError("boom")
        usage = CallUsage(model="openai/fake", prompt_tokens=100, completion_tokens=10, cost_usd=0.01,
                          seconds=self.delay, calls=1)
        if behaviour == "error":
            return ChunkResult(agent=spec.name, usage=usage, error="invalid JSON after repair", model="openai/fake")
        finding = Finding(path=chunk.files[0].path, line=2, severity=Severity.SUGGESTION, category=spec.category,
                          title=f"{spec.name} says hi", agent=spec.name)
        return ChunkResult(agent=spec.name, findings=[finding], usage=usage, model="openai/fake")


def _run(stages: Stages, settings: Settings = WITH_MODEL, mr: MergeRequest = MR):
    return asyncio.run(run_graph(mr, settings, services=stages.services()))


def test_one_agent_call_per_chunk_and_runs_summed_per_agent():
    stages = Stages([_spec("quality"), _spec("security", Category.SECURITY), _spec("docs", Category.DOCS)],
                    chunks_per_agent={"quality": 2, "security": 1, "docs": 3})
    result = _run(stages)
    assert sorted(stages.calls) == ["docs"] * 3 + ["quality"] * 2 + ["security"]
    by_name = {a.name: a for a in result.agents}
    assert by_name["docs"].calls == 3 and by_name["docs"].prompt_tokens == 300
    assert by_name["quality"].completion_tokens == 20 and abs(by_name["quality"].cost_usd - 0.02) < 1e-9
    assert {a.status for a in result.agents} == {"ok"} and by_name["docs"].model == "openai/fake"


def test_agents_run_concurrently():
    names = ["security", "quality", "codex", "docs"]
    stages = Stages([_spec(n) for n in names], delay=1.0)
    started = time.perf_counter()
    result = _run(stages)
    elapsed = time.perf_counter() - started
    assert stages.max_active == 4
    assert elapsed < 1.8, f"4 one-second agents took {elapsed:.2f}s: not concurrent"
    assert all(a.seconds >= 0.9 for a in result.agents)


def test_a_failing_agent_does_not_stop_the_others():
    stages = Stages([_spec("security"), _spec("quality"), _spec("docs")],
                    behaviour={"security": "crash", "docs": "error"})
    result = _run(stages)
    by_name = {a.name: a for a in result.agents}
    assert by_name["security"].status == "failed" and "RuntimeError: boom" in by_name["security"].error
    assert by_name["docs"].status == "failed" and by_name["docs"].prompt_tokens == 100
    assert by_name["quality"].status == "ok"
    agents_with_findings = {f.agent for f in result.all_findings()}
    assert "quality" in agents_with_findings and "codex-detector" in agents_with_findings
    assert any("security agent failed" in n for n in result.notices)


def test_partly_failed_agent_says_how_many_chunks_failed():
    calls = {"n": 0}
    stages = Stages([_spec("quality")], chunks_per_agent={"quality": 2})
    original = stages.run_chunk

    async def flaky(spec, chunk, *args):
        calls["n"] += 1
        if chunk.files[0].path == "docs/guide.md":
            raise ValueError("bad chunk")
        return await original(spec, chunk, *args)

    services = stages.services()
    services = ReviewServices(**{**services.__dict__, "run_chunk": flaky})
    result = asyncio.run(run_graph(MR, WITH_MODEL, services=services))
    quality = result.agents[0]
    assert calls["n"] == 2
    assert quality.status == "failed" and quality.error.startswith("1 of 2 chunks failed")
    assert any(f.agent == "quality" for f in result.findings)
    unreviewed = {n.path: n.reason for n in result.not_reviewed}
    assert "quality agent failed on this file" in unreviewed.get("docs/guide.md", ""), "never silently dropped"
    assert "src/app.py" not in unreviewed


def test_without_a_model_detectors_run_and_every_agent_is_skipped():
    stages = Stages([_spec("security"), _spec("quality")])
    result = _run(stages, settings=Settings())
    assert stages.calls == []
    assert [a.status for a in result.agents] == ["skipped", "skipped"]
    assert [f.agent for f in result.findings] == ["codex-detector"]
    assert result.risk.tier == RiskTier.FULL
    notice = next(n for n in result.notices if n.startswith("No model is configured"))
    assert "security, quality" in notice and NO_MODEL_HELP in notice


def test_result_assembles_judged_findings_not_reviewed_and_head_sha():
    stages = Stages([_spec("quality")])
    result = _run(stages)
    assert result.head_sha == "h" * 40
    assert [n.path for n in result.not_reviewed] == ["big.bin", "docs/guide.md"]
    detector = next(f for f in result.findings if f.agent == "codex-detector")
    assert detector.fingerprint and detector.anchor == "b=eval(a)"
    assert result.findings[0].severity == Severity.CRITICAL  # judge ordering


def test_judge_drops_findings_on_files_outside_the_change():
    stages = Stages([_spec("quality")])
    mr = MR.model_copy(update={"files": [DOC]})  # the fake agent and detector also report src/app.py
    result = _run(stages, mr=mr)
    assert {f.path for f in result.all_findings()} == {"docs/guide.md"}
    assert any("dropped because they named files" in n for n in result.notices)


def test_repo_ignore_globs_mark_files_before_classification():
    stages = Stages([_spec("quality")])
    settings = Settings(env=Environment(model="openai/fake"), repo=RepoConfig(ignore=["docs/"]))
    _run(stages, settings=settings)
    marked = {f.path: f.skip_reason for f in stages.classified_files}
    assert marked == {"src/app.py": None, "docs/guide.md": "ignored"}


def test_disabled_agent_is_listed_as_skipped():
    stages = Stages([_spec("quality"), _spec("docs")])
    settings = Settings(env=Environment(model="openai/fake"), repo=RepoConfig(agents={"docs": False}))
    result = _run(stages, settings=settings)
    assert [(a.name, a.status) for a in result.agents] == [("quality", "ok"), ("docs", "skipped")]
    assert stages.calls == ["quality"]


def test_unchanged_files_are_left_out_of_the_plan_but_count_for_the_tier():
    stages = Stages([_spec("quality")])
    planned: list[list[str]] = []
    plan_review = stages.plan_review

    def recording_plan(mr, risk, agents, settings, **kw):
        planned.append([f.path for f in mr.files])
        return plan_review(mr, risk, agents, settings, **kw)

    stages.plan_review = recording_plan
    result = asyncio.run(run_graph(MR, WITH_MODEL, services=stages.services(), unchanged={"docs/guide.md"}))
    assert [f.path for f in stages.classified_files] == ["src/app.py", "docs/guide.md"]
    assert planned == [["src/app.py"]]
    assert result.risk.tier is RiskTier.FULL


def test_detect_loads_rules_from_the_rules_dirs_and_the_repos_own_rule_files(tmp_path):
    stages = Stages([_spec("quality")])
    mr = MR.model_copy(update={"repo_rule_files": {".codex/REPO-001.yaml": "id: REPO-001\n"}})
    _run(stages, Settings(env=Environment(model="openai/fake"), extra_rule_dirs=[tmp_path]), mr)
    assert stages.rule_sources == [([tmp_path], {".codex/REPO-001.yaml": "id: REPO-001\n"})]
