"""The messages of one agent's call, laid out so a provider can cache what agents share.

Order: a system message common to every agent, then one user message with what every agent
reviewing the same files sees (the merge request text, AGENTS.md, path instructions, the
diff, the code context, earlier findings), then one user message with the agent's own part (its role and
instructions, its Codex rules, its finding limit). Calls of one review on the same files are
byte-identical up to that last message (``SHARED_MESSAGES`` messages).
"""

from __future__ import annotations

import posixpath
import weakref
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from reviewer.globs import any_match
from reviewer.models import FileDiff, MergeRequest, RiskAssessment
from reviewer.prompting.templates import render
from reviewer.reconcile import earlier_for_prompt

if TYPE_CHECKING:
    from reviewer.agents import AgentSpec
    from reviewer.prompting.overrides import PromptOverrides
    from reviewer.settings import Settings

MAX_AGENTS_MD_CHARS = 6000  # per AGENTS.md file in a prompt
MAX_DESCRIPTION_CHARS = 4000  # of the MR title + description
MAX_RULE_CHARS = 120  # of one rule's line in a prompt
SHARED_MESSAGES = 2  # the system message and the shared user message
SHARED_TEMPLATE = "shared.md.j2"
SYSTEM_TEMPLATE = "system.md.j2"


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


def build_messages(
    spec: AgentSpec,
    files: Sequence[FileDiff],
    mr: MergeRequest,
    rules: RuleSource | None,
    settings: Settings,
    risk: RiskAssessment,
    *,
    focus: Collection[str] | None = None,
    code_context: str = "",
) -> list[dict[str, str]]:
    """The system message, the shared user message and the agent's own message for ``spec``
    reviewing ``files`` (see the module docstring); with ``focus``, only those paths are the
    agent's to review (its rules are theirs, and its part names them). ``code_context`` is the
    chunk's code context section (``reviewer.context_stage``), shown after the diff. Templates
    come from ``settings.prompt_overrides`` first, then the packaged ones."""
    own = list(files) if focus is None else [f for f in files if f.path in focus]
    overrides = settings.prompt_overrides
    return [
        {"role": "system", "content": render(SYSTEM_TEMPLATE, overrides=overrides)},
        {"role": "user", "content": shared_part(files, mr, settings, risk, code_context)},
        {"role": "user", "content": agent_part(spec, own, rules, risk, focused=focus is not None, overrides=overrides)},
    ]


def shared_part(files: Sequence[FileDiff], mr: MergeRequest, settings: Settings, risk: RiskAssessment,
                code_context: str = "") -> str:
    """What every agent reviewing ``files`` is shown, identical for all of them."""
    return render(
        SHARED_TEMPLATE,
        overrides=settings.prompt_overrides,
        tier=risk.tier.value,
        files=list(files),
        code_context=code_context,
        mr=_mr_context(mr),
        agents_md=agents_md_for(mr.agents_md, [f.path for f in files]),
        path_instructions=[
            {"path": pi.path, "instructions": pi.instructions}
            for pi in settings.repo.path_instructions
            if any(any_match(f.path, (pi.path,)) for f in files)
        ],
        earlier=earlier_for_prompt(mr.prior_threads, [f.path for f in files]),
    )


def agent_part(spec: AgentSpec, files: Sequence[FileDiff], rules: RuleSource | None, risk: RiskAssessment,
               *, focused: bool = False, overrides: PromptOverrides | None = None) -> str:
    """The agent's own part: its role, the files that are its to review (when the change shows
    more), its instructions, Codex rules and finding limit (templates from ``overrides`` first)."""
    return render(spec.prompt, overrides=overrides, agent=spec, tier=risk.tier.value,
                  rules=prompt_rules(rules, files, spec), focus=[f.path for f in files] if focused else [])


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
