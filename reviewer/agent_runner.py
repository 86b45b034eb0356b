"""Run one agent on one chunk: build its messages, call its model, convert what it says.

Model trouble never escapes: a failed call comes back as ``ChunkResult.error`` so the review
goes on with the other agents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewer import llm
from reviewer.agent_output import AgentReport, dropped_findings, to_findings
from reviewer.agents import AgentSpec
from reviewer.errors import LLMError
from reviewer.log import get_logger
from reviewer.models import DroppedFinding, Finding, MergeRequest, RiskAssessment
from reviewer.prompting import SHARED_MESSAGES, RuleSource, build_messages
from reviewer.settings import Settings
from reviewer.short_text import shorten

if TYPE_CHECKING:
    from reviewer.planning import Chunk

log = get_logger("agent_runner")

MAX_ERROR_CHARS = 500  # of a failed call's reason


@dataclass
class ChunkResult:
    """What one agent said about one chunk, or why it could not say anything."""

    agent: str
    findings: list[Finding] = field(default_factory=list)
    usage: llm.CallUsage | None = None
    error: str | None = None
    model: str | None = None
    causes: list[str] = field(default_factory=list)
    dropped: list[DroppedFinding] = field(default_factory=list)


async def run_chunk(
    spec: AgentSpec,
    chunk: Chunk,
    mr: MergeRequest,
    rules: RuleSource | None,
    settings: Settings,
    risk: RiskAssessment,
) -> ChunkResult:
    """Review ``chunk`` with ``spec``'s model; never raises for model trouble."""
    call = settings.resolve_model(spec.model)
    if call is None:
        return ChunkResult(agent=spec.name, error=f"no model configured for '{spec.model}'")
    messages = chunk_messages(spec, chunk, mr, rules, settings, risk)
    try:
        report, usage = await llm.complete_json(call, messages, AgentReport, name=f"{spec.name}_report",
                                                shared_messages=SHARED_MESSAGES)
    except LLMError as exc:
        usage = getattr(exc, "usage", None)
        error = shorten(str(exc), MAX_ERROR_CHARS) or type(exc).__name__
        log.warning("agent_failed", agent=spec.name, files=len(chunk.files), reason=error)
        causes = [shorten(c, MAX_ERROR_CHARS) for c in getattr(exc, "causes", [error])]
        return ChunkResult(agent=spec.name, usage=usage, error=error, causes=causes,
                           model=usage.model if usage else call.model)
    findings, outside = _in_focus(to_findings(report, spec), chunk)
    dropped = dropped_findings(report, spec) + outside
    log.info("agent_done", agent=spec.name, files=len(chunk.files), findings=len(findings),
             dropped=len(dropped), prompt_tokens=usage.prompt_tokens)
    return ChunkResult(agent=spec.name, findings=findings, usage=usage, model=usage.model or call.model,
                       dropped=dropped)


def chunk_messages(spec: AgentSpec, chunk: Chunk, mr: MergeRequest, rules: RuleSource | None, settings: Settings,
                   risk: RiskAssessment) -> list[dict[str, str]]:
    """The messages ``spec`` sends for ``chunk`` (what ``reviewer prompts render`` prints)."""
    return build_messages(spec, chunk.files, mr, rules, settings, risk, focus=chunk.focus,
                          code_context=chunk.context.text)


def _in_focus(findings: list[Finding], chunk: Chunk) -> tuple[list[Finding], list[DroppedFinding]]:
    """The findings on files the agent reviews in ``chunk``; the others dropped, with the reason
    (an agent shown the whole change to share a cached prompt still owns only its own files)."""
    if chunk.focus is None:
        return findings, []
    others = {f.path for f in chunk.files} - chunk.focus
    kept, dropped = [], []
    for finding in findings:
        if finding.path.lstrip("/") in others:
            dropped.append(DroppedFinding(stage="validate", reason="on a file outside the agent's scope",
                                          agent=finding.agent, finding=finding.to_public()))
        else:
            kept.append(finding)  # its own file, or a path only the judge can resolve
    return kept, dropped
