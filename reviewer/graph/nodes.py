"""The review graph's nodes: each takes the state and returns a partial update.

The stage functions come from the run's context (``ReviewServices``); nodes hold only the
glue between them: which inputs a stage gets, and how its output lands in the state.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Send

from reviewer.graph.services import ReviewServices
from reviewer.graph.state import AgentTask, ReviewState
from reviewer.log import get_logger
from reviewer.models import AgentRun, NotReviewed, ReviewResult
from reviewer.settings import NO_MODEL_HELP
from reviewer.short_text import shorten

log = get_logger("graph")

NO_MODEL_SKIP = "no model configured"
NO_FILES_IN_SCOPE = "no changed files in its scope"
UNCHANGED_SKIP = "no file in its scope changed since the last review"


def classify(state: ReviewState, runtime: Runtime[ReviewServices]) -> dict:
    """Mark the files agents must not review, then decide the risk tier and its reasons."""
    services, mr, settings = runtime.context, state["mr"], state["settings"]
    files = services.mark_files(mr.files, settings.repo.ignore)
    risk = services.classify(files, settings.repo.risk)
    log.info("classified", tier=risk.tier.value, files=len(files))
    return {"mr": mr.model_copy(update={"files": files}), "risk": risk}


def detect(state: ReviewState, runtime: Runtime[ReviewServices]) -> dict:
    """Load the Codex (packaged, ``--rules-dir`` folders, the repo's own rules) and run its
    deterministic detectors and analyzers (no model needed)."""
    services, settings = runtime.context, state["settings"]
    rules = services.load_rules(settings.extra_rule_dirs, state["mr"].repo_rule_files)
    if services.run_codex is None:
        findings, notices = services.run_detectors(state["mr"].files, rules), []
    else:
        codex = services.run_codex(state["mr"].files, rules, state.get("reader"))
        findings, notices = codex.findings, codex.notices
    log.info("detectors_done", findings=len(findings))
    return {"rules": rules, "findings": findings, **({"notices": notices} if notices else {})}


def plan(state: ReviewState, runtime: Runtime[ReviewServices]) -> dict:
    """Choose the agents for the tier, split their files into chunks, apply the token budget.

    Files in ``unchanged`` (incremental review) are left out of the plan: the tier was already
    decided on the whole change.
    """
    services, settings, mr = runtime.context, state["settings"], state["mr"]
    specs = services.apply_overrides(services.load_agents(), settings.repo, settings.env.config_path)
    unchanged = state.get("unchanged") or frozenset()
    if unchanged:
        mr = mr.model_copy(update={"files": [f for f in mr.files if f.path not in unchanged]})
    review_plan = services.plan_review(mr, state["risk"], specs, settings, rules=state.get("rules"))
    if unchanged:
        for run in review_plan.skipped:
            if run.error == NO_FILES_IN_SCOPE:
                run.error = UNCHANGED_SKIP
    update: dict = {"plan": review_plan}
    if not settings.model_configured:
        names = ", ".join(s.name for s in specs if getattr(s, "enabled", True)) or "none"
        update["notices"] = [
            f"No model is configured, so the model agents ({names}) were skipped; only the "
            f"deterministic checks ran (risk tier and Codex detector rules). To run them, {NO_MODEL_HELP}."
        ]
    log.info("planned", agents=[s.name for s in review_plan.agents], chunks=len(review_plan.chunks))
    return update


def gather_context(state: ReviewState, runtime: Runtime[ReviewServices]) -> dict:
    """Give every chunk its code context section (see ``reviewer.context_stage``)."""
    settings, review_plan = state["settings"], state["plan"]
    reader = state.get("reader")
    config = settings.repo.context
    if reader is None or not config.enabled or not settings.model_configured or not review_plan.chunks:
        return {}
    chunks = runtime.context.add_context(review_plan.chunks, reader, settings)
    log.info("context_done", chunks=len(chunks), items=sum(c.context.items for c in chunks),
             tokens=sum(c.context.tokens for c in chunks))
    return {"plan": replace(review_plan, chunks=chunks)}


def fan_out(state: ReviewState) -> list[Send] | Literal["judge"]:
    """Send each chunk to ``run_agent`` (all run concurrently); go to the judge when none."""
    review_plan = state["plan"]
    if not state["settings"].model_configured or not review_plan.chunks:
        return "judge"
    specs = {spec.name: spec for spec in review_plan.agents}
    return [
        Send(
            "run_agent",
            AgentTask(spec=specs[chunk.agent], chunk=chunk, mr=state["mr"], settings=state["settings"],
                      risk=state["risk"], rules=state.get("rules")),
        )
        for chunk in review_plan.chunks
        if chunk.agent in specs
    ]


async def run_agent(task: AgentTask, runtime: Runtime[ReviewServices]) -> dict:
    """Run one agent on one chunk; a crash becomes a failed run, never a failed review."""
    spec = task["spec"]
    started = time.perf_counter()
    try:
        result = await runtime.context.run_chunk(
            spec, task["chunk"], task["mr"], task["rules"], task["settings"], task["risk"]
        )
    except Exception as exc:  # noqa: BLE001 - one agent's bug must not stop the others
        log.warning("agent_crashed", agent=spec.name, error=type(exc).__name__)
        error = shorten(f"{type(exc).__name__}: {exc}", 500)
        run = AgentRun(name=spec.name, status="failed", error=error, seconds=time.perf_counter() - started,
                       chunks=1, chunks_failed=1, causes=[error])
        return {"chunk_runs": [run], "unreviewed": _failed_chunk_files(spec.name, task["chunk"])}
    usage = result.usage
    run = AgentRun(
        name=spec.name,
        model=result.model or (usage.model if usage else None) or None,
        status="failed" if result.error else "ok",
        error=result.error,
        prompt_tokens=usage.prompt_tokens if usage else 0,
        completion_tokens=usage.completion_tokens if usage else 0,
        cached_tokens=usage.cached_tokens if usage else 0,
        cost_usd=usage.cost_usd if usage else 0.0,
        seconds=time.perf_counter() - started,
        calls=usage.calls if usage else 0,
        chunks=1,
        chunks_failed=1 if result.error else 0,
        causes=list(result.causes),
        context_items=task["chunk"].context.items,
        context_tokens=task["chunk"].context.tokens,
        context_dropped=task["chunk"].context.dropped,
    )
    update: dict = {"findings": list(result.findings), "chunk_runs": [run], "dropped": list(result.dropped)}
    if result.error:
        update["unreviewed"] = _failed_chunk_files(spec.name, task["chunk"])
    return update


def _failed_chunk_files(agent: str, chunk) -> list[NotReviewed]:
    """The files of a chunk whose model call failed: not reviewed by that agent, said so."""
    return [NotReviewed(path=f.path, reason=f"{agent} agent failed on this file") for f in chunk.reviewed]


def judge(state: ReviewState, runtime: Runtime[ReviewServices]) -> dict:
    """Verify, merge and cap every finding (see ``reviewer.judge``)."""
    verdict = runtime.context.judge(state.get("findings", []), state["mr"], state.get("rules"), state["settings"])
    dropped = verdict.report.dropped_findings()  # not in the change (stage judge), not introduced by it (preexisting)
    return {"inline": verdict.inline, "file_level": verdict.file_level, "notices": verdict.report.notices(),
            "dropped": dropped}


async def verify(state: ReviewState, runtime: Runtime[ReviewServices]) -> dict:
    """Check the judged model findings of the verified severities (see ``reviewer.verify``)."""
    settings = state["settings"]
    inline, file_level = state.get("inline", []), state.get("file_level", [])
    if not settings.model_configured or not settings.repo.verify or not (inline or file_level):
        return {}
    outcome = await runtime.context.verify(
        [*inline, *file_level], state["mr"].files, settings, state.get("reader"))
    kept = outcome.findings
    update: dict = {"inline": [f for f in kept if f.line is not None],
                    "file_level": [f for f in kept if f.line is None],
                    "dropped": outcome.dropped, "notices": outcome.notices()}
    if outcome.run is not None:
        update["verify_runs"] = [outcome.run]
    log.info("verified", dropped=len(outcome.dropped), downgraded=outcome.downgraded, unverified=outcome.unverified)
    return update


def finish(state: ReviewState) -> dict:
    """Assemble the ``ReviewResult``: one ``AgentRun`` per agent, what was not reviewed, notices."""
    review_plan, mr = state["plan"], state["mr"]
    model_configured = state["settings"].model_configured
    runs = state.get("chunk_runs", [])
    agents = [_agent_summary(spec.name, [r for r in runs if r.name == spec.name], model_configured)
              for spec in review_plan.agents]
    agents += [_short_no_model(run) if not model_configured else run for run in review_plan.skipped]
    agents += state.get("verify_runs", [])
    notices = list(state.get("notices", []))
    for agent in agents:
        if agent.status == "failed":
            notices.append(f"The {agent.name} agent failed ({agent.error}); the review went on without it.")
    dropped = list(state.get("dropped", []))
    invalid = sum(1 for d in dropped if d.stage == "validate")
    if invalid:
        notices.append(f"{invalid} finding(s) in the model's replies did not match the required shape and were "
                       "left out (the JSON report lists them under dropped).")
    result = ReviewResult(
        risk=state["risk"],
        findings=state.get("inline", []),
        file_findings=state.get("file_level", []),
        agents=agents,
        not_reviewed=_merge_not_reviewed([*mr.not_reviewed, *review_plan.not_reviewed,
                                          *state.get("unreviewed", [])]),
        notices=notices,
        dropped=dropped,
        head_sha=mr.diff_refs.head_sha if mr.diff_refs else None,
    )
    return {"result": result}


def _merge_not_reviewed(entries: list[NotReviewed]) -> list[NotReviewed]:
    """One entry per path, its distinct reasons joined, in first-seen order."""
    reasons: dict[str, list[str]] = {}
    for entry in entries:
        known = reasons.setdefault(entry.path, [])
        if entry.reason not in known:
            known.append(entry.reason)
    return [NotReviewed(path=path, reason="; ".join(found)) for path, found in reasons.items()]


def _short_no_model(run: AgentRun) -> AgentRun:
    """Shorten a skipped agent's "no model" reason: the notices already say how to configure one."""
    if run.error and run.error.startswith(NO_MODEL_SKIP):
        return run.model_copy(update={"error": NO_MODEL_SKIP})
    return run


def _agent_summary(name: str, runs: list[AgentRun], model_configured: bool) -> AgentRun:
    """Fold the per-chunk runs of one agent into one: summed tokens, cost, time and calls."""
    if not runs:
        reason = "no chunk ran" if model_configured else NO_MODEL_SKIP
        return AgentRun(name=name, status="skipped", error=reason)
    failed = [r for r in runs if r.status == "failed"]
    error = None
    if failed:
        error = failed[0].error or "failed"
        if len(runs) > 1:
            error = f"{len(failed)} of {len(runs)} chunks failed: {error}"
    models = [m for m in dict.fromkeys(r.model for r in runs) if m]
    causes = list(dict.fromkeys(c for r in failed for c in (r.causes or [r.error or "failed"])))
    return AgentRun(
        name=name,
        model=", ".join(models) or None,
        status="failed" if failed else "ok",
        error=error,
        prompt_tokens=sum(r.prompt_tokens for r in runs),
        completion_tokens=sum(r.completion_tokens for r in runs),
        cached_tokens=sum(r.cached_tokens for r in runs),
        cost_usd=sum(r.cost_usd for r in runs),
        seconds=sum(r.seconds for r in runs),
        calls=sum(r.calls for r in runs),
        chunks=len(runs),
        chunks_failed=len(failed),
        causes=causes,
        context_items=sum(r.context_items for r in runs),
        context_tokens=sum(r.context_tokens for r in runs),
        context_dropped=sum(r.context_dropped for r in runs),
    )
