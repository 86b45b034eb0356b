"""Post a review on GitLab: inline threads for placeable findings, then the summary note.

Order of work: check whether the MR head moved on; place every finding locally (nothing GitLab
would refuse is sent); re-read the discussions just before posting and skip any finding that
already has an unresolved thread of ours (same fingerprint, same or higher severity), and any
finding the caller's reconciliation keeps (``keep``: still open, dismissed); post the rest up to
the inline limit; acknowledge fixed threads (re-read first, so a racing job does not reply
twice); upsert the one summary note last, so a run that dies while posting is redone in full by
the next one (an unchanged summary is not rewritten). A 400 on a position moves that finding to the
summary; after a few of them no more positions are tried (no 400 storm). A write whose
response was lost is detected by its marker before it is retried, so nothing is posted twice.

Every marker read here is in a note of the reviewer's own GitLab user: the discussions come from
``GitLabClient.list_discussions`` (markers in other notes defused) and the checks below ask
``client.is_own`` too, so a human's copy of a finding thread, a "Fixed in" reply or the summary
neither hides a finding nor passes for an acknowledgement or a write that landed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from collections.abc import Callable, Mapping
from typing import Any

from reviewer.errors import ConfigError, GitLabError
from reviewer.gitlab_mr import markers
from reviewer.gitlab_mr.client import GitLabClient
from reviewer.gitlab_mr.errors import GitLabBadRequest
from reviewer.gitlab_mr.comments import render_finding
from reviewer.gitlab_mr.positions import place
from reviewer.gitlab_mr.source import find_summary_note
from reviewer.gitlab_mr.summary import SummaryInput, render_minimal_summary, render_summary
from reviewer.log import get_logger
from reviewer.models import Finding, MergeRequest, PriorNote, PriorThread, ReviewResult, Severity

log = get_logger("gitlab.publish")
MAX_POSITION_REFUSALS = 3
KEEP_OPEN = "still open"
KEEP_DISMISSED = "dismissed"
IsOwn = Callable[[dict[str, Any]], bool]  # GitLabClient.is_own: was this note written by the reviewer's user?


@dataclass
class PostedThread:
    """One inline thread posted (or, in a dry run, that would be posted)."""

    finding: Finding
    position: dict[str, Any]
    body: str
    discussion_id: str | None = None


@dataclass
class PublishReport:
    """What ``publish`` did (or would do in a dry run)."""

    dry_run: bool
    reviewed_head_sha: str | None
    current_head_sha: str | None
    threads: list[PostedThread] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    kept: list[tuple[Finding, str]] = field(default_factory=list)
    not_inline: list[tuple[Finding, str]] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    summary_body: str = ""
    summary_note_id: int | None = None
    summary_action: str = ""

    @property
    def head_moved(self) -> bool:
        """True when the MR head changed while the review ran."""
        return bool(self.current_head_sha and self.reviewed_head_sha
                    and self.current_head_sha != self.reviewed_head_sha)

    def describe(self) -> str:
        """Human-readable account (what a dry run prints)."""
        verb = "would post" if self.dry_run else "posted"
        lines = [f"GitLab: {verb} {len(self.threads)} inline thread(s); "
                 f"{len(self.existing) + len(self.kept)} already open or dismissed; "
                 f"{len(self.acknowledged)} fixed thread(s) acknowledged; "
                 f"{len(self.not_inline)} in the summary only; summary note {self.summary_action}."]
        if self.head_moved:
            lines.append(f"The MR head moved from {self.reviewed_head_sha} to {self.current_head_sha} during the review.")
        for thread in self.threads:
            pos = thread.position
            line = pos.get("new_line") if pos.get("new_line") is not None else pos.get("old_line")
            lines += ["", f"--- thread on {pos.get('new_path')}:{line} ---", thread.body]
        if self.dry_run:
            lines += ["", "--- summary note ---", self.summary_body]
        return "\n".join(lines)


def publish(client: GitLabClient, mr: MergeRequest, result: ReviewResult, *, dry_run: bool,
            inline_min_severity: Severity = Severity.SUGGESTION, max_inline: int = 20,
            fixed: list[PriorThread] | None = None, fixed_in: str | None = None,
            summary_info: SummaryInput | None = None, keep: Mapping[str, str] | None = None) -> PublishReport:
    """Post ``result`` on ``mr`` (or only compute it when ``dry_run``).

    ``fixed`` threads (from reconcile) get one "Fixed in <sha>." reply and are resolved.
    ``summary_info`` may carry extra sections and counts for the summary note.
    ``keep`` maps fingerprints that must not be posted (already open, dismissed) to the reason.
    """
    if mr.project is None or mr.iid is None or mr.diff_refs is None:
        raise ValueError("publish needs a merge request loaded from GitLab (project, iid, diff_refs)")
    if not dry_run:
        client.require_write()
    reviewed_head = result.head_sha or mr.diff_refs.head_sha
    current = (client.get_mr(mr.project, mr.iid).get("diff_refs") or {}).get("head_sha")
    report = PublishReport(dry_run=dry_run, reviewed_head_sha=reviewed_head, current_head_sha=current)
    if report.head_moved:
        log.warning("mr_head_moved", reviewed=reviewed_head, current=current)

    candidates = _with_fingerprints(result.findings)
    report.not_inline += [(f, "about the whole file") for f in _with_fingerprints(result.file_findings)]
    to_post = []
    for finding in sorted(candidates, key=lambda f: -f.severity.rank):
        if keep and finding.fingerprint in keep:
            report.kept.append((finding, keep[finding.fingerprint]))
            continue
        if not finding.severity.at_least(inline_min_severity):
            report.not_inline.append((finding, f"below the inline threshold ({inline_min_severity.label})"))
            continue
        placement = place(finding, mr)
        if not placement.placeable:
            report.not_inline.append((finding, f"cannot be placed inline: {placement.reason}"))
            continue
        to_post.append(placement)

    discussions = client.list_discussions(mr.project, mr.iid)
    ours = _our_severities(discussions, client.is_own)
    refusals = 0
    for placement in to_post:
        finding = placement.finding
        if not dry_run and report.threads:  # another job may have posted meanwhile: read the markers again
            for fp, rank in _our_severities(client.list_discussions(mr.project, mr.iid), client.is_own).items():
                ours[fp] = max(rank, ours.get(fp, -1))
        known = ours.get(finding.fingerprint)
        if known is not None and known >= finding.severity.rank:
            report.existing.append(finding.fingerprint)
            continue
        if len(report.threads) >= max_inline:
            report.not_inline.append((finding, f"over the limit of {max_inline} inline comments"))
            continue
        if refusals >= MAX_POSITION_REFUSALS:
            report.not_inline.append((finding, "GitLab refused earlier positions; not tried inline"))
            continue
        body = render_finding(finding, suggestion_above=placement.suggestion_above, head_sha=reviewed_head)
        thread = PostedThread(finding=finding, position=placement.position or {}, body=body)
        if not dry_run:
            try:
                created = client.create_discussion(
                    mr.project, mr.iid, body, placement.position,
                    landed=lambda fp=finding.fingerprint, sev=finding.severity.rank: _find_thread(client, mr, fp, sev),
                )
            except GitLabBadRequest as exc:
                refusals += 1
                log.warning("position_refused", path=finding.path, line=finding.line, reason=exc.message)
                report.not_inline.append((finding, f"GitLab refused the position: {exc.message}"))
                continue
            thread.discussion_id = str(created.get("id")) if created.get("id") else None
        ours[finding.fingerprint] = finding.severity.rank
        report.threads.append(thread)

    if fixed and not dry_run:
        fixed = _refreshed(client, mr, fixed)
    for prior in fixed or []:
        if _acknowledge(client, mr, prior, fixed_in or reviewed_head, dry_run=dry_run):
            report.acknowledged.append(prior.discussion_id)

    _upsert_summary(client, mr, result, report, discussions, summary_info or SummaryInput())
    return report


def _with_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Findings with a fingerprint each (a stable fallback when the pipeline gave none)."""
    out = []
    for finding in findings:
        if not finding.fingerprint:
            key = "\0".join([finding.path, finding.category.value, finding.rule_id or "",
                             finding.anchor or " ".join(finding.title.lower().split())])
            finding = finding.model_copy(update={"fingerprint": "x" + hashlib.sha1(key.encode()).hexdigest()[:15]})
        out.append(finding)
    return out


def _our_severities(discussions: list[dict[str, Any]], is_own: IsOwn) -> dict[str, int]:
    """Fingerprint → highest severity rank of the reviewer's unresolved threads (first note
    ``is_own``).

    Resolved threads do not count: the reconciliation decided whether their finding may be
    raised again (fixed and back, or dismissed and now worse).
    """
    found: dict[str, int] = {}
    for discussion in discussions:
        marker = _thread_marker(discussion, is_own)
        if marker is None or _is_resolved(discussion):
            continue
        found[marker.fp] = max(_rank(marker.sev), found.get(marker.fp, -1))
    return found


def _thread_marker(discussion: dict[str, Any], is_own: IsOwn) -> markers.FindingMarker | None:
    """The finding marker of a thread the reviewer opened (its first note is the reviewer's)."""
    notes = discussion.get("notes") or []
    first = notes[0] if notes and isinstance(notes[0], dict) else None
    return markers.finding_marker(first.get("body")) if first is not None and is_own(first) else None


def _our_reply(note: dict[str, Any], is_own: IsOwn) -> markers.ReplyMarker | None:
    """The marker of a "Fixed in" (or other) reply the reviewer wrote, else None."""
    return markers.reply_marker(note.get("body")) if is_own(note) else None


def _is_resolved(discussion: dict[str, Any]) -> bool:
    notes = discussion.get("notes") or []
    return bool(discussion.get("resolved") or (notes and notes[0].get("resolved")))


def _refreshed(client: GitLabClient, mr: MergeRequest, threads: list[PriorThread]) -> list[PriorThread]:
    """``threads`` with their resolved state and reviewer replies re-read from GitLab now, so
    a job racing this one (or a rerun after a lost response) does not acknowledge twice."""
    assert mr.project is not None and mr.iid is not None
    current = {str(d.get("id")): d for d in client.list_discussions(mr.project, mr.iid)}
    out = []
    for thread in threads:
        discussion = current.get(thread.discussion_id)
        if discussion is None:
            continue
        replies = [PriorNote(note_id=int(n["id"]), body=n.get("body") or "", is_reviewer=True)
                   for n in discussion.get("notes") or [] if _our_reply(n, client.is_own)]
        out.append(thread.model_copy(update={
            "resolved": _is_resolved(discussion), "notes": [*thread.notes, *replies]}))
    return out


def _rank(severity: str) -> int:
    """A marker's severity rank; an unknown value counts as the highest (never re-post over it)."""
    try:
        return Severity(severity).rank
    except ValueError:
        return Severity.CRITICAL.rank


def _find_thread(client: GitLabClient, mr: MergeRequest, fingerprint: str, rank: int) -> dict[str, Any] | None:
    """The thread of ours for ``fingerprint`` at ``rank`` or above, if a lost write created it."""
    assert mr.project is not None and mr.iid is not None
    for discussion in client.list_discussions(mr.project, mr.iid):
        marker = _thread_marker(discussion, client.is_own)
        if marker and marker.fp == fingerprint and _rank(marker.sev) >= rank:
            return discussion
    return None


def _acknowledge(client: GitLabClient, mr: MergeRequest, thread: PriorThread, sha: str, *, dry_run: bool) -> bool:
    """Reply "Fixed in <sha>." once and resolve the thread; True when anything was (to be) done."""
    assert mr.project is not None and mr.iid is not None
    replied = any(n.is_reviewer and (m := markers.reply_marker(n.body)) and m.kind == "fixed" for n in thread.notes)
    if replied and thread.resolved:
        return False
    if dry_run:
        return True
    if not replied:
        body = f"Fixed in {sha[:7]}.\n\n" + markers.encode(
            "reply", markers.ReplyMarker(fp=thread.fingerprint, kind="fixed", head=sha))

        def landed() -> dict[str, Any] | None:
            for discussion in client.list_discussions(mr.project, mr.iid):
                if str(discussion.get("id")) == thread.discussion_id:
                    for note in discussion.get("notes") or []:
                        m = _our_reply(note, client.is_own)
                        if m and m.kind == "fixed":
                            return note
            return None

        client.reply(mr.project, mr.iid, thread.discussion_id, body, landed=landed)
    if not thread.resolved:
        client.resolve(mr.project, mr.iid, thread.discussion_id, True)
    return True


def _upsert_summary(client: GitLabClient, mr: MergeRequest, result: ReviewResult, report: PublishReport,
                    discussions: list[dict[str, Any]], info: SummaryInput) -> None:
    assert mr.project is not None and mr.iid is not None
    note = find_summary_note(discussions)
    if note and info.rerun_without_news and not report.threads and not report.acknowledged:
        report.summary_note_id, report.summary_action = int(note["id"]), "left as it is (same head, nothing new)"
        report.summary_body = str(note.get("body") or "")
        return
    previous = markers.summary_marker(note.get("body")) if note else None
    info.inline_posted = len(report.threads)
    info.inline_existing = (len(report.existing) + sum(1 for _, why in report.kept if why == KEEP_OPEN)
                            + info.threads_kept)
    info.not_inline = report.not_inline
    info.current_head_sha = report.current_head_sha
    body = render_summary(mr, result, info, previous)
    report.summary_body = body
    if report.dry_run:
        report.summary_action = "would be updated" if note else "would be created"
        report.summary_note_id = int(note["id"]) if note else None
        return
    try:
        _write_summary(client, mr, note, body, report)
    except GitLabError as exc:
        if isinstance(exc, ConfigError):  # token, role, URL: a shorter note would be refused as well
            raise
        # Refused (too large, 413, failing after retries): keep the state, so the threads already
        # posted and the model calls made are not paid for again by the next run.
        log.warning("summary_refused", error=str(exc), chars=len(body))
        report.summary_body = render_minimal_summary(body, str(exc))
        _write_summary(client, mr, note, report.summary_body, report)
        report.summary_action += " (minimal: the full summary was refused)"


def _write_summary(client: GitLabClient, mr: MergeRequest, note: dict[str, Any] | None, body: str,
                   report: PublishReport) -> None:
    """Create the summary note, or edit ``note`` to ``body`` unless it already says that."""
    assert mr.project is not None and mr.iid is not None
    if note and note.get("body") == body:
        report.summary_note_id, report.summary_action = int(note["id"]), "unchanged"
        return
    if note:
        client.update_note(mr.project, mr.iid, int(note["id"]), body)
        report.summary_note_id, report.summary_action = int(note["id"]), "updated"
        return

    def landed() -> dict[str, Any] | None:
        return find_summary_note(client.list_discussions(mr.project, mr.iid))

    created = client.create_note(mr.project, mr.iid, body, landed=landed)
    if created.get("id") is not None:
        report.summary_note_id = int(created["id"])
    report.summary_action = "created"
