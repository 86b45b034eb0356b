"""REST routes: map (method, path segments) to State operations and entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from . import entities
from .core import State, truthy
from .errors import ApiError, forbidden, not_found, param_error
from .model import MergeRequest, Project, Token

INSUFFICIENT_SCOPE = {
    "error": "insufficient_scope",
    "error_description": "The request requires higher privileges than provided by the access token.",
    "scope": "api",
}


@dataclass
class Request:
    """One parsed API request."""

    method: str
    segments: list[str]
    query: dict[str, str]
    params: dict[str, Any]
    headers: Any
    base_url: str  # scheme://host:port of this request
    path: str  # the raw path after /api/v4
    token: Token | None = None


@dataclass
class Response:
    """A handler's result."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


def authenticate(state: State, headers: Any) -> Token:
    """The token from PRIVATE-TOKEN, Authorization: Bearer, or JOB-TOKEN; 401 otherwise."""
    value = headers.get("PRIVATE-TOKEN")
    kind = None
    if value is None and (auth := headers.get("Authorization", "")).lower().startswith("bearer "):
        value = auth[7:].strip()
    if value is None and headers.get("JOB-TOKEN") is not None:
        value, kind = headers.get("JOB-TOKEN"), "job"
    token = state.tokens.get(value or "")
    if token is None or (kind == "job") != (token.kind == "job"):
        raise ApiError(401, {"message": "401 Unauthorized"})
    return token


class Api:
    """Dispatches requests to handlers after auth and scope checks."""

    def __init__(self, state: State) -> None:
        self.state = state

    def handle(self, req: Request) -> Response:
        req.token = authenticate(self.state, req.headers)
        route, args = self._route(req)
        write = req.method != "GET"
        job_ok = getattr(route, "job_ok", False)
        if req.token.kind == "job":
            if write:
                raise ApiError(403, INSUFFICIENT_SCOPE)
            if not job_ok:
                raise forbidden()
        elif write and "api" not in req.token.scopes:
            raise ApiError(403, INSUFFICIENT_SCOPE)
        elif not write and not {"api", "read_api"} & set(req.token.scopes):
            raise ApiError(403, {**INSUFFICIENT_SCOPE, "scope": "api read_api"})
        with self.state.lock:
            return route(req, *args)

    # ---- routing -----------------------------------------------------------------------
    def _route(self, req: Request) -> tuple[Callable[..., Response], list]:
        s, m = req.segments, req.method
        if s == ["user"] and m == "GET":
            return self.get_user, []
        if s == ["personal_access_tokens", "self"] and m == "GET":
            return self.get_token_self, []
        if len(s) < 2 or s[0] != "projects":
            raise not_found()
        project = self.state.find_project(s[1])
        rest = s[2:]
        if rest == [] and m == "GET":
            return self.get_project, [project]
        if len(rest) >= 3 and rest[:2] == ["repository", "files"] and rest[-1] == "raw" and m == "GET":
            return self.get_raw, [project, "/".join(rest[2:-1])]
        if rest == ["repository", "tree"] and m == "GET":
            return self.get_tree, [project]
        if len(rest) < 2 or rest[0] != "merge_requests":
            raise not_found()
        mr = self.state.find_mr(project, rest[1])
        sub = rest[2:]
        table: dict[tuple, Callable[..., Response]] = {
            ("GET",): self.get_mr, ("GET", "diffs"): self.get_diffs, ("GET", "changes"): self.get_changes,
            ("GET", "raw_diffs"): self.get_raw_diffs,
            ("GET", "versions"): self.list_versions, ("GET", "versions", 1): self.get_version,
            ("GET", "commits"): self.get_commits,
            ("GET", "discussions"): self.list_discussions, ("POST", "discussions"): self.post_discussion,
            ("GET", "discussions", 1): self.get_discussion, ("PUT", "discussions", 1): self.put_discussion,
            ("POST", "discussions", 1, "notes"): self.post_reply,
            ("GET", "discussions", 1, "notes", 1): self.get_discussion_note,
            ("PUT", "discussions", 1, "notes", 1): self.put_discussion_note,
            ("GET", "notes"): self.list_notes, ("POST", "notes"): self.post_note,
            ("GET", "notes", 1): self.get_note, ("PUT", "notes", 1): self.put_note,
            ("GET", "notes", 1, "award_emoji"): self.list_note_awards,
            ("POST", "notes", 1, "award_emoji"): self.post_note_award,
            ("GET", "award_emoji"): self.list_mr_awards, ("POST", "award_emoji"): self.post_mr_award,
            ("GET", "draft_notes"): self.list_drafts, ("POST", "draft_notes"): self.post_draft,
            ("POST", "draft_notes", "bulk_publish"): self.bulk_publish,
            ("GET", "draft_notes", 1): self.get_draft, ("DELETE", "draft_notes", 1): self.delete_draft,
            ("PUT", "draft_notes", 1, "publish"): self.publish_draft,
        }
        key_parts: list = [m]
        args: list = [mr]
        for idx, seg in enumerate(sub):
            if idx % 2 == 1 and not (sub[0] == "draft_notes" and seg == "bulk_publish"):
                key_parts.append(1)
                args.append(seg)
            else:
                key_parts.append(seg)
        handler = table.get(tuple(key_parts))
        if handler is None:
            raise not_found()
        return handler, args

    # ---- helpers -----------------------------------------------------------------------
    def _user(self, req: Request) -> str:
        assert req.token is not None
        return req.token.username

    def _list(self, req: Request, items: list) -> Response:
        from .http_util import paginate

        chunk, headers = paginate(items, req.query, f"{req.base_url}/api/v4{req.path}")
        return Response(200, chunk, headers)

    def _disc(self, d, mr: MergeRequest) -> dict:
        return entities.discussion(d, mr, self.state.users, self.state.base_url)

    def _note(self, n, mr: MergeRequest) -> dict:
        return entities.note(n, mr, self.state.users, self.state.base_url)

    # ---- handlers ----------------------------------------------------------------------
    def get_user(self, req: Request) -> Response:
        u = self.state.users[self._user(req)]
        return Response(200, {**entities.user(u, self.state.base_url), "bot": False, "is_admin": False})

    def get_token_self(self, req: Request) -> Response:
        """``GET /personal_access_tokens/self`` (GitLab 15.5+): the calling token; not for job tokens."""
        assert req.token is not None
        if req.token.kind == "job":
            raise ApiError(401, {"message": "401 Unauthorized"})
        return Response(200, {"id": abs(hash(req.token.value)) % 10_000, "name": "token", "revoked": False,
                              "active": True, "scopes": list(req.token.scopes), "user_id": 1,
                              "expires_at": None})

    def get_project(self, req: Request, project: Project) -> Response:
        return Response(200, entities.project(project, self.state.base_url))

    def get_raw(self, req: Request, project: Project, path: str) -> Response:
        ref = req.query.get("ref") or "HEAD"
        data = project.repo.file_at(ref, path) if not ref.startswith("-") else None
        if data is None:
            raise not_found("File")
        return Response(200, None, {"Content-Type": "text/plain; charset=utf-8"}, raw=data)

    def get_tree(self, req: Request, project: Project) -> Response:
        """`GET /repository/tree?path=&ref=&recursive=`: entries under `path`, paginated."""
        ref = req.query.get("ref") or "HEAD"
        path = (req.query.get("path") or "").strip("/")
        entries = project.repo.tree(ref, path, recursive=truthy(req.query.get("recursive", False)))
        if entries is None:
            raise not_found("Tree")
        return self._list(req, entries)

    def get_mr(self, req: Request, mr: MergeRequest) -> Response:
        return Response(200, entities.merge_request(mr, self.state.users, self.state.base_url))

    def get_diffs(self, req: Request, mr: MergeRequest) -> Response:
        from .http_util import paginate

        # Page first, then build the entities: an MR with thousands of files is read in many pages.
        files, headers = paginate(mr.latest.files, req.query, f"{req.base_url}/api/v4{req.path}")
        items = [f.entity() for f in files]
        if truthy(req.query.get("unidiff", False)):
            for item in items:
                if item["diff"]:
                    old = "/dev/null" if item["new_file"] else f"a/{item['old_path']}"
                    new = "/dev/null" if item["deleted_file"] else f"b/{item['new_path']}"
                    item["diff"] = f"--- {old}\n+++ {new}\n{item['diff']}"
        return Response(200, items, headers)

    def get_raw_diffs(self, req: Request, mr: MergeRequest) -> Response:
        v = mr.latest
        text = mr.project.repo.run("diff", "-M", "--full-index", "--no-color", v.base_commit_sha, v.head_commit_sha)
        return Response(200, None, {"Content-Type": "text/plain; charset=utf-8"}, raw=text.encode())

    def get_changes(self, req: Request, mr: MergeRequest) -> Response:
        full = truthy(req.query.get("access_raw_diffs", False))
        body = entities.merge_request(mr, self.state.users, self.state.base_url)
        body["changes"] = [f.entity(limits=not full) for f in mr.latest.files]
        body["overflow"] = False
        return Response(200, body)

    def list_versions(self, req: Request, mr: MergeRequest) -> Response:
        return self._list(req, [v.summary() for v in reversed(mr.versions)])

    def get_version(self, req: Request, mr: MergeRequest, vid: str) -> Response:
        v = next((x for x in mr.versions if str(x.id) == vid), None)
        if v is None:
            raise not_found("MergeRequestDiff")
        return Response(200, {**v.summary(), "commits": v.commits,
                              "diffs": [f.entity(limits=False) for f in v.files]})

    def get_commits(self, req: Request, mr: MergeRequest) -> Response:
        return self._list(req, list(mr.latest.commits))

    def list_discussions(self, req: Request, mr: MergeRequest) -> Response:
        return self._list(req, [self._disc(d, mr) for d in mr.discussions.values()])

    def get_discussion(self, req: Request, mr: MergeRequest, did: str) -> Response:
        return Response(200, self._disc(self.state.find_discussion(mr, did), mr))

    def post_discussion(self, req: Request, mr: MergeRequest) -> Response:
        p = req.params
        d = self.state.create_discussion(mr, self._user(req), p.get("body"), p.get("position"),
                                         p.get("commit_id"), p.get("created_at"))
        return Response(201, self._disc(d, mr))

    def put_discussion(self, req: Request, mr: MergeRequest, did: str) -> Response:
        resolved = req.params.get("resolved")
        if resolved is None:
            raise param_error("resolved is missing")
        d = self.state.resolve(mr, did, self._user(req), truthy(resolved))
        return Response(200, self._disc(d, mr))

    def post_reply(self, req: Request, mr: MergeRequest, did: str) -> Response:
        n = self.state.reply(mr, did, self._user(req), req.params.get("body"))
        return Response(201, self._note(n, mr))

    def get_discussion_note(self, req: Request, mr: MergeRequest, did: str, nid: str) -> Response:
        d = self.state.find_discussion(mr, did)
        n = next((x for x in d.notes if str(x.id) == nid), None)
        if n is None:
            raise not_found("Note")
        return Response(200, self._note(n, mr))

    def put_discussion_note(self, req: Request, mr: MergeRequest, did: str, nid: str) -> Response:
        p = req.params
        n = self.state.update_discussion_note(mr, did, nid, self._user(req), p.get("body"), p.get("resolved"))
        return Response(200, self._note(n, mr))

    def list_notes(self, req: Request, mr: MergeRequest) -> Response:
        notes = mr.all_notes()
        if req.query.get("sort", "desc") == "desc":
            notes = list(reversed(notes))
        return self._list(req, [self._note(n, mr) for n in notes])

    def post_note(self, req: Request, mr: MergeRequest) -> Response:
        p = req.params
        n = self.state.create_note(mr, self._user(req), p.get("body"), truthy(p.get("internal", False)),
                                   p.get("created_at"))
        return Response(201, self._note(n, mr))

    def get_note(self, req: Request, mr: MergeRequest, nid: str) -> Response:
        return Response(200, self._note(self.state.find_note(mr, nid)[1], mr))

    def put_note(self, req: Request, mr: MergeRequest, nid: str) -> Response:
        n = self.state.update_note(mr, nid, self._user(req), req.params.get("body"))
        return Response(200, self._note(n, mr))

    def _award(self, a) -> dict:
        return entities.award(a, self.state.users, self.state.base_url)

    def list_note_awards(self, req: Request, mr: MergeRequest, nid: str) -> Response:
        return self._list(req, [self._award(a) for a in self.state.find_note(mr, nid)[1].awards])

    def post_note_award(self, req: Request, mr: MergeRequest, nid: str) -> Response:
        return Response(201, self._award(self.state.award(mr, self._user(req), req.params.get("name"), nid)))

    def list_mr_awards(self, req: Request, mr: MergeRequest) -> Response:
        return self._list(req, [self._award(a) for a in mr.awards])

    def post_mr_award(self, req: Request, mr: MergeRequest) -> Response:
        return Response(201, self._award(self.state.award(mr, self._user(req), req.params.get("name"))))

    def _draft(self, mr: MergeRequest, did: str):
        dn = mr.draft_notes.get(int(did)) if did.isdigit() else None
        if dn is None:
            raise not_found("Draft Note")
        return dn

    def list_drafts(self, req: Request, mr: MergeRequest) -> Response:
        return self._list(req, [entities.draft_note(d, mr, self.state.users) for d in mr.draft_notes.values()])

    def post_draft(self, req: Request, mr: MergeRequest) -> Response:
        dn = self.state.create_draft(mr, self._user(req), req.params)
        return Response(201, entities.draft_note(dn, mr, self.state.users))

    def get_draft(self, req: Request, mr: MergeRequest, did: str) -> Response:
        return Response(200, entities.draft_note(self._draft(mr, did), mr, self.state.users))

    def delete_draft(self, req: Request, mr: MergeRequest, did: str) -> Response:
        mr.draft_notes.pop(self._draft(mr, did).id)
        return Response(204, None)

    def publish_draft(self, req: Request, mr: MergeRequest, did: str) -> Response:
        self.state.publish_draft(mr, self._draft(mr, did))
        return Response(204, None)

    def bulk_publish(self, req: Request, mr: MergeRequest) -> Response:
        for dn in [d for d in mr.draft_notes.values() if d.author == self._user(req)]:
            self.state.publish_draft(mr, dn)
        return Response(204, None)


# routes a CI_JOB_TOKEN may GET
for _name in ("get_mr", "list_notes", "get_note", "get_raw"):
    getattr(Api, _name).job_ok = True  # type: ignore[attr-defined]
