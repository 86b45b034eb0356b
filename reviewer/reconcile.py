"""Reconcile this run's findings with the reviewer's own earlier threads.

For every earlier thread decide: still open, fixed, dismissed, or untouched (its file was not
reviewed again); for every finding: new, matched to an open thread, suppressed because a human
dismissed it, or re-raised because it came back at a higher severity. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewer.fingerprint import normalise_code
from reviewer.models import FileDiff, Finding, MergeRequest, PriorThread

_DISMISSAL = re.compile(
    r"\b(won'?t\s*fix|wontfix|will\s+not\s+fix|not\s+(?:going\s+to|gonna)\s+fix|false\s+positive|"
    r"intended|intentional(?:ly)?|by\s+design|as\s+designed|works\s+as\s+intended|not\s+an?\s+(?:issue|bug|problem)|"
    r"not\s+applicable|acceptable\s+risk|dismiss(?:ed)?)\b",
    re.IGNORECASE,
)
_DISMISSAL_AWARDS = frozenset({"thumbsdown", "-1"})
MAX_EARLIER_IN_PROMPT = 20
MAX_EARLIER_CHARS = 200


@dataclass
class Reconciliation:
    """What to do with this run's findings and the earlier threads."""

    to_post: list[Finding] = field(default_factory=list)
    reraised: list[Finding] = field(default_factory=list)
    still_open: list[tuple[Finding, PriorThread]] = field(default_factory=list)
    fixed: list[PriorThread] = field(default_factory=list)
    dismissed: list[PriorThread] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    untouched: list[PriorThread] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Per-run counts for the summary: new, still open, fixed, dismissed."""
        return {
            "new": len(self.to_post),
            "still_open": len(self.still_open) + len(self.untouched),
            "fixed": len(self.fixed),
            "dismissed": len(self.dismissed),
        }


def is_dismissed(thread: PriorThread) -> bool:
    """A human resolved the thread, replied with a dismissal, or gave the finding a 👎."""
    if thread.resolved and not thread.resolved_by_reviewer:
        return True
    for note in thread.notes:
        if note.is_reviewer:
            if _DISMISSAL_AWARDS.intersection(note.awards):
                return True
        elif not note.system and _DISMISSAL.search(note.body):
            return True
    return False


def anchor_present(anchor: str, file: FileDiff | None) -> bool:
    """True when code normalised to ``anchor`` still stands on the new side of ``file``'s diff."""
    if file is None or not anchor:
        return False
    return any(
        line.kind != "removed" and normalise_code(line.content) == anchor for line in file.iter_lines()
    )


def earlier_for_prompt(threads: Iterable[PriorThread], paths: Iterable[str]) -> list[dict[str, str]]:
    """The open earlier findings on ``paths``, as the agents are shown them (no fingerprints).

    Resolved and dismissed threads are left out: they must not be raised again anyway.
    """
    wanted = set(paths)
    out: list[dict[str, str]] = []
    for thread in threads:
        if thread.path not in wanted or thread.resolved or is_dismissed(thread):
            continue
        out.append({
            "path": thread.path or "",
            "rule_id": thread.rule_id or "",
            "title": " ".join(thread.title.split())[:MAX_EARLIER_CHARS],
            "anchor": thread.anchor[:MAX_EARLIER_CHARS],
        })
        if len(out) >= MAX_EARLIER_IN_PROMPT:
            break
    return out


def reconcile(
    findings: Iterable[Finding],
    prior: Iterable[PriorThread],
    mr: MergeRequest,
    reviewed_paths: set[str],
) -> Reconciliation:
    """Match ``findings`` (fingerprinted) to the ``prior`` threads and decide each one's fate.

    ``reviewed_paths`` are the files looked at again in this run; an open thread on any other
    file keeps its state (untouched), since nothing was checked there.
    """
    out = Reconciliation()
    threads_by_fp: dict[str, list[PriorThread]] = {}
    for thread in prior:
        threads_by_fp.setdefault(thread.fingerprint, []).append(thread)
    files = {f.path: f for f in mr.files}
    matched: set[str] = set()

    for finding in findings:
        threads = threads_by_fp.get(finding.fingerprint, [])
        open_threads = [t for t in threads if not t.resolved and not is_dismissed(t)]
        dismissed = [t for t in threads if is_dismissed(t)]
        if open_threads:
            out.still_open.append((finding, open_threads[0]))
            matched.update(t.discussion_id for t in threads)
        elif dismissed and not _worse_than_all(finding, dismissed):
            out.suppressed.append(finding)
            matched.update(t.discussion_id for t in threads)
        else:
            out.to_post.append(finding)
            if dismissed:
                out.reraised.append(finding)
            matched.update(t.discussion_id for t in threads)

    for threads in threads_by_fp.values():
        for thread in threads:
            if is_dismissed(thread):
                out.dismissed.append(thread)
            elif thread.discussion_id in matched or thread.resolved:
                continue
            elif thread.path not in reviewed_paths and thread.path in files:
                out.untouched.append(thread)
            elif not anchor_present(thread.anchor, files.get(thread.path or "")):
                out.fixed.append(thread)
            else:
                out.untouched.append(thread)
    return out


def _worse_than_all(finding: Finding, threads: list[PriorThread]) -> bool:
    known = [t.severity for t in threads if t.severity is not None]
    return bool(known) and all(finding.severity.rank > sev.rank for sev in known)
