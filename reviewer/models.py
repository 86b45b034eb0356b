"""The data every stage hands to the next: the change, the findings, the result.

A stage never reaches back into an earlier one; it reads these values and returns new ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Severity(str, Enum):
    """How much a finding matters, from most to least."""

    CRITICAL = "critical"
    IMPORTANT = "important"
    SUGGESTION = "suggestion"
    NOTE = "note"

    @property
    def rank(self) -> int:
        """Higher is more severe: critical=3 … note=0."""
        return _SEVERITY_RANK[self]

    @property
    def label(self) -> str:
        """The label authors see: Critical, Important, Suggestion, Optional Note."""
        return _SEVERITY_LABEL[self]

    @property
    def icon(self) -> str:
        """A coloured marker used in comments and terminal output."""
        return _SEVERITY_ICON[self]

    def at_least(self, other: Severity) -> bool:
        """True when this severity is ``other`` or more severe."""
        return self.rank >= other.rank


_SEVERITY_RANK = {Severity.CRITICAL: 3, Severity.IMPORTANT: 2, Severity.SUGGESTION: 1, Severity.NOTE: 0}
_SEVERITY_LABEL = {
    Severity.CRITICAL: "Critical",
    Severity.IMPORTANT: "Important",
    Severity.SUGGESTION: "Suggestion",
    Severity.NOTE: "Optional Note",
}
_SEVERITY_ICON = {Severity.CRITICAL: "🔴", Severity.IMPORTANT: "🟠", Severity.SUGGESTION: "🟡", Severity.NOTE: "🔵"}


class Category(str, Enum):
    """The specialist area a finding belongs to; one agent per category by default."""

    SECURITY = "security"
    QUALITY = "quality"
    CODEX = "codex"
    DOCS = "docs"
    PERFORMANCE = "performance"
    RELEASE = "release"

    @property
    def label(self) -> str:
        """Human-readable name: Security, Code Quality, …"""
        return _CATEGORY_LABEL[self]


_CATEGORY_LABEL = {
    Category.SECURITY: "Security",
    Category.QUALITY: "Code Quality",
    Category.CODEX: "Codex Compliance",
    Category.DOCS: "Documentation",
    Category.PERFORMANCE: "Performance",
    Category.RELEASE: "Release Impact",
}


class RiskTier(str, Enum):
    """How deep a review the change gets."""

    TRIVIAL = "trivial"
    LIGHT = "light"
    FULL = "full"


LineKind = Literal["added", "removed", "context"]
Side = Literal["new", "old"]


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a hunk with its exact numbers (a slotted dataclass: a big change has
    hundreds of thousands of them).

    ``old_line``/``new_line`` are GitLab's position numbers (None where the line does not
    exist on that side). ``old_pos``/``new_pos`` are the parser's running counters that
    GitLab's ``line_code`` uses; they are always set.
    """

    kind: LineKind
    content: str
    old_line: int | None
    new_line: int | None
    old_pos: int
    new_pos: int


class Hunk(BaseModel):
    """A ``@@ -a,b +c,d @@`` block."""

    model_config = ConfigDict(frozen=True)

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str = ""
    lines: list[DiffLine] = Field(default_factory=list)


class FileDiff(BaseModel):
    """One changed file.

    ``skip_reason`` marks (never drops) files the agents must not review: lock files,
    generated or minified code, vendored folders, binaries, collapsed/too-large diffs.
    """

    old_path: str
    new_path: str
    new_file: bool = False
    deleted_file: bool = False
    renamed_file: bool = False
    binary: bool = False
    a_mode: str | None = None
    b_mode: str | None = None
    hunks: list[Hunk] = Field(default_factory=list)
    skip_reason: str | None = None
    diff_text: str = ""

    @property
    def path(self) -> str:
        """The path that names the file now (the old path for deleted files)."""
        return self.old_path if self.deleted_file else self.new_path

    @property
    def added(self) -> int:
        """Number of added lines."""
        return sum(1 for h in self.hunks for ln in h.lines if ln.kind == "added")

    @property
    def removed(self) -> int:
        """Number of removed lines."""
        return sum(1 for h in self.hunks for ln in h.lines if ln.kind == "removed")

    @property
    def reviewable(self) -> bool:
        """True when agents may look at this file."""
        return self.skip_reason is None

    def iter_lines(self):
        """Yield every diff line of every hunk, in order."""
        for hunk in self.hunks:
            yield from hunk.lines

    def find_line(self, line: int, side: Side = "new") -> DiffLine | None:
        """The diff line at ``line`` on ``side``, or None when that line is not in the diff."""
        attr = "new_line" if side == "new" else "old_line"
        for diff_line in self.iter_lines():
            if getattr(diff_line, attr) == line:
                return diff_line
        return None


class DiffRefs(BaseModel):
    """The three SHAs GitLab positions are anchored to."""

    base_sha: str
    start_sha: str
    head_sha: str


class PriorNote(BaseModel):
    """A note in one of the reviewer's earlier threads (the reviewer's own or a human reply)."""

    note_id: int
    body: str
    author: str = ""
    is_reviewer: bool = False
    system: bool = False
    awards: list[str] = Field(default_factory=list)


class PriorThread(BaseModel):
    """A discussion the reviewer opened on an earlier run, with its replies and state."""

    discussion_id: str
    fingerprint: str
    severity: Severity | None = None
    category: Category | None = None
    rule_id: str | None = None
    title: str = ""
    anchor: str = Field(default="", description="Normalised code the finding anchored to")
    path: str | None = None
    line: int | None = None
    resolved: bool = False
    resolved_by_reviewer: bool = False
    outdated: bool = False
    notes: list[PriorNote] = Field(default_factory=list)


class RunRecord(BaseModel):
    """One earlier run, as kept in the summary note's hidden marker."""

    head_sha: str
    tier: RiskTier
    counts: dict[str, int] = Field(default_factory=dict)


class PriorReviewState(BaseModel):
    """What the reviewer remembers from its last run on this merge request."""

    head_sha: str
    file_states: dict[str, str] = Field(
        default_factory=dict, description="Path → digest of what the file's change looked like"
    )
    history: list[RunRecord] = Field(default_factory=list)
    head_reachable: bool = Field(
        default=True, description="False when the last reviewed head is gone (force-push or rebase)"
    )
    listed: list[Finding] = Field(
        default_factory=list,
        description="Findings the last run listed in the summary only (no thread), without their body",
    )


class MergeRequest(BaseModel):
    """Everything a review needs about one change, from GitLab or from a local repository."""

    title: str = ""
    description: str = ""
    draft: bool = False
    source_branch: str = ""
    target_branch: str = ""
    diff_refs: DiffRefs | None = None
    files: list[FileDiff] = Field(default_factory=list)
    agents_md: dict[str, str] = Field(
        default_factory=dict,
        description="AGENTS.md contents by the folder they govern ('' is the repo root)",
    )
    repo_config_text: str | None = Field(
        default=None, description="The repo config file as read from the target branch"
    )
    repo_rule_files: dict[str, str] = Field(
        default_factory=dict,
        description="The repo's own Codex rule files (codex_rule_dirs), by repo path, read from the target branch",
    )
    repo_prompt_files: dict[str, str] = Field(
        default_factory=dict,
        description="The repo's prompt override templates (prompts_dir), by repo path, read from the target branch",
    )
    prior_threads: list[PriorThread] = Field(default_factory=list)
    prior_summary: str | None = Field(default=None, description="Body of the earlier summary note")
    prior_state: PriorReviewState | None = None
    project: str | None = None
    iid: int | None = None
    web_url: str | None = None
    not_reviewed: list[NotReviewed] = Field(
        default_factory=list, description="Files the source could not load, with the reason"
    )


class Occurrence(BaseModel):
    """One place a grouped finding stands for (see ``Finding.occurrences``)."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int | None = None
    end_line: int | None = None
    fingerprint: str = Field(default="", description="The fingerprint this place has as a finding of its own")


class Finding(BaseModel):
    """One thing the reviewer says about the change.

    ``line``/``end_line`` are on ``side`` (new file by default; old file for removed lines and
    deleted files). A finding with ``line`` None is about the file as a whole.

    ``occurrences`` is empty for a finding about one place. The judge folds the findings of one
    Codex rule that fires on many lines of a file (or in many files) into one grouped finding on
    the first of them; ``occurrences`` then lists every place, that first one included.
    """

    path: str
    line: int | None = None
    end_line: int | None = None
    side: Side = "new"
    severity: Severity
    category: Category
    rule_id: str | None = None
    title: str
    body: str = ""
    suggestion: str | None = None
    agent: str
    fingerprint: str = ""
    anchor: str = Field(default="", description="The normalised code the finding anchors to")
    also_reported_by: list[str] = Field(
        default_factory=list, description="Other agents whose duplicate the judge merged into this one"
    )
    occurrences: list[Occurrence] = Field(
        default_factory=list, description="Every place a grouped finding stands for (itself first); else empty"
    )

    def to_public(self, *, with_line: bool = True) -> dict:
        """The JSON shape of a finding in reports (``with_line=False`` for file findings); a grouped
        finding adds ``occurrences`` (``[{path, line, end_line, fingerprint}, …]``, itself first)."""
        data = {
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "severity": self.severity.value,
            "category": self.category.value,
            "rule_id": self.rule_id,
            "title": self.title,
            "body": self.body,
            "suggestion": self.suggestion,
            "agent": self.agent,
            "fingerprint": self.fingerprint,
        }
        if not with_line:
            del data["line"], data["end_line"]
        if self.occurrences:
            data["occurrences"] = [o.model_dump() for o in self.occurrences]
        return data


AgentStatus = Literal["ok", "failed", "skipped"]


class AgentRun(BaseModel):
    """What one agent did in this review: its model, outcome and cost.

    ``chunks``/``chunks_failed`` count the model calls it was planned for and those that failed;
    ``causes`` are the distinct reasons of those failures (``"model: reason"``).
    """

    name: str
    model: str | None = None
    status: AgentStatus
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = Field(default=0, description="Prompt tokens the provider served from its cache")
    cost_usd: float = 0.0
    seconds: float = 0.0
    calls: int = 0
    chunks: int = 0
    chunks_failed: int = 0
    causes: list[str] = Field(default_factory=list)
    context_items: int = Field(default=0, description="Code context items in its prompts")
    context_tokens: int = Field(default=0, description="Tokens of those items")
    context_dropped: int = Field(default=0, description="Items that did not fit the context allowance")


DropStage = Literal["validate", "judge", "preexisting", "verify"]
VERIFY_AGENT = "verify"  # the name of the verification run in the agents list


class DroppedFinding(BaseModel):
    """A finding the review removed before reporting, with the stage that removed it and why.

    ``finding`` holds what is known of it in the report's finding shape (a reply that did not
    validate may carry any JSON value in a field).
    """

    stage: DropStage
    reason: str
    agent: str
    finding: dict[str, Any] = Field(default_factory=dict)

    def to_public(self) -> dict[str, Any]:
        """The JSON shape: the finding's fields, then ``agent``, ``reason`` and ``stage``."""
        return {**self.finding, "agent": self.agent, "reason": self.reason, "stage": self.stage}


ModelReviewStatus = Literal["ok", "partial", "failed", "skipped"]


class NotReviewed(BaseModel):
    """A file the agents did not see, and why."""

    path: str
    reason: str


class RiskAssessment(BaseModel):
    """The tier and the human-readable reasons that led there."""

    tier: RiskTier
    reasons: list[str] = Field(default_factory=list)


class ReviewResult(BaseModel):
    """The outcome of one review, ready for any sink."""

    risk: RiskAssessment
    findings: list[Finding] = Field(default_factory=list)
    file_findings: list[Finding] = Field(default_factory=list)
    agents: list[AgentRun] = Field(default_factory=list)
    not_reviewed: list[NotReviewed] = Field(default_factory=list)
    notices: list[str] = Field(
        default_factory=list, description="Plain-language notes for the reader (e.g. no model configured)"
    )
    dropped: list[DroppedFinding] = Field(
        default_factory=list,
        description="Findings removed before reporting (invalid, not in the change, not introduced by it, rejected)",
    )
    head_sha: str | None = None

    def all_findings(self) -> list[Finding]:
        """Inline and file-level findings together."""
        return [*self.findings, *self.file_findings]

    @property
    def model_review(self) -> ModelReviewStatus:
        """How the model agents fared: ``skipped`` when none ran; ``failed`` when every call they
        made failed; ``partial`` when some did; else ``ok``."""
        ran = [a for a in self.agents if a.status != "skipped"]
        if not ran:
            return "skipped"
        planned = sum(a.chunks or 1 for a in ran)  # a run without chunk counts is one call
        failed = sum(a.chunks_failed if a.chunks else int(a.status == "failed") for a in ran)
        if failed == 0:
            return "ok"
        return "failed" if failed >= planned else "partial"

    def failure_causes(self) -> list[str]:
        """The distinct reasons model calls failed, in first-seen order."""
        causes: list[str] = []
        for agent in self.agents:
            for cause in agent.causes or ([agent.error] if agent.status == "failed" and agent.error else []):
                if cause not in causes:
                    causes.append(cause)
        return causes

    def to_public(self) -> dict:
        """The documented JSON report shape."""
        return {
            "risk": {"tier": self.risk.tier.value, "reasons": list(self.risk.reasons)},
            "findings": [f.to_public() for f in self.findings],
            "file_findings": [f.to_public(with_line=False) for f in self.file_findings],
            "agents": [
                a.model_dump(include={"name", "model", "status", "error", "prompt_tokens",
                                      "completion_tokens", "cached_tokens", "cost_usd", "seconds"})
                | {"context": {"items": a.context_items, "tokens": a.context_tokens, "dropped": a.context_dropped}}
                for a in self.agents
            ],
            "not_reviewed": [n.model_dump() for n in self.not_reviewed],
            "model_review": {
                "status": self.model_review,
                "failed_agents": [a.name for a in self.agents if a.status == "failed"],
                "causes": self.failure_causes(),
            },
            "dropped": [d.to_public() for d in self.dropped],
        }


MergeRequest.model_rebuild()
