"""The functions the graph's nodes call, passed as the run's LangGraph context.

Nodes reach every other stage through ``ReviewServices``, so a test can replace one stage
(a scripted agent runner, a fixed plan) and exercise the real wiring around it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any


@dataclass(kw_only=True, frozen=True)
class ReviewServices:
    """The stage functions one review uses; ``default_services()`` gives the real ones."""

    mark_files: Callable[..., list[Any]]
    """``mark_not_for_review(files, ignore_globs)``: set ``skip_reason`` on files agents skip."""
    classify: Callable[..., Any]
    """``classify(files, thresholds) -> RiskAssessment``."""
    load_rules: Callable[..., Any]
    """``load_rules(extra_dirs, extra_texts) -> RuleSet``: packaged rules, folders, and rule texts by repo path."""
    run_detectors: Callable[..., list[Any]]
    """``run_detectors(files, rules) -> list[Finding]``."""
    load_agents: Callable[[], list[Any]]
    """``load_agents() -> list[AgentSpec]``."""
    apply_overrides: Callable[..., list[Any]]
    """``apply_overrides(specs, repo_config, source) -> list[AgentSpec]``."""
    plan_review: Callable[..., Any]
    """``plan_review(mr, risk, agents, settings, *, rules) -> ReviewPlan``."""
    add_context: Callable[..., list[Any]]
    """``add_context(chunks, reader, settings) -> list[Chunk]``: each chunk with its code context."""
    run_chunk: Callable[..., Awaitable[Any]]
    """``async run_chunk(spec, chunk, mr, rules, settings, risk) -> ChunkResult``."""
    judge: Callable[..., Any]
    """``judge_findings(findings, mr, rules, settings) -> Verdict``."""
    verify: Callable[..., Awaitable[Any]]
    """``async verify_findings(findings, files, settings, reader) -> Verification``."""
    run_codex: Callable[..., Any] | None = None
    """``run_codex(files, rules, reader) -> CodexRun``: the detectors with the files' head texts and
    the analyzers (ruff, shellcheck), once per review; None: ``run_detectors`` alone."""


def default_services(**overrides: Any) -> ReviewServices:
    """Return the real stage functions, with any of them replaced by ``overrides``."""
    from reviewer.agent_runner import run_chunk
    from reviewer.agents import apply_overrides, load_agents
    from reviewer.classify import classify
    from reviewer.codex import load_rules, run_codex, run_detectors
    from reviewer.context_stage import add_context
    from reviewer.diff.filters import mark_not_for_review
    from reviewer.judge import judge_findings
    from reviewer.planning import plan_review
    from reviewer.verify import verify_findings

    real: dict[str, Any] = {
        "mark_files": mark_not_for_review,
        "classify": classify,
        "load_rules": load_rules,
        "run_detectors": run_detectors,
        "load_agents": load_agents,
        "apply_overrides": apply_overrides,
        "plan_review": plan_review,
        "add_context": add_context,
        "run_chunk": run_chunk,
        "judge": judge_findings,
        "verify": verify_findings,
        "run_codex": run_codex,
    }
    return ReviewServices(**{**real, **overrides})
