"""Wiring of the review graph: classify → detect → plan → context → agents (fan-out) → judge → verify → finish."""

from __future__ import annotations

from collections.abc import Collection

from langgraph.graph import END, START, StateGraph

from reviewer.context import SourceReader
from reviewer.graph import nodes
from reviewer.graph.services import ReviewServices, default_services
from reviewer.graph.state import InputState, OutputState, ReviewState
from reviewer.models import MergeRequest, ReviewResult
from reviewer.settings import Settings

MAX_CONCURRENT_AGENT_CALLS = 16


def build_graph():
    """Build and compile the review graph (stage functions come from the run's context)."""
    builder = StateGraph(ReviewState, context_schema=ReviewServices, input_schema=InputState,
                         output_schema=OutputState)
    builder.add_node("classify", nodes.classify)
    builder.add_node("detect", nodes.detect)
    builder.add_node("plan", nodes.plan)
    builder.add_node("context", nodes.gather_context)
    builder.add_node("run_agent", nodes.run_agent)
    builder.add_node("judge", nodes.judge)
    builder.add_node("verify", nodes.verify)
    builder.add_node("finish", nodes.finish)
    builder.add_edge(START, "classify")
    builder.add_edge("classify", "detect")
    builder.add_edge("detect", "plan")
    builder.add_edge("plan", "context")
    builder.add_conditional_edges("context", nodes.fan_out, ["run_agent", "judge"])
    builder.add_edge("run_agent", "judge")
    builder.add_edge("judge", "verify")
    builder.add_edge("verify", "finish")
    builder.add_edge("finish", END)
    return builder.compile(name="reviewer")


graph = build_graph()


async def run_graph(
    mr: MergeRequest, settings: Settings, *, services: ReviewServices | None = None,
    unchanged: Collection[str] = (), reader: SourceReader | None = None,
) -> ReviewResult:
    """Review ``mr`` with ``settings``; ``services`` replaces the real stage functions (tests).

    Files in ``unchanged`` (paths) are not sent to the model agents (incremental review);
    ``reader`` gives the agents code context from the repository (None: the diff only).
    """
    output = await graph.ainvoke(
        {"mr": mr, "settings": settings, "unchanged": frozenset(unchanged), "reader": reader},
        context=services or default_services(),
        config={"max_concurrency": MAX_CONCURRENT_AGENT_CALLS},
    )
    return output["result"]
