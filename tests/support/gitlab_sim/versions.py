"""MR versions: the per-file diffs GitLab computes for one (base, start, head) triple."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from . import difflines
from .gitrepo import GitRepo, RawFileDiff


@dataclass
class FileEntry:
    """One changed file of a version, with the simulator's too_large/collapsed flags."""

    raw: RawFileDiff
    too_large: bool = False
    collapsed: bool = False

    @cached_property
    def parsed(self) -> difflines.ParsedDiff:
        """Parsed hunks (empty when the file is too large: GitLab has no lines for it)."""
        return difflines.parse("" if self.too_large else self.raw.diff)

    def entity(self, *, limits: bool = True) -> dict:
        """`Entities::Diff`; with `limits`, collapsed/too-large files have an empty diff."""
        hidden = limits and (self.too_large or self.collapsed)
        r = self.raw
        return {
            "diff": "" if hidden else r.diff,
            "collapsed": limits and self.collapsed,
            "too_large": limits and self.too_large,
            "new_path": r.new_path, "old_path": r.old_path,
            "a_mode": r.a_mode, "b_mode": r.b_mode,
            "new_file": r.new_file, "renamed_file": r.renamed_file,
            "deleted_file": r.deleted_file, "generated_file": False,
        }


@dataclass
class DiffContext:
    """The diff a position's SHAs name."""

    repo: GitRepo
    base_sha: str
    start_sha: str
    head_sha: str
    files: list[FileEntry]

    def find(self, old_path: str | None, new_path: str | None) -> FileEntry | None:
        """The file whose old and new paths both match."""
        for entry in self.files:
            if entry.raw.old_path == old_path and entry.raw.new_path == new_path:
                return entry
        return None

    def old_line_count(self, entry: FileEntry) -> int:
        """Lines of the file on the old (base) side."""
        return self.repo.line_count(self.base_sha, entry.raw.old_path)


@dataclass
class Version:
    """One MR version (`merge_request_diff`)."""

    id: int
    mr_id: int
    head_commit_sha: str
    base_commit_sha: str
    start_commit_sha: str
    created_at: str
    files: list[FileEntry]
    commits: list[dict] = field(default_factory=list)

    def context(self, repo: GitRepo) -> DiffContext:
        """This version as a DiffContext."""
        return DiffContext(repo, self.base_commit_sha, self.start_commit_sha, self.head_commit_sha, self.files)

    def summary(self) -> dict:
        """The `/versions` list entity."""
        return {
            "id": self.id, "head_commit_sha": self.head_commit_sha,
            "base_commit_sha": self.base_commit_sha, "start_commit_sha": self.start_commit_sha,
            "created_at": self.created_at, "merge_request_id": self.mr_id,
            "state": "collected", "real_size": str(len(self.files)), "patch_id_sha": None,
        }


def build_files(repo: GitRepo, base: str, head: str, flags: dict[str, dict]) -> list[FileEntry]:
    """Diff `base...head` (base already the merge base) into FileEntries with flags applied."""
    files = []
    for raw in repo.diff_files(base, head):
        f = flags.get(raw.new_path) or flags.get(raw.old_path) or {}
        files.append(FileEntry(raw, too_large=f.get("too_large", False), collapsed=f.get("collapsed", False)))
    return files
