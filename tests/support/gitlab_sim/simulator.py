"""`GitLabSimulator`: the test-facing facade over the state and the HTTP server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .core import State
from .faults import Faults
from .model import Award, MergeRequest, Project, Token, User
from .server import HttpFront, RequestRecord
from .versions import Version


class GitLabSimulator:
    """A simulated GitLab instance on loopback HTTP. Use as a context manager or start/stop."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = State()
        self.faults = Faults()
        self._front = HttpFront(self.state, self.faults, self._admin_push)
        self._host, self._port = host, port
        self.url = ""

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> "GitLabSimulator":
        """Start serving on a free port (or the one given)."""
        self.url = self._front.start(self._host, self._port)
        self.state.base_url = self.url
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._front.stop()

    def __enter__(self) -> "GitLabSimulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """`<url>/api/v4`, what `CI_API_V4_URL` would hold."""
        return f"{self.url}/api/v4"

    # ---- setup -----------------------------------------------------------------------------
    def add_user(self, username: str, role: str = "developer", name: str | None = None) -> User:
        """Register a user with a project role (guest|reporter|developer|maintainer|owner)."""
        return self.state.add_user(username, role, name)

    def add_token(self, value: str, username: str, scopes=("api",), kind: str = "personal") -> Token:
        """Register a token for a user; kind personal|project|job."""
        return self.state.add_token(value, username, scopes, kind)

    def create_project(self, path_with_namespace: str, repo_dir: Path | str, **settings: Any) -> Project:
        """A project backed by a git working repository."""
        return self.state.create_project(path_with_namespace, repo_dir, **settings)

    def create_mr(self, project: Project, source_branch: str, target_branch: str, title: str = "MR",
                  description: str = "", author: str | None = None, draft: bool = False) -> MergeRequest:
        """Open an MR and compute version 1."""
        return self.state.create_mr(project, source_branch, target_branch, title, description, author, draft)

    def push(self, mr: MergeRequest, pusher: str | None = None) -> Version:
        """New version from the current branch tips; traces diff threads."""
        return self.state.push(mr, pusher)

    def mark_file(self, mr: MergeRequest, path: str, *, too_large: bool = False, collapsed: bool = False) -> None:
        """Serve `path` with an empty diff (too large / collapsed) from now on."""
        self.state.mark_file(mr, path, too_large=too_large, collapsed=collapsed)

    # ---- inspection and human actions ------------------------------------------------------
    def discussions(self, mr: MergeRequest) -> list[dict]:
        """Stored discussions (REST shape plus `line_code`, `discussion_id`, `awards` per note)."""
        return self.state.discussions_json(mr)

    def notes(self, mr: MergeRequest) -> list[dict]:
        """Every note, oldest first, including system notes."""
        return self.state.notes_json(mr)

    def add_human_reply(self, mr: MergeRequest, discussion_id: str, body: str, username: str) -> dict:
        """A reply by a human user (no HTTP)."""
        n = self.state.reply(mr, discussion_id, username, body)
        return next(x for x in self.state.notes_json(mr) if x["id"] == n.id)

    def resolve_as(self, mr: MergeRequest, discussion_id: str, username: str, resolved: bool = True) -> dict:
        """Resolve (or unresolve) a thread as `username`."""
        d = self.state.resolve(mr, discussion_id, username, resolved)
        return next(x for x in self.state.discussions_json(mr) if x["id"] == d.id)

    def award(self, mr: MergeRequest, note_id: int, name: str, username: str) -> Award:
        """Award an emoji on a note as `username`."""
        return self.state.award(mr, username, name, str(note_id))

    @property
    def request_log(self) -> list[RequestRecord]:
        """Every API request served so far."""
        return list(self._front.request_log)

    @property
    def errors(self) -> list[str]:
        """Tracebacks of simulator bugs (requests answered 500 unintentionally)."""
        return list(self._front.errors)

    @property
    def executed_quick_actions(self) -> list[dict]:
        """Quick actions GitLab would have executed."""
        return list(self.state.executed_quick_actions)

    @property
    def strict_line_range(self) -> bool:
        """Reject `line_range` whose codes/types don't match the line (stricter than GitLab)."""
        return self.state.strict_line_range

    @strict_line_range.setter
    def strict_line_range(self, value: bool) -> None:
        self.state.strict_line_range = value

    def _admin_push(self, project: str, iid: int, pusher: str | None) -> dict:
        p = self.state.find_project(project)
        return self.push(self.state.find_mr(p, str(iid)), pusher).summary()
