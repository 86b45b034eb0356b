"""How a review ends: its exit status and the lines a user must see on stderr.

- ``1`` when an open finding is at or above ``--fail-on``, with one line naming how many and
  the first few (``path:line rule``);
- else ``3`` when the model review did not happen as the failure policy requires: by default
  when every model call failed, with ``on_agent_failure: fail`` when any did; one line per
  distinct cause; ``on_agent_failure: warn`` only warns;
- else ``0``.

A blocking finding wins over a failed model review, so a provider outage never hides a
finding that must stop the merge. Without a model configured the deterministic review is what
was asked for: it says so on stderr in every format and exits 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reviewer.models import ReviewResult, Severity
from reviewer.settings import NO_MODEL_HELP, AgentFailurePolicy

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 3
MAX_NAMED = 5


@dataclass(frozen=True)
class OpenFinding:
    """An open finding as the exit status counts it: its severity and where it is."""

    severity: Severity
    path: str
    line: int | None = None
    rule_id: str | None = None

    def where(self) -> str:
        """``path:line rule`` (line and rule when known)."""
        place = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{place} {self.rule_id}" if self.rule_id else place


@dataclass
class Outcome:
    """The exit code and the stderr lines (without the ``reviewer:`` prefix) that explain it."""

    code: int
    messages: list[str] = field(default_factory=list)


def review_outcome(result: ReviewResult, open_findings: Sequence[OpenFinding], fail_on: str, *,
                   model_configured: bool, policy: AgentFailurePolicy | None) -> Outcome:
    """Decide the exit code of a finished review (see the module docstring)."""
    messages: list[str] = []
    if not model_configured:
        messages.append("note: no model is configured, so the model agents were skipped and only the "
                        f"deterministic checks ran; to run them, {NO_MODEL_HELP}")
    fatal, failed = _failure_lines(result, policy)
    messages += failed
    blocking = _blocking(open_findings, fail_on)
    if blocking:
        return Outcome(EXIT_FINDINGS, [*messages, _blocking_line(blocking, fail_on)])
    return Outcome(EXIT_FAILED if fatal else EXIT_OK, messages)


def _failure_lines(result: ReviewResult, policy: AgentFailurePolicy | None) -> tuple[bool, list[str]]:
    """Whether failed model calls make the run exit 3 under ``policy``, and what to say."""
    status = result.model_review
    if status in ("ok", "skipped"):
        return False, []
    fatal = policy == "fail" or (policy is None and status == "failed")
    failed = [a.name for a in result.agents if a.status == "failed"]
    if status == "failed":
        what = "the model review did not happen: every model call failed"
    else:
        what = f"part of the model review failed ({', '.join(failed)})"
    head = (f"failed: {what}" if fatal else f"warning: {what}") + (
        "; the deterministic findings were still reported" if status == "failed" else "")
    return fatal, [head, *(f"  - {cause}" for cause in result.failure_causes())]


def _blocking(findings: Sequence[OpenFinding], fail_on: str) -> list[OpenFinding]:
    if fail_on == "none":
        return []
    threshold = Severity(fail_on)
    ranked = sorted((f for f in findings if f.severity.at_least(threshold)), key=lambda f: -f.severity.rank)
    return ranked


def _blocking_line(findings: list[OpenFinding], fail_on: str) -> str:
    named = ", ".join(f.where() for f in findings[:MAX_NAMED])
    more = f" and {len(findings) - MAX_NAMED} more" if len(findings) > MAX_NAMED else ""
    label = Severity(fail_on).label.lower()
    return f"{len(findings)} open finding(s) at or above {label} (--fail-on {fail_on}): {named}{more}"
