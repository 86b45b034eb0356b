"""Incremental review: which files changed since the last reviewed push.

A file's state is a digest of what its change looks like (path, line kinds and contents, no
line numbers), so a rebase that only shifts lines leaves it unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from reviewer.models import FileDiff, MergeRequest, PriorReviewState

#: Run-history count of the file states a run could not keep (its summary marker would have been
#: too large); the next run then reviews every file again.
STATES_DROPPED = "states_dropped"
STATES_DROPPED_REASON = "the last review's file list was too large to keep: full review"


def file_state(file: FileDiff) -> str:
    """Digest of the file's change, independent of line numbers."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{file.old_path}\0{file.new_path}\0{file.deleted_file}\0".encode())
    for line in file.iter_lines():
        digest.update(f"{line.kind[0]}{line.content}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]


def file_states(files: list[FileDiff]) -> dict[str, str]:
    """State of every file of the change, by path."""
    return {f.path: file_state(f) for f in files}


@dataclass
class Increment:
    """The outcome of comparing this push with the last reviewed one."""

    unchanged: set[str] = field(default_factory=set)
    full_review_reason: str | None = None
    previous_head: str | None = None

    @property
    def incremental(self) -> bool:
        """True when some files are skipped because they did not change."""
        return bool(self.unchanged)


def compute_increment(mr: MergeRequest) -> Increment:
    """Decide which files need the model agents again."""
    prior = mr.prior_state
    if prior is None:
        return Increment()
    if not prior.head_reachable:
        return Increment(
            full_review_reason=(
                f"the last reviewed head {prior.head_sha[:8]} is no longer part of the merge request "
                "(force-push or rebase): full review"
            ),
            previous_head=prior.head_sha,
        )
    if states_dropped(prior):
        return Increment(full_review_reason=STATES_DROPPED_REASON, previous_head=prior.head_sha)
    current = file_states(mr.files)
    unchanged = {path for path, state in current.items() if prior.file_states.get(path) == state}
    return Increment(unchanged=unchanged, previous_head=prior.head_sha)


def states_dropped(prior: PriorReviewState) -> int:
    """How many file states the last run could not keep, from its own entry in the run history."""
    last = prior.history[-1] if prior.history else None
    if last is None or last.head_sha != prior.head_sha:
        return 0
    return max(0, last.counts.get(STATES_DROPPED, 0))
