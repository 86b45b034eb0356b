"""Read one GitLab merge request into a ``MergeRequest``.

- The MR and its ``diff_refs`` (only the single-MR entity has them).
- Every changed file through the paginated ``/diffs`` endpoint, parsed by ``reviewer.diff``.
  A collapsed or otherwise empty text diff is re-read from the MR version that matches the
  head (``/versions/:id`` builds its diffs without limits), else rebuilt from the raw files at
  ``base_sha`` and ``head_sha``; a ``too_large`` file is listed as not reviewed, because GitLab
  cannot anchor a comment in it anyway.
- ``AGENTS.md`` files (root and every folder on the path of a changed file) and
  ``.reviewer.yml`` at ``start_sha``: the target branch's tip when this MR version was made.
  It is a target-branch commit, so the MR cannot change its own review, and unlike
  ``base_sha`` (the merge base, possibly old) it carries the latest rules the maintainers
  committed. It is pinned by SHA, so a concurrent push to the target cannot change a running
  review.
- The repository's own Codex rules (``codex_rule_dirs`` in that config) and prompt templates
  (``prompts_dir``) at the same ``start_sha``.
- The reviewer's own earlier threads (recognised by their hidden finding marker) as
  ``PriorThread``s, and the body of its earlier summary note. Only notes written by the
  reviewer's own GitLab user count: ``GitLabClient.list_discussions`` defuses the markers in
  everyone else's notes (a copied summary, finding thread or "Fixed in" reply is just text).
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from reviewer.diff import parse_gitlab_diff
from reviewer.errors import GitLabError, SourceError
from reviewer.gitlab_mr import markers
from reviewer.gitlab_mr.client import GitLabClient
from reviewer.gitlab_mr.repo_rules import load_repo_prompts, load_repo_rules
from reviewer.log import get_logger
from reviewer.models import (
    Category,
    DiffRefs,
    FileDiff,
    Finding,
    MergeRequest,
    NotReviewed,
    PriorNote,
    PriorReviewState,
    PriorThread,
    RiskTier,
    RunRecord,
    Severity,
)
from reviewer.settings import CONFIG_FILE_NAME

log = get_logger("gitlab.source")
E = TypeVar("E", Severity, Category, RiskTier)
D = TypeVar("D")
AGENTS_FILE = "AGENTS.md"
MAX_AGENTS_FOLDERS = 100
TOO_LARGE_REASON = "GitLab marks this diff too large to display, so comments cannot be anchored in it"


def load_gitlab_mr(
    client: GitLabClient, project: str | int, iid: int, config_path: str = CONFIG_FILE_NAME
) -> MergeRequest:
    """Everything a review needs about MR ``!iid`` of ``project``."""
    data = client.get_mr(project, iid)
    refs_data = data.get("diff_refs") or {}
    if not refs_data.get("head_sha") or not refs_data.get("start_sha"):
        raise SourceError(f"merge request !{iid} of {project} has no diff yet (diff_refs is empty)")
    refs = DiffRefs(base_sha=refs_data.get("base_sha") or refs_data["start_sha"],
                    start_sha=refs_data["start_sha"], head_sha=refs_data["head_sha"])
    files, not_reviewed = load_files(client, project, iid, refs)
    hidden = _hidden_by_limits(data.get("changes_count"), len(files))
    if hidden:
        not_reviewed.append(hidden)
    discussions = client.list_discussions(project, iid)
    threads = prior_threads(client, project, iid, discussions, refs)
    mr = MergeRequest(
        title=data.get("title") or "",
        draft=bool(data.get("draft") or data.get("work_in_progress")),
        description=data.get("description") or "",
        source_branch=data.get("source_branch") or "",
        target_branch=data.get("target_branch") or "",
        diff_refs=refs,
        files=files,
        agents_md=load_agents_md(client, project, files, refs.start_sha),
        repo_config_text=optional_read(lambda: client.raw_file(project, config_path, refs.start_sha), None,
                                       what=f"{config_path} at the target branch"),
        prior_threads=threads,
        prior_summary=prior_summary(discussions),
        prior_state=prior_state(client, project, iid, discussions, refs),
        project=str(project),
        iid=iid,
        web_url=data.get("web_url"),
        not_reviewed=not_reviewed,
    )
    mr.repo_rule_files = load_repo_rules(client, project, mr.repo_config_text, config_path, refs.start_sha)
    mr.repo_prompt_files = load_repo_prompts(client, project, mr.repo_config_text, config_path, refs.start_sha)
    return mr


# --------------------------------------------------------------------------- files
def load_files(client: GitLabClient, project: str | int, iid: int,
               refs: DiffRefs) -> tuple[list[FileDiff], list[NotReviewed]]:
    """All changed files, with empty diffs recovered where GitLab allows it."""
    items = client.list_mr_diffs(project, iid)
    files: list[FileDiff] = []
    not_reviewed: list[NotReviewed] = []
    version_diffs: dict[tuple[str, str], str] | None = None
    for item in items:
        file = _parse_item(item, item.get("diff") or "")
        if item.get("too_large"):
            file.skip_reason = TOO_LARGE_REASON
            not_reviewed.append(NotReviewed(path=file.path, reason=TOO_LARGE_REASON))
        elif not file.hunks and not file.binary and _may_hide_content(item):
            if version_diffs is None:
                version_diffs = _version_diffs(client, project, iid, refs)
            text = version_diffs.get((item.get("old_path") or "", item.get("new_path") or ""))
            if not text:
                text = _rebuild_diff(client, project, item, refs)
            if text:
                file = _parse_item(item, text)
            elif text is None:
                reason = "GitLab returned no diff for this file and its content could not be read"
                file.skip_reason = reason
                not_reviewed.append(NotReviewed(path=file.path, reason=reason))
        files.append(file)
    return files, not_reviewed


def _hidden_by_limits(changes_count: Any, listed: int) -> NotReviewed | None:
    """A not-reviewed entry when GitLab's diff limits kept files out of ``/diffs``."""
    text = str(changes_count or "").strip()
    if not text:
        return None
    overflow = text.endswith("+")
    try:
        total = int(text.rstrip("+"))
    except ValueError:
        return None
    if listed > total or (not overflow and listed == total):
        return None  # "1000+" with more than 1000 listed: the paginated /diffs gave them all
    more = "more than " if overflow else ""
    return NotReviewed(path="(files beyond GitLab's diff limits)",
                       reason=f"GitLab counts {more}{total} changed files but lists only {listed}")


def _parse_item(item: dict[str, Any], diff: str) -> FileDiff:
    return parse_gitlab_diff(
        diff, old_path=item.get("old_path") or "", new_path=item.get("new_path") or "",
        new_file=bool(item.get("new_file")), deleted_file=bool(item.get("deleted_file")),
        renamed_file=bool(item.get("renamed_file")), a_mode=item.get("a_mode"), b_mode=item.get("b_mode"),
    )


def _may_hide_content(item: dict[str, Any]) -> bool:
    """True when an empty ``diff`` may hide changed lines (not a pure rename or mode change)."""
    if item.get("collapsed"):
        return True
    if item.get("renamed_file") or (item.get("a_mode") != item.get("b_mode")
                                    and not item.get("new_file") and not item.get("deleted_file")):
        return False
    return True


def _version_diffs(client: GitLabClient, project: str | int, iid: int,
                   refs: DiffRefs) -> dict[tuple[str, str], str]:
    """Per-file diffs of the MR version at ``refs.head_sha`` (built by GitLab without limits)."""
    try:
        versions = client.list_versions(project, iid)
        match = next((v for v in versions if v.get("head_commit_sha") == refs.head_sha
                      and v.get("base_commit_sha") == refs.base_sha), None)
        if match is None:
            return {}
        version = client.get_version(project, iid, int(match["id"]))
    except Exception as exc:  # noqa: BLE001 - fall back to the raw files
        log.warning("gitlab_versions_unavailable", error=type(exc).__name__)
        return {}
    return {(d.get("old_path") or "", d.get("new_path") or ""): d.get("diff") or "" for d in version.get("diffs", [])}


def _rebuild_diff(client: GitLabClient, project: str | int, item: dict[str, Any], refs: DiffRefs) -> str | None:
    """A unified diff from the raw files at ``base_sha`` and ``head_sha``; '' when identical,
    None when a side cannot be read."""
    def read(path: str, ref: str) -> str | None:
        return optional_read(lambda: client.raw_file(project, path, ref), None, what=path)

    old = "" if item.get("new_file") else read(item.get("old_path") or "", refs.base_sha)
    new = "" if item.get("deleted_file") else read(item.get("new_path") or "", refs.head_sha)
    if old is None or new is None:
        return None
    if "\0" in old or "\0" in new:
        return "Binary files differ\n"
    return unified_diff(old, new)


def unified_diff(old: str, new: str) -> str:
    """Header-less unified diff (hunks only, 3 lines of context) of two texts."""
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=3))
    body = [ln for ln in lines[2:]] if len(lines) >= 2 and lines[0].startswith("---") else lines
    return "\n".join(body) + ("\n" if body else "")


# --------------------------------------------------------------------------- repo context
def agents_md_folders(files: list[FileDiff]) -> list[str]:
    """'' (the root) and every folder on the path of a changed file, shallowest first."""
    folders = {""}
    for file in files:
        for path in {file.old_path, file.new_path}:
            folder = posixpath.dirname(path)
            while folder:
                folders.add(folder)
                folder = posixpath.dirname(folder)
    return sorted(folders, key=lambda f: (f.count("/") + (1 if f else 0), f))


def load_agents_md(client: GitLabClient, project: str | int, files: list[FileDiff], ref: str) -> dict[str, str]:
    """``AGENTS.md`` contents by the folder they govern, read at ``ref``."""
    found: dict[str, str] = {}
    for folder in agents_md_folders(files)[:MAX_AGENTS_FOLDERS]:
        path = posixpath.join(folder, AGENTS_FILE) if folder else AGENTS_FILE
        text = optional_read(lambda: client.raw_file(project, path, ref), None, what=path)
        if text is not None:
            found[folder] = text
    return found


# --------------------------------------------------------------------------- earlier runs
def prior_threads(client: GitLabClient, project: str | int, iid: int, discussions: list[dict[str, Any]],
                  refs: DiffRefs) -> list[PriorThread]:
    """The reviewer's own earlier threads: its first note is the reviewer's and carries a finding
    marker (``discussions`` as ``client.list_discussions`` returns them)."""
    reviewer_id = client.reviewer_id
    threads: list[PriorThread] = []
    awards_readable = True
    for discussion in discussions:
        notes = discussion.get("notes") or []
        if not notes or discussion.get("individual_note"):
            continue
        first = notes[0]
        marker = markers.finding_marker(first.get("body")) if client.is_own(first) else None
        if marker is None:
            continue
        position = first.get("position") or {}
        resolved_by = _resolved_by(discussion)
        awards = _awards(client, project, iid, first) if awards_readable else None
        if awards is None:  # unreadable once: not asked again for every thread
            awards_readable, awards = False, []
        threads.append(PriorThread(
            discussion_id=str(discussion["id"]),
            fingerprint=marker.fp,
            severity=_enum(Severity, marker.sev),
            category=_enum(Category, marker.cat),
            rule_id=marker.rule,
            title=marker.title or "",
            anchor=marker.anchor or "",
            path=position.get("new_path") or position.get("old_path") or marker.path,
            line=position.get("new_line") or position.get("old_line") or marker.line,
            resolved=bool(first.get("resolved") or discussion.get("resolved")),
            resolved_by_reviewer=resolved_by is not None and resolved_by == reviewer_id,
            outdated=bool(position) and _outdated(position, refs),
            notes=[_prior_note(n, reviewer_id, awards if i == 0 else None) for i, n in enumerate(notes)],
        ))
    return threads


def prior_summary(discussions: list[dict[str, Any]]) -> str | None:
    """The body of the reviewer's earliest summary note, if any (``discussions`` as
    ``GitLabClient.list_discussions`` returns them, so only the reviewer's own notes have a marker)."""
    note = find_summary_note(discussions)
    return note.get("body") if note else None


def prior_state(client: GitLabClient, project: str | int, iid: int, discussions: list[dict[str, Any]],
                refs: DiffRefs) -> PriorReviewState | None:
    """What the last run recorded in the marker of the reviewer's own summary note; ``head_reachable``
    is False when its head is no longer one of the MR's commits (force-push or rebase)."""
    note = find_summary_note(discussions)
    marker = markers.summary_marker(note.get("body")) if note else None
    if marker is None or not marker.head_sha:
        return None
    if marker.head_sha == refs.head_sha:
        reachable = True
    else:
        # Commits unreadable → treat the old head as gone: a full review, safe because it is idempotent.
        commits = optional_read(lambda: client.list_mr_commits(project, iid), [], what="the MR's commits")
        reachable = any(isinstance(c, dict) and c.get("id") == marker.head_sha for c in commits)
    history = [RunRecord(head_sha=r.head_sha, tier=tier, counts=r.counts)
               for r in marker.history if (tier := _enum(RiskTier, r.tier)) is not None]
    return PriorReviewState(head_sha=marker.head_sha, file_states=dict(marker.file_states),
                            history=history, head_reachable=reachable, listed=_listed(marker.extra.get("listed")))


def _listed(items: Any) -> list[Finding]:
    """The summary-only findings kept in the marker (malformed entries are skipped)."""
    out: list[Finding] = []
    for item in items if isinstance(items, list) else []:
        try:
            out.append(Finding.model_validate({**item, "agent": "earlier review"}))
        except (ValidationError, TypeError):
            continue
    return out


def find_summary_note(discussions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The reviewer's earliest summary note: the first note of a discussion, not on a diff line,
    ending with a summary marker. It is posted as a plain note, but GitLab turns it into a
    ``DiscussionNote`` thread when someone replies to it, so the type is not required to be null.

    ``discussions`` must come from ``GitLabClient.list_discussions``, which leaves markers only in
    the reviewer's own notes: a copy of the summary in anyone else's note is not found."""
    for discussion in discussions:
        notes = discussion.get("notes") or []
        note = notes[0] if notes and isinstance(notes[0], dict) else None
        if (note is not None and note.get("type") != "DiffNote" and not note.get("system")
                and markers.summary_marker(note.get("body"))):
            return note
    return None


def _prior_note(note: dict[str, Any], reviewer_id: int | None, awards: list[str] | None) -> PriorNote:
    """One note of a reviewer thread; it is the reviewer's when its author is the reviewer's user
    (whatever its body says, so a human's copy of a "Fixed in" reply is a human note)."""
    author = note.get("author") or {}
    return PriorNote(
        note_id=int(note["id"]), body=note.get("body") or "", author=author.get("username") or "",
        is_reviewer=reviewer_id is not None and author.get("id") == reviewer_id,
        system=bool(note.get("system")), awards=awards or [],
    )


def _awards(client: GitLabClient, project: str | int, iid: int, note: dict[str, Any]) -> list[str] | None:
    """Award names on ``note``; None when GitLab cannot list them."""
    awards = optional_read(lambda: client.list_note_awards(project, iid, int(note["id"])), None,
                           what="award emoji")
    return None if awards is None else [str(a.get("name") or "") for a in awards if isinstance(a, dict)]


def optional_read(read: Callable[[], D], default: D, *, what: str) -> D:
    """``read()``, or ``default`` with a warning when GitLab cannot serve it (an optional read:
    older versions, disabled features, a token without repository access, a persistent fault)."""
    try:
        return read()
    except GitLabError as exc:
        log.warning("gitlab_optional_read_failed", what=what, error=str(exc))
        return default


def _resolved_by(discussion: dict[str, Any]) -> Any:
    for note in discussion.get("notes") or []:
        by = note.get("resolved_by")
        if isinstance(by, dict):
            return by.get("id")
    return None


def _outdated(position: dict[str, Any], refs: DiffRefs) -> bool:
    """GitLab keeps an outdated thread on its old SHAs; a current one is rewritten to the MR's."""
    return (position.get("head_sha"), position.get("start_sha"), position.get("base_sha")) != (
        refs.head_sha, refs.start_sha, refs.base_sha)


def _enum(kind: type[E], value: str | None) -> E | None:
    try:
        return kind(value) if value else None
    except ValueError:
        return None
