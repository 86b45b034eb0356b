"""Prompts: jinja2 templates from ``prompts/`` and the messages of an agent's call."""

from reviewer.prompting.messages import (
    MAX_AGENTS_MD_CHARS, SHARED_MESSAGES, RuleSource, agent_part, agents_md_for, build_messages, prompt_rules,
    rules_for_path, shared_part,
)
from reviewer.prompting.templates import fence_untrusted, render, strip_boundary_tags

__all__ = [
    "MAX_AGENTS_MD_CHARS", "SHARED_MESSAGES", "RuleSource", "agent_part", "agents_md_for", "build_messages",
    "fence_untrusted", "prompt_rules", "render", "rules_for_path", "shared_part", "strip_boundary_tags",
]
