"""Stored state: users, tokens, projects, merge requests, discussions, notes, awards."""

from __future__ import annotations

import datetime as _dt
import hashlib
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

from .gitrepo import GitRepo
from .versions import Version

ROLES = {"guest": 10, "reporter": 20, "developer": 30, "maintainer": 40, "owner": 50}


def now() -> str:
    """GitLab-style UTC timestamp with milliseconds."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_discussion_id() -> str:
    """40 hex characters, like GitLab's discussion ids."""
    return hashlib.sha1(os.urandom(16)).hexdigest()


@dataclass
class User:
    id: int
    username: str
    name: str
    role: str

    @property
    def level(self) -> int:
        return ROLES[self.role]


@dataclass
class Token:
    value: str
    username: str
    scopes: tuple[str, ...]
    kind: str  # "personal" | "project" | "job"


@dataclass
class Award:
    id: int
    name: str
    username: str
    created_at: str
    awardable_id: int
    awardable_type: str


@dataclass
class Note:
    id: int
    type: str | None  # None | "DiscussionNote" | "DiffNote"
    body: str
    author: str
    created_at: str
    updated_at: str
    discussion_id: str
    system: bool = False
    position: dict | None = None
    line_code: str | None = None
    commit_id: str | None = None
    resolvable: bool = False
    resolved: bool = False
    resolved_by: str | None = None
    resolved_at: str | None = None
    internal: bool = False
    awards: list[Award] = field(default_factory=list)


@dataclass
class Discussion:
    id: str
    individual_note: bool
    notes: list[Note] = field(default_factory=list)

    @property
    def resolvable(self) -> bool:
        return any(n.resolvable for n in self.notes)

    @property
    def resolved(self) -> bool:
        return all(n.resolved for n in self.notes if n.resolvable)


@dataclass
class DraftNote:
    id: int
    author: str
    note: str
    position: dict | None
    line_code: str | None
    in_reply_to_discussion_id: str | None
    commit_id: str | None
    resolve_discussion: bool


@dataclass
class MergeRequest:
    id: int
    iid: int
    project: "Project"
    source_branch: str
    target_branch: str
    title: str
    description: str
    author: str
    draft: bool
    created_at: str
    versions: list[Version] = field(default_factory=list)
    file_flags: dict[str, dict] = field(default_factory=dict)
    discussions: dict[str, Discussion] = field(default_factory=dict)
    awards: list[Award] = field(default_factory=list)
    draft_notes: dict[int, DraftNote] = field(default_factory=dict)
    updated_at: str = ""

    @property
    def latest(self) -> Version:
        """The newest version."""
        return self.versions[-1]

    @property
    def diff_refs(self) -> dict:
        """`diff_refs` of the newest version."""
        v = self.latest
        return {"base_sha": v.base_commit_sha, "head_sha": v.head_commit_sha, "start_sha": v.start_commit_sha}

    def all_notes(self) -> list[Note]:
        """Every note, oldest first."""
        return sorted((n for d in self.discussions.values() for n in d.notes), key=lambda n: n.id)

    def find_note(self, note_id: int) -> tuple[Discussion, Note] | None:
        """The note with this id and its discussion."""
        for d in self.discussions.values():
            for n in d.notes:
                if n.id == note_id:
                    return d, n
        return None


@dataclass
class Project:
    id: int
    path_with_namespace: str
    repo: GitRepo
    default_branch: str
    resolve_outdated_diff_discussions: bool = False
    mrs: dict[int, MergeRequest] = field(default_factory=dict)

    @property
    def repo_dir(self) -> Path:
        return self.repo.path


class Ids:
    """Global id sequences."""

    def __init__(self) -> None:
        self._seqs = {name: itertools.count(1) for name in ("user", "project", "mr", "version", "note", "award", "draft")}

    def next(self, name: str) -> int:
        return next(self._seqs[name])
