"""The review graph's state: what callers send, what nodes share, what comes out.

Fan-in fields carry their reducer in the type: every ``run_agent`` branch appends to
``findings`` and ``chunk_runs`` and the branches' writes are concatenated.
"""

from __future__ import annotations

import operator
from typing import Annotated, NotRequired, TypedDict

from reviewer.agents import AgentSpec
from reviewer.codex import RuleSet
from reviewer.context import SourceReader
from reviewer.models import (
    AgentRun, DroppedFinding, Finding, MergeRequest, NotReviewed, ReviewResult, RiskAssessment,
)
from reviewer.planning import Chunk, ReviewPlan
from reviewer.settings import Settings


class InputState(TypedDict):
    """What a caller sends: the change and the settings of this run.

    ``unchanged``: paths whose change is the same as at the last review (incremental review);
    they count for the tier and the detectors but are not sent to the model agents.
    ``reader``: the repository at the change's commits, for code context (None: no context).
    """

    mr: MergeRequest
    settings: Settings
    unchanged: NotRequired[frozenset[str]]
    reader: NotRequired[SourceReader | None]


class ReviewState(InputState, total=False):
    """Everything the nodes share while one review runs."""

    risk: RiskAssessment
    rules: RuleSet | None
    plan: ReviewPlan
    findings: Annotated[list[Finding], operator.add]
    chunk_runs: Annotated[list[AgentRun], operator.add]
    notices: Annotated[list[str], operator.add]
    unreviewed: Annotated[list[NotReviewed], operator.add]
    dropped: Annotated[list[DroppedFinding], operator.add]
    verify_runs: list[AgentRun]
    inline: list[Finding]
    file_level: list[Finding]
    result: ReviewResult


class OutputState(TypedDict):
    """What a caller gets back."""

    result: ReviewResult


class AgentTask(TypedDict):
    """The payload of one ``Send("run_agent", …)``: one agent on one chunk."""

    spec: AgentSpec
    chunk: Chunk
    mr: MergeRequest
    settings: Settings
    risk: RiskAssessment
    rules: RuleSet | None
