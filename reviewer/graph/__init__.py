"""The LangGraph coordinator of one review."""

from reviewer.graph.graph import build_graph, graph, run_graph
from reviewer.graph.services import ReviewServices, default_services

__all__ = ["ReviewServices", "build_graph", "default_services", "graph", "run_graph"]
