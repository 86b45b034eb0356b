"""Run one agent on one chunk: build its prompt, call its model, convert what it says.

Model trouble never escapes: a failed call comes back as ``ChunkResult.error`` so the review
goes on with the other agents.
"""

from __future__ import annotations

import posixpath
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from reviewer import llm
from reviewer.agent_output import AgentReport, dropped_findings, to_findings
from reviewer.agents import AgentSpec
from reviewer.errors import LLMError
from reviewer.globs import any_match
from reviewer.log import get_logger
from reviewer.models import DroppedFinding, FileDiff, Finding, MergeRequest, RiskAssessment
from reviewer.prompting import render
from reviewer.reconcile import earlier_for_prompt
from reviewer.settings import Settings
from reviewer.short_text import shorten

if TYPE_CHECKING:
    from reviewer.planning import Chunk

log = get_logger("agent_runner")

MAX_AGENTS_MD_CHARS = 6000  # per AGENTS.md file in a prompt
MAX_DESCRIPTION_CHARS = 4000  # of the MR title + description
MAX_RULE_CHARS = 120  # of one rule's line in a prompt
MAX_ERROR_CHARS = 500  # of a failed call's reason


class RuleSource(Protocol):
    """What the runner needs from the Codex: the rules that apply to a path.

    A rule needs ``id``, ``title``, ``severity`` and ``category`` (None: every agent's).
    """

    def for_path(self, path: str) -> list[Any]:
        """Return the rules whose scope covers ``path``."""
        ...


_PathRules = list[tuple[str | None, dict[str, str]]]  # (category, template values) per rule
_RULES_BY_PATH: weakref.WeakKeyDictionary[Any, dict[str, _PathRules]] = weakref.WeakKeyDictionary()


def rules_for_path(rules: RuleSource, path: str) -> _PathRules:
    """The rules covering ``path`` as (category, template values), remembered per rule set:
    planning and every chunk of every agent ask again."""
    try:
        cache = _RULES_BY_PATH.setdefault(rules, {})
    except TypeError:  # not weak-referenceable: ask every time
        cache = {}
    if path not in cache:
        cache[path] = [(_category(r), _rule_values(r)) for r in rules.for_path(path) if getattr(r, "id", None)]
    return cache[path]


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
    messages = build_messages(spec, chunk.files, mr, rules, settings, risk)
    try:
        report, usage = await llm.complete_json(call, messages, AgentReport, name=f"{spec.name}_report")
    except LLMError as exc:
        usage = getattr(exc, "usage", None)
        error = shorten(str(exc), MAX_ERROR_CHARS) or type(exc).__name__
        log.warning("agent_failed", agent=spec.name, files=len(chunk.files), reason=error)
        causes = [shorten(c, MAX_ERROR_CHARS) for c in getattr(exc, "causes", [error])]
        return ChunkResult(agent=spec.name, usage=usage, error=error, causes=causes,
                           model=usage.model if usage else call.model)
    findings = to_findings(report, spec)
    dropped = dropped_findings(report, spec)
    log.info("agent_done", agent=spec.name, files=len(chunk.files), findings=len(findings),
             dropped=len(dropped), prompt_tokens=usage.prompt_tokens)
    return ChunkResult(agent=spec.name, findings=findings, usage=usage, model=usage.model or call.model,
                       dropped=dropped)


def build_messages(
    spec: AgentSpec,
    files: Sequence[FileDiff],
    mr: MergeRequest,
    rules: RuleSource | None,
    settings: Settings,
    risk: RiskAssessment,
) -> list[dict[str, str]]:
    """The system and user messages for ``spec`` reviewing ``files``."""
    prompt_dirs = ()  # repository template overrides: not configurable yet
    system = render("system.md.j2", prompt_dirs=prompt_dirs, agent=spec)
    user = render(
        spec.prompt,
        prompt_dirs=prompt_dirs,
        agent=spec,
        tier=risk.tier.value,
        files=list(files),
        rules=prompt_rules(rules, files, spec),
        mr=_mr_context(mr),
        agents_md=agents_md_for(mr.agents_md, [f.path for f in files]),
        path_instructions=[
            {"path": pi.path, "instructions": pi.instructions}
            for pi in settings.repo.path_instructions
            if any(any_match(f.path, (pi.path,)) for f in files)
        ],
        earlier=earlier_for_prompt(mr.prior_threads, [f.path for f in files]),
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def prompt_rules(rules: RuleSource | None, files: Iterable[FileDiff], spec: AgentSpec) -> list[dict[str, str]]:
    """The rules ``spec`` is shown for ``files`` (see ``AgentSpec.rules``), once each, by ID."""
    if rules is None or spec.rules == "none":
        return []
    wanted = None if spec.rules == "all" else spec.category.value
    seen: dict[str, dict[str, str]] = {}
    for f in files:
        for category, values in rules_for_path(rules, f.path):
            if (wanted is None or category is None or category == wanted) and values["id"] not in seen:
                seen[values["id"]] = values
    return [seen[k] for k in sorted(seen)]


def _category(rule: Any) -> str | None:
    category = getattr(rule, "category", None)
    return getattr(category, "value", category)


def _rule_values(rule: Any) -> dict[str, str]:
    severity = getattr(rule, "severity", "")
    severity = getattr(severity, "value", severity) or "suggestion"
    text = next((str(v) for v in (getattr(rule, a, None) for a in ("title", "rule", "text")) if v), "")
    text = " ".join(text.split())
    if len(text) > MAX_RULE_CHARS:
        text = text[: MAX_RULE_CHARS - 1] + "…"
    return {"id": str(rule.id), "severity": str(severity), "text": text}


def agents_md_for(docs: dict[str, str], paths: Iterable[str]) -> list[dict[str, str]]:
    """The root AGENTS.md and the nearest one governing each path, root first, each once."""
    chosen: list[str] = []
    if "" in docs:
        chosen.append("")
    for path in paths:
        folder = posixpath.dirname(path)
        while folder:
            if folder in docs:
                if folder not in chosen:
                    chosen.append(folder)
                break
            folder = posixpath.dirname(folder)
    out = []
    for folder in chosen:
        text = docs[folder]
        if len(text) > MAX_AGENTS_MD_CHARS:
            text = text[:MAX_AGENTS_MD_CHARS] + "\n[… truncated]"
        out.append({"path": posixpath.join(folder, "AGENTS.md") if folder else "AGENTS.md", "text": text})
    return out


def _mr_context(mr: MergeRequest) -> dict[str, str]:
    description = mr.description or ""
    if len(description) > MAX_DESCRIPTION_CHARS:
        description = description[:MAX_DESCRIPTION_CHARS] + "\n[… truncated]"
    return {"title": mr.title or "", "description": description}
