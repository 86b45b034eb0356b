"""Bodies of ``reviewer prompts list`` and ``reviewer prompts render``; each returns an exit code."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.errors import ConfigError, SourceError
from reviewer.prompting.overrides import PromptOverrides, from_repo_files, packaged_names, read_folder

if TYPE_CHECKING:
    from reviewer.settings import Environment, Settings

__all__ = ["PLACEHOLDER_MODEL", "prompts_list", "prompts_render"]

PLACEHOLDER_MODEL = "placeholder"


def prompts_list(prompts_dir: Path | None, repo: Path | None, base: str | None, env: Environment) -> int:
    """Print ``name  origin`` for every template: ``packaged``, or the override file that replaces it
    (``prompts_dir`` first, then the ``prompts_dir`` of ``repo``'s config at ``base``)."""
    from reviewer.git_cli import Git
    from reviewer.local_source import load_local_prompts
    from reviewer.prompting.check import unused_warnings
    from reviewer.settings import Settings

    layers = [read_folder(prompts_dir)] if prompts_dir is not None else []
    implicit = repo is None
    repo = Path(".") if repo is None else repo
    if not implicit or base or Git(repo).run("rev-parse", "--git-dir").returncode == 0:
        try:
            folder, files, _ref = load_local_prompts(repo, base, env.config_path)
        except SourceError as exc:
            if not implicit:
                raise
            print(f"reviewer: warning: {exc}; the repository's prompts_dir is not listed", file=sys.stderr)
        else:
            if folder:
                layers.append(from_repo_files(files, folder))
    overrides = PromptOverrides.layered(*layers)
    names = sorted({*packaged_names(), *(t.name for t in overrides.templates)})
    width = max(len(n) for n in names)
    for name in names:
        override = overrides.get(name)
        print(f"{name:<{width}}  {override.origin if override else 'packaged'}")
    for warning in unused_warnings(Settings(prompt_overrides=overrides)):
        print(f"reviewer: warning: {warning}", file=sys.stderr)
    return 0


def prompts_render(agent: str, *, repo: Path, base: str | None, head: str, prompts_dir: Path | None,
                   rule_dirs: list[Path], chunk: int | None, env: Environment, context_window: int) -> int:
    """Print the messages ``agent`` would send for ``base...head`` of the local ``repo``: the change
    is loaded, classified, planned and given code context by the review graph itself, whose agent
    runner is replaced by one that keeps the messages instead of calling a model (and verification
    by one that does nothing). Aliases without a model get ``PLACEHOLDER_MODEL`` with a
    ``context_window``-token context, so planning can size the calls."""
    from reviewer.agents import load_agents
    from reviewer.review import ReviewRequest, _load_local, local_files, review_settings

    names = [spec.name for spec in load_agents()]
    if agent not in names:
        raise ConfigError(f"unknown agent '{agent}' (agents: {', '.join(names)})")
    request = ReviewRequest(local=True, repo=repo, base=base, head=head, rule_dirs=list(rule_dirs),
                            prompts_dirs=[prompts_dir] if prompts_dir else [])
    mr = _load_local(request, env)
    settings = _with_placeholder_models(review_settings(env, mr, request), context_window)
    calls, plan = _render_calls(agent, mr, settings, local_files(request, mr, settings))
    if not calls:
        reason = next((run.error for run in plan.skipped if run.name == agent), None) or "no chunk of it was planned"
        raise ConfigError(f"the {agent} agent sends nothing for this change: {reason}")
    if chunk is not None and chunk > len(calls):
        raise ConfigError(f"--chunk {chunk}: the {agent} agent makes {len(calls)} call(s) for this change")
    chosen = [(chunk, calls[chunk - 1])] if chunk is not None else list(enumerate(calls, start=1))
    out = []
    for number, (planned, messages) in chosen:
        if len(chosen) > 1:
            out.append(f"=== {agent}: call {number} of {len(calls)} ===")
        for message in messages:
            out.append(f"--- {message['role']} ---")
            out.append(message["content"])
        print(f"reviewer: {agent}: call {number} of {len(calls)}, {len(planned.reviewed)} file(s) to review, "
              f"about {planned.est_tokens + planned.context.tokens:,} prompt tokens estimated", file=sys.stderr)
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _render_calls(agent: str, mr: Any, settings: Settings, reader: Any) -> tuple[list[tuple[Any, list[dict]]], Any]:
    """Run the review graph with the model stages replaced; the agent's (chunk, messages) in plan order."""
    from reviewer.agent_runner import ChunkResult, chunk_messages
    from reviewer.context_stage import add_context
    from reviewer.graph import run_graph
    from reviewer.graph.services import default_services
    from reviewer.planning import plan_review
    from reviewer.verify import Verification

    kept: dict[str, Any] = {}
    messages: list[tuple[Any, list[dict[str, str]]]] = []

    def plan(*args: Any, **kwargs: Any) -> Any:
        kept["plan"] = plan_review(*args, **kwargs)
        return kept["plan"]

    def context(chunks: Any, source: Any, run_settings: Settings) -> Any:
        kept["chunks"] = add_context(chunks, source, run_settings)
        return kept["chunks"]

    async def keep_messages(spec, chunk, mr, rules, run_settings, risk):  # noqa: ANN001 - run_chunk's signature
        if spec.name == agent:
            messages.append((chunk, chunk_messages(spec, chunk, mr, rules, run_settings, risk)))
        return ChunkResult(agent=spec.name)

    async def no_verification(findings, files, run_settings, source=None):  # noqa: ANN001
        return Verification(findings=list(findings))

    services = default_services(plan_review=plan, add_context=context, run_chunk=keep_messages,
                                verify=no_verification)
    asyncio.run(run_graph(mr, settings, services=services, reader=reader))
    chunks = [c for c in kept.get("chunks", kept["plan"].chunks) if c.agent == agent]
    ordered = sorted(messages, key=lambda item: chunks.index(item[0]))
    return ordered, kept["plan"]


def _with_placeholder_models(settings: Settings, context_window: int) -> Settings:
    """``settings`` with ``PLACEHOLDER_MODEL`` (``context_window`` tokens unless the config sets
    one) for every agent model alias that resolves to no model; said on stderr."""
    from reviewer.agents import apply_overrides, load_agents
    from reviewer.settings import ModelAlias

    aliases = {spec.model.lower() for spec in apply_overrides(load_agents(), settings.repo, settings.env.config_path)}
    missing = sorted(a for a in aliases if settings.resolve_model(a) is None)
    if not missing:
        return settings
    models = dict(settings.repo.models)
    for alias in missing:
        config = models.get(alias, ModelAlias())
        models[alias] = config.model_copy(update={"model": PLACEHOLDER_MODEL,
                                                  "context_window": config.context_window or context_window})
    print(f"reviewer: no model is configured for the model alias(es) {', '.join(missing)}: the calls are planned "
          f"for a placeholder model with a {context_window:,}-token context window (set REVIEWER_MODEL to plan "
          "for yours)", file=sys.stderr)
    return settings.model_copy(update={"repo": settings.repo.model_copy(update={"models": models})})
