"""One run of the reviewer on a merge request it may have reviewed before.

Before the review: which files changed since the last reviewed head (``compute_increment``;
the rest are not sent to the model agents). After it: reconcile this run's findings with the
reviewer's earlier threads (new → post; still open → nothing; fixed → one acknowledgement and
resolve; dismissed → never again unless worse) and publish, with the per-run counts, the
incremental savings and a short run history in the summary note. The summary is written last
by ``publish``, so a run that dies while posting leaves the old state and is redone in full.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from reviewer.gitlab_mr import GitLabClient, PublishReport, SummaryInput, publish
from reviewer.gitlab_mr.publish import KEEP_DISMISSED, KEEP_OPEN
from reviewer.gitlab_mr.sanitize import sanitize_inline
from reviewer.gitlab_mr.summary import MAX_RUNS, code
from reviewer.incremental import Increment, compute_increment
from reviewer.log import get_logger
from reviewer.outcome import OpenFinding
from reviewer.models import (
    Category, FileDiff, Finding, MergeRequest, PriorThread, ReviewResult, RiskTier, RunRecord, Severity,
)
from reviewer.reconcile import Reconciliation, is_dismissed, reconcile
from reviewer.settings import Settings

log = get_logger("iteration")

__all__ = [
    "IterationReport", "carried_findings", "compute_increment", "open_findings", "open_severities",
    "publish_iteration",
    "reviewed_paths", "summary_input", "tokens_saved", "with_earlier_findings",
]

COUNT_KEYS = ("new", "still_open", "fixed", "dismissed")
CARRIED_REASON = "listed by an earlier review; the file has not changed since"
CARRIED_AGENT = "earlier review"  # what the GitLab source names the agent of a carried finding


@dataclass
class IterationReport:
    """What one run decided and what publishing did (or would do in a dry run)."""

    increment: Increment
    reconciliation: Reconciliation
    published: PublishReport
    tokens_saved: int = 0
    listed: list[Finding] = field(default_factory=list)

    def open_severities(self) -> list[Severity]:
        """The severity of every finding open after this run (see ``open_severities``)."""
        return open_severities(self.reconciliation, self.listed)

    def open_findings(self) -> list[OpenFinding]:
        """Every finding open after this run, with where it is (see ``open_findings``)."""
        return open_findings(self.reconciliation, self.listed)

    def describe(self) -> str:
        """Human-readable account of the decisions, then of the GitLab writes."""
        rec = self.reconciliation
        acknowledged = "would reply and resolve" if self.published.dry_run else "replied and resolved"
        lines = [_counts_text(rec.counts())]
        if self.increment.full_review_reason:
            lines.append(f"Full review: {self.increment.full_review_reason}.")
        elif self.increment.unchanged:
            lines.append(_unchanged_text(self.increment, self.tokens_saved))
        lines += [f"new: {_where(f)} {f.title}" + (" (raised again: now worse)" if f in rec.reraised else "")
                  for f in rec.to_post]
        lines += [f"still open: {_where(f)} {f.title}" for f, _ in rec.still_open]
        lines += [f"kept (file not reviewed again): {_thread_where(t)} {t.title}" for t in rec.untouched]
        lines += [f"fixed ({acknowledged}): {_thread_where(t)} {t.title}" for t in rec.fixed]
        lines += [f"listed again (file unchanged): {_where(f)} {f.title}" for f in self.listed
                  if f.agent == CARRIED_AGENT]
        lines += [f"dismissed, not raised again: {_where(f)} {f.title}" for f in rec.suppressed]
        return "\n".join([*lines, "", self.published.describe()])


def open_findings(rec: Reconciliation, listed: list[Finding]) -> list[OpenFinding]:
    """What is open after this run: new and re-reported findings, earlier threads on files not
    reviewed again, and ``listed`` (file-level findings, and summary-only findings of earlier runs
    on files not reviewed again); dismissed ones are not open."""
    findings = [*rec.to_post, *(f for f, _ in rec.still_open), *listed]
    out = [OpenFinding(f.severity, f.path, f.line, f.rule_id) for f in findings]
    out += [OpenFinding(t.severity, t.path or "?", t.line, t.rule_id) for t in rec.untouched if t.severity is not None]
    return out


def open_severities(rec: Reconciliation, listed: list[Finding]) -> list[Severity]:
    """Severities of the findings ``open_findings`` lists."""
    return [f.severity for f in open_findings(rec, listed)]


def open_categories(rec: Reconciliation, listed: list[Finding]) -> list[Category]:
    """Categories of the same open findings as ``open_severities`` (earlier threads whose marker
    names no category are left out)."""
    return [*(f.category for f in rec.to_post), *(f.category for f, _ in rec.still_open),
            *(t.category for t in rec.untouched if t.category is not None),
            *(f.category for f in listed)]


def carried_findings(mr: MergeRequest, increment: Increment) -> list[Finding]:
    """Findings an earlier run listed in the summary only, on files not reviewed again now."""
    if mr.prior_state is None or not increment.unchanged:
        return []
    return [f for f in mr.prior_state.listed if f.path in increment.unchanged]


def reviewed_paths(mr: MergeRequest, unchanged: Collection[str]) -> set[str]:
    """Files looked at again in this run: every file of the change not skipped as unchanged.

    Threads on files that left the change are judged by reconcile itself (their code is gone).
    """
    return {f.path for f in mr.files if f.path not in unchanged}


def tokens_saved(files: list[FileDiff], tier: RiskTier, settings: Settings) -> int:
    """Estimated prompt tokens not spent on ``files``: each file's rendered diff, once per agent
    that would have reviewed it at ``tier``."""
    from reviewer.agents import apply_overrides, load_agents
    from reviewer.llm import count_tokens
    from reviewer.prompting import render

    readers: dict[str, dict[str, int]] = {}  # path → model → agents that would have read it
    for spec in apply_overrides(load_agents(), settings.repo):
        call = settings.resolve_model(spec.model) if spec.enabled and spec.runs_in(tier) else None
        if call is None:
            continue
        for file in files:
            if file.reviewable and spec.in_scope(file.path):
                by_model = readers.setdefault(file.path, {})
                by_model[call.model] = by_model.get(call.model, 0) + 1
    if not readers:
        return 0
    empty: dict[str, int] = {}
    total = 0
    overrides = settings.prompt_overrides
    for file in files:
        if file.path not in readers:
            continue
        text = render("_diff.j2", overrides=overrides, files=[file])
        for model, agents in readers[file.path].items():
            if model not in empty:
                empty[model] = count_tokens(model, render("_diff.j2", overrides=overrides, files=[]))
            total += agents * max(0, count_tokens(model, text) - empty[model])
    return total


def with_earlier_findings(result: ReviewResult, mr: MergeRequest, increment: Increment) -> ReviewResult:
    """``result`` as the reports show it: without what a human dismissed (unless it came back
    worse), plus what stays open on the files not reviewed again (the reviewer's open threads
    there and the summary-only findings carried over)."""
    result = _without_dismissed(result, mr)
    if not increment.unchanged:
        return result
    kept = [
        Finding(path=t.path, line=t.line, severity=t.severity, category=t.category, rule_id=t.rule_id,
                title=t.title or "(earlier finding)", agent=CARRIED_AGENT, fingerprint=t.fingerprint,
                anchor=t.anchor)
        for t in mr.prior_threads
        if t.path in increment.unchanged and t.severity is not None and t.category is not None
        and not t.resolved and not is_dismissed(t)
    ]
    kept += carried_findings(mr, increment)
    # Deterministic detectors run on unchanged files too: what they found again is listed once.
    found = {f.fingerprint for f in result.all_findings() if f.fingerprint}
    kept = [f for f in kept if not f.fingerprint or f.fingerprint not in found]
    return result.model_copy(update={
        "findings": [*result.findings, *(f for f in kept if f.line is not None)],
        "file_findings": [*result.file_findings, *(f for f in kept if f.line is None)],
    })


def _without_dismissed(result: ReviewResult, mr: MergeRequest) -> ReviewResult:
    """Drop findings a human dismissed at the same or a higher severity."""
    dismissed: dict[str, int] = {}
    for thread in mr.prior_threads:
        if thread.severity is not None and is_dismissed(thread):
            dismissed[thread.fingerprint] = max(dismissed.get(thread.fingerprint, -1), thread.severity.rank)

    def shown(finding: Finding) -> bool:
        return finding.severity.rank > dismissed.get(finding.fingerprint, -1)

    if not dismissed:
        return result
    return result.model_copy(update={
        "findings": [f for f in result.findings if shown(f)],
        "file_findings": [f for f in result.file_findings if shown(f)],
    })


def summary_input(mr: MergeRequest, result: ReviewResult, increment: Increment, rec: Reconciliation,
                  saved: int) -> SummaryInput:
    """The summary's "This run" and "Run history" sections, the counts kept in its marker, and
    the summary-only findings carried over from files not reviewed again."""
    carried = carried_findings(mr, increment)
    counts = rec.counts()
    lines = [f"- {_counts_text(counts)}"]
    if increment.full_review_reason:
        lines.append(f"- Full review: {increment.full_review_reason}.")
    elif increment.unchanged:
        lines.append(f"- {_unchanged_text(increment, saved)}")
    for finding in rec.reraised:
        lines.append(f"- Raised again, now {finding.severity.label}: {code(_where(finding))} "
                     f"{sanitize_inline(finding.title)} (dismissed earlier at a lower severity)")
    earlier = mr.prior_state.history if mr.prior_state else []
    head = result.head_sha or (mr.diff_refs.head_sha if mr.diff_refs else "")
    runs = [*earlier, RunRecord(head_sha=head or "", tier=result.risk.tier, counts=counts)][-MAX_RUNS:]
    history = ["| head | tier | new | still open | fixed | dismissed |", "|---|---|---|---|---|---|"]
    for run in reversed(runs):
        cells = [str(run.counts[k]) if k in run.counts else "-" for k in COUNT_KEYS]
        history.append(f"| {code(run.head_sha[:12])} | {run.tier.value} | " + " | ".join(cells) + " |")
    return SummaryInput(
        sections=[("This run", lines), ("Run history", history)], run_counts=counts,
        open_severities=open_severities(rec, [*result.file_findings, *carried]), threads_kept=len(rec.untouched),
        open_categories=open_categories(rec, [*result.file_findings, *carried]),
        carried=[(f, CARRIED_REASON) for f in carried],
    )


def publish_iteration(client: GitLabClient, mr: MergeRequest, result: ReviewResult, settings: Settings,
                      increment: Increment, *, dry_run: bool) -> IterationReport:
    """Reconcile ``result`` with the earlier threads of ``mr`` and publish what is new."""
    rec = reconcile(result.findings, mr.prior_threads, mr, reviewed_paths(mr, increment.unchanged))
    saved = 0
    if increment.unchanged:
        saved = tokens_saved([f for f in mr.files if f.path in increment.unchanged], result.risk.tier, settings)
    keep = {f.fingerprint: KEEP_OPEN for f, _ in rec.still_open}
    keep |= {f.fingerprint: KEEP_DISMISSED for f in rec.suppressed}
    log.info("reconciled", **rec.counts(), suppressed=len(rec.suppressed), untouched=len(rec.untouched),
             unchanged_files=len(increment.unchanged), tokens_saved=saved)
    head = result.head_sha or (mr.diff_refs.head_sha if mr.diff_refs else None)
    info = summary_input(mr, result, increment, rec, saved)
    info.rerun_without_news = _rerun_without_news(mr, result, increment, rec, head)
    published = publish(
        client, mr, result, dry_run=dry_run,
        inline_min_severity=settings.repo.inline_min_severity, max_inline=settings.repo.max_inline_comments,
        fixed=rec.fixed, fixed_in=head, summary_info=info, keep=keep,
    )
    return IterationReport(increment=increment, reconciliation=rec, published=published, tokens_saved=saved,
                           listed=[*result.file_findings, *carried_findings(mr, increment)])


def _rerun_without_news(mr: MergeRequest, result: ReviewResult, increment: Increment, rec: Reconciliation,
                        head: str | None) -> bool:
    """The same head as the last run, no model agent ran again, nothing to post or resolve."""
    prior = mr.prior_state
    no_agent_ran = len(increment.unchanged) == len(mr.files) or all(a.status == "skipped" for a in result.agents)
    return bool(
        prior and head and prior.head_sha == head and prior.head_reachable
        and no_agent_ran and not rec.to_post and not rec.fixed
    )


def _counts_text(counts: dict[str, int]) -> str:
    return (f"New: {counts['new']} · Still open: {counts['still_open']} · "
            f"Fixed since last push: {counts['fixed']} · Dismissed: {counts['dismissed']}")


def _unchanged_text(increment: Increment, saved: int) -> str:
    n = len(increment.unchanged)
    sha = (increment.previous_head or "")[:8]
    files = "file" if n == 1 else "files"
    return (f"{n} {files} unchanged since {code(sha)}, not sent again; "
            f"≈{saved} prompt tokens saved.")


def _where(finding: Finding) -> str:
    return finding.path if finding.line is None else f"{finding.path}:{finding.line}"


def _thread_where(thread: PriorThread) -> str:
    return f"{thread.path}:{thread.line}" if thread.line else (thread.path or "?")

