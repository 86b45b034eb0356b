"""The simulator's state and the operations GitLab performs on it (no HTTP here)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from . import entities, positions, quick_actions, tracing
from .errors import ApiError, bad_request, forbidden, not_found, param_error
from .gitrepo import GitError, GitRepo
from .model import (
    ROLES, Award, Discussion, DraftNote, Ids, MergeRequest, Note, Project, Token, User,
    new_discussion_id, now,
)
from .versions import DiffContext, Version, build_files


class State:
    """Everything the simulated GitLab instance knows; guarded by one re-entrant lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.ids = Ids()
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.projects: dict[int, Project] = {}
        self.executed_quick_actions: list[dict] = []
        self.strict_line_range = True
        self.base_url = "http://127.0.0.1"

    # ---- setup -------------------------------------------------------------------------
    def add_user(self, username: str, role: str = "developer", name: str | None = None) -> User:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; one of {sorted(ROLES)}")
        with self.lock:
            u = User(self.ids.next("user"), username, name or username.title(), role)
            self.users[username] = u
            return u

    def add_token(self, value: str, username: str, scopes=("api",), kind: str = "personal") -> Token:
        if username not in self.users:
            raise ValueError(f"unknown user {username!r}")
        if kind not in ("personal", "project", "job"):
            raise ValueError("kind must be personal, project or job")
        with self.lock:
            t = Token(value, username, tuple(scopes), kind)
            self.tokens[value] = t
            return t

    def create_project(self, path_with_namespace: str, repo_dir: Path | str, *,
                       default_branch: str | None = None,
                       resolve_outdated_diff_discussions: bool = False) -> Project:
        repo = GitRepo(Path(repo_dir))
        if default_branch is None:
            default_branch = repo.run("symbolic-ref", "--short", "HEAD", check=False).strip() or "main"
        with self.lock:
            p = Project(self.ids.next("project"), path_with_namespace, repo, default_branch,
                        resolve_outdated_diff_discussions)
            self.projects[p.id] = p
            return p

    def create_mr(self, project: Project, source_branch: str, target_branch: str, title: str = "MR",
                  description: str = "", author: str | None = None, draft: bool = False) -> MergeRequest:
        author = author or next(iter(self.users))
        with self.lock:
            mr = MergeRequest(self.ids.next("mr"), len(project.mrs) + 1, project, source_branch,
                              target_branch, title, description, author, draft, now())
            project.mrs[mr.iid] = mr
            self._new_version(mr)
            return mr

    def _new_version(self, mr: MergeRequest) -> Version:
        repo = mr.project.repo
        head = repo.rev_parse(mr.source_branch)
        start = repo.rev_parse(mr.target_branch)
        base = repo.merge_base(start, head)
        v = Version(self.ids.next("version"), mr.id, head, base, start, now(),
                    build_files(repo, base, head, mr.file_flags), repo.commits(base, head))
        mr.versions.append(v)
        mr.updated_at = v.created_at
        return v

    def mark_file(self, mr: MergeRequest, path: str, *, too_large: bool = False, collapsed: bool = False) -> None:
        with self.lock:
            mr.file_flags[path] = {"too_large": too_large, "collapsed": collapsed}
            for entry in mr.latest.files:
                if path in (entry.raw.new_path, entry.raw.old_path):
                    entry.too_large, entry.collapsed = too_large, collapsed
                    entry.__dict__.pop("parsed", None)

    # ---- lookups -----------------------------------------------------------------------
    def find_project(self, ident: str) -> Project:
        with self.lock:
            if ident.isdigit() and int(ident) in self.projects:
                return self.projects[int(ident)]
            for p in self.projects.values():
                if p.path_with_namespace == ident:
                    return p
        raise not_found("Project")

    def find_mr(self, project: Project, iid: str) -> MergeRequest:
        if iid.isdigit() and int(iid) in project.mrs:
            return project.mrs[int(iid)]
        raise not_found("Merge Request")

    def find_discussion(self, mr: MergeRequest, did: str) -> Discussion:
        d = mr.discussions.get(did)
        if d is None:
            raise not_found("Discussion")
        return d

    def find_note(self, mr: MergeRequest, nid: str | int) -> tuple[Discussion, Note]:
        found = mr.find_note(int(nid)) if str(nid).isdigit() else None
        if found is None:
            raise not_found("Note")
        return found

    def context_for(self, mr: MergeRequest, base: str | None, start: str | None, head: str | None) -> DiffContext | None:
        """The diff the SHAs name: a stored version's (with flags) or a fresh compare."""
        repo = mr.project.repo
        for v in reversed(mr.versions):
            if v.head_commit_sha == head and v.start_commit_sha == start and (not base or base == v.base_commit_sha):
                return v.context(repo)
        if not (start and head and repo.has_commit(start) and repo.has_commit(head)):
            return None
        try:
            if base and not repo.has_commit(base):
                return None
            base = base or repo.merge_base(start, head)
            return DiffContext(repo, base, start, head, build_files(repo, base, head, {}))
        except GitError:
            return None

    # ---- permissions -------------------------------------------------------------------
    def require_role(self, username: str, role: str) -> None:
        if self.users[username].level < ROLES[role]:
            raise forbidden()

    # ---- notes and discussions ---------------------------------------------------------
    def _quick_actions(self, mr: MergeRequest, username: str, body: str) -> tuple[str, list]:
        clean, commands = quick_actions.extract(body)
        for cmd, args in commands:
            self.executed_quick_actions.append(
                {"command": cmd, "args": args, "username": username, "mr_iid": mr.iid,
                 "project_id": mr.project.id, "note_body": body}
            )
        return clean, commands

    @staticmethod
    def _commands_only(commands: list) -> ApiError:
        changes = {cmd: args or True for cmd, args in commands}
        summary = [f"Executed /{cmd}{' ' + args if args else ''}." for cmd, args in commands]
        return ApiError(202, {"commands_changes": changes, "summary": summary})

    def _note(self, discussion_id: str, username: str, body: str, ntype: str | None, **kw: Any) -> Note:
        stamp = kw.pop("created_at", None) or now()
        return Note(self.ids.next("note"), ntype, body, username, stamp, stamp, discussion_id,
                    resolvable=ntype in ("DiffNote", "DiscussionNote"), **kw)

    def _check_body(self, body: Any) -> str:
        if body is None or (isinstance(body, str) and not body.strip()):
            raise param_error("body is missing")
        return str(body)

    def create_discussion(self, mr: MergeRequest, username: str, body: Any, position: Any = None,
                          commit_id: str | None = None, created_at: str | None = None) -> Discussion:
        body = self._check_body(body)
        self.require_role(username, "reporter")
        with self.lock:
            stored = line_code = None
            if position is not None:
                ctx = self.context_for(mr, *(position.get(k) if isinstance(position, dict) else None
                                             for k in ("base_sha", "start_sha", "head_sha")))
                stored, line_code, _ = positions.resolve(ctx, position, strict_line_range=self.strict_line_range)
                if ctx is not None:
                    traced = self._trace_to_latest(mr, ctx, stored)
                    if traced:
                        stored, line_code = traced
            clean, commands = self._quick_actions(mr, username, body)
            if commands and not clean.strip():
                raise self._commands_only(commands)
            d = Discussion(new_discussion_id(), individual_note=False)
            ntype = "DiffNote" if stored else "DiscussionNote"
            d.notes.append(self._note(d.id, username, clean, ntype, position=stored, line_code=line_code,
                                      commit_id=commit_id, created_at=created_at))
            mr.discussions[d.id] = d
            return d

    def _trace_to_latest(self, mr: MergeRequest, ctx: DiffContext, stored: dict) -> tuple[dict, str | None] | None:
        latest = mr.latest.context(mr.project.repo)
        if (ctx.base_sha, ctx.start_sha, ctx.head_sha) == (latest.base_sha, latest.start_sha, latest.head_sha):
            return None
        return tracing.trace_position(ctx, stored, latest)

    def create_note(self, mr: MergeRequest, username: str, body: Any, internal: bool = False,
                    created_at: str | None = None) -> Note:
        body = self._check_body(body)
        self.require_role(username, "reporter")
        with self.lock:
            clean, commands = self._quick_actions(mr, username, body)
            if commands and not clean.strip():
                raise self._commands_only(commands)
            d = Discussion(new_discussion_id(), individual_note=True)
            n = self._note(d.id, username, clean, None, internal=bool(internal), created_at=created_at)
            d.notes.append(n)
            mr.discussions[d.id] = d
            return n

    def reply(self, mr: MergeRequest, did: str, username: str, body: Any) -> Note:
        body = self._check_body(body)
        self.require_role(username, "reporter")
        with self.lock:
            d = self.find_discussion(mr, did)
            first = d.notes[0]
            if first.system:
                raise bad_request("Discussion can not be replied to.")
            if d.individual_note:  # a plain MR note converts to a resolvable DiscussionNote thread
                d.individual_note = False
                first.type, first.resolvable = "DiscussionNote", True
            clean, commands = self._quick_actions(mr, username, body)
            if commands and not clean.strip():
                raise self._commands_only(commands)
            n = self._note(d.id, username, clean, first.type, position=first.position and dict(first.position),
                           line_code=first.line_code, commit_id=first.commit_id)
            d.notes.append(n)
            return n

    def _can_resolve(self, mr: MergeRequest, username: str) -> bool:
        return self.users[username].level >= ROLES["developer"] or username == mr.author

    def resolve(self, mr: MergeRequest, did: str, username: str, resolved: bool) -> Discussion:
        with self.lock:
            d = self.find_discussion(mr, did)
            if not d.resolvable:
                raise forbidden()
            if not self._can_resolve(mr, username):
                raise forbidden()
            for n in d.notes:
                if n.resolvable:
                    self._set_resolved(n, username, resolved)
            return d

    @staticmethod
    def _set_resolved(n: Note, username: str, resolved: bool) -> None:
        if resolved and not n.resolved:
            n.resolved, n.resolved_by, n.resolved_at = True, username, now()
        elif not resolved:
            n.resolved, n.resolved_by, n.resolved_at = False, None, None

    def update_discussion_note(self, mr: MergeRequest, did: str, nid: str, username: str,
                               body: Any = None, resolved: Any = None) -> Note:
        with self.lock:
            d = self.find_discussion(mr, did)
            n = next((x for x in d.notes if str(x.id) == str(nid)), None)
            if n is None:
                raise not_found("Note")
            if (body is None) == (resolved is None):
                raise param_error("body, resolved are mutually exclusive, at least one parameter must be provided")
            if resolved is not None:
                if not n.resolvable or not self._can_resolve(mr, username):
                    raise forbidden()
                self._set_resolved(n, username, _truthy(resolved))
                return n
            return self._edit(mr, n, username, body)

    def update_note(self, mr: MergeRequest, nid: str, username: str, body: Any) -> Note:
        with self.lock:
            _, n = self.find_note(mr, nid)
            return self._edit(mr, n, username, self._check_body(body))

    def _edit(self, mr: MergeRequest, n: Note, username: str, body: Any) -> Note:
        if n.author != username or n.system:
            raise forbidden()
        clean, _ = self._quick_actions(mr, username, str(body))
        n.body, n.updated_at = clean, now()
        return n

    def award(self, mr: MergeRequest, username: str, name: Any, note_id: str | None = None) -> Award:
        if not name:
            raise param_error("name is missing")
        self.require_role(username, "guest")
        with self.lock:
            if note_id is None:
                target, awardable_id, atype = mr.awards, mr.id, "MergeRequest"
            else:
                _, n = self.find_note(mr, note_id)
                target, awardable_id, atype = n.awards, n.id, "Note"
            if any(a.name == name and a.username == username for a in target):
                raise not_found("Award Emoji Name has already been taken")
            a = Award(self.ids.next("award"), str(name), username, now(), awardable_id, atype)
            target.append(a)
            return a

    # ---- draft notes ---------------------------------------------------------------------
    def create_draft(self, mr: MergeRequest, username: str, params: dict) -> DraftNote:
        note = self._check_body(params.get("note"))
        self.require_role(username, "reporter")
        with self.lock:
            position, line_code = params.get("position"), None
            if isinstance(position, dict):
                ctx = self.context_for(mr, position.get("base_sha"), position.get("start_sha"), position.get("head_sha"))
                try:
                    position, line_code, _ = positions.resolve(ctx, position, strict_line_range=False)
                except ApiError:
                    pass  # DraftNote has no line_code validation: stored with line_code null
            dn = DraftNote(self.ids.next("draft"), username, note, position, line_code,
                           params.get("in_reply_to_discussion_id"), params.get("commit_id"),
                           _truthy(params.get("resolve_discussion", False)))
            mr.draft_notes[dn.id] = dn
            return dn

    def publish_draft(self, mr: MergeRequest, dn: DraftNote) -> None:
        """Publish one draft; failures are swallowed, as PublishService does."""
        with self.lock:
            mr.draft_notes.pop(dn.id, None)
            try:
                if dn.in_reply_to_discussion_id:
                    self.reply(mr, dn.in_reply_to_discussion_id, dn.author, dn.note)
                else:
                    self.create_discussion(mr, dn.author, dn.note, dn.position, dn.commit_id)
            except ApiError:
                pass

    # ---- pushes ------------------------------------------------------------------------
    def push(self, mr: MergeRequest, pusher: str | None = None) -> Version:
        """Compute a new version from the branch tips and trace every diff thread."""
        pusher = pusher or mr.author
        with self.lock:
            old = mr.latest
            repo = mr.project.repo
            if (repo.rev_parse(mr.source_branch), repo.rev_parse(mr.target_branch)) == (
                old.head_commit_sha, old.start_commit_sha,
            ):
                return old
            new = self._new_version(mr)
            old_ctx, new_ctx = old.context(repo), new.context(repo)
            number = len(mr.versions)
            for d in list(mr.discussions.values()):
                first = d.notes[0]
                if first.type != "DiffNote" or not first.position:
                    continue
                pos = first.position
                if (pos["base_sha"], pos["start_sha"], pos["head_sha"]) != (
                    old.base_commit_sha, old.start_commit_sha, old.head_commit_sha,
                ):
                    continue  # already outdated
                traced = tracing.trace_position(old_ctx, pos, new_ctx)
                if traced:
                    new_pos, code = traced
                    for n in d.notes:
                        if n.type == "DiffNote":
                            n.position, n.line_code = dict(new_pos), code
                    continue
                url = f"{self.base_url}/{mr.project.path_with_namespace}/-/merge_requests/{mr.iid}/diffs?diff_id={new.id}"
                d.notes.append(self._note(d.id, pusher, f"changed this line in [version {number} of the diff]({url})",
                                          None, system=True))
                if mr.project.resolve_outdated_diff_discussions:
                    for n in d.notes:
                        if n.resolvable:
                            self._set_resolved(n, pusher, True)
            added = [c for c in new.commits if c["id"] not in {x["id"] for x in old.commits}]
            items = "".join(f"<li>{c['short_id']} - {c['title']}</li>" for c in added)
            noun = "commit" if len(added) == 1 else "commits"
            sysd = Discussion(new_discussion_id(), individual_note=True)
            sysd.notes.append(self._note(sysd.id, pusher, f"added {len(added)} {noun}\n\n<ul>{items}</ul>", None, system=True))
            mr.discussions[sysd.id] = sysd
            return new

    # ---- inspection --------------------------------------------------------------------
    def discussions_json(self, mr: MergeRequest, internal: bool = True) -> list[dict]:
        with self.lock:
            return [entities.discussion(d, mr, self.users, self.base_url, internal=internal)
                    for d in mr.discussions.values()]

    def notes_json(self, mr: MergeRequest, internal: bool = True) -> list[dict]:
        with self.lock:
            return [entities.note(n, mr, self.users, self.base_url, internal=internal) for n in mr.all_notes()]

    def snapshot(self) -> dict:
        """The whole state as JSON-able dicts (for `/_sim/state`)."""
        with self.lock:
            return {
                "users": [vars(u) for u in self.users.values()],
                "projects": [
                    {**entities.project(p, self.base_url), "repo_dir": str(p.repo_dir),
                     "merge_requests": [
                         {**entities.merge_request(mr, self.users, self.base_url),
                          "versions": [v.summary() for v in mr.versions],
                          "discussions": self.discussions_json(mr),
                          "notes": self.notes_json(mr),
                          "draft_notes": [entities.draft_note(dn, mr, self.users) for dn in mr.draft_notes.values()],
                          "awards": [entities.award(a, self.users, self.base_url) for a in mr.awards]}
                         for mr in p.mrs.values()]}
                    for p in self.projects.values()
                ],
                "executed_quick_actions": list(self.executed_quick_actions),
            }


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "t")
    return bool(value)


truthy = _truthy
