"""The one place the reviewer talks to GitLab: python-gitlab under tenacity retries.

Retries live here and only here: python-gitlab's own retry loop is switched off on every call
(``obey_rate_limit=False, max_retries=0``, no transient retries), so a 429 is waited out once, by
its ``Retry-After`` (integer seconds, capped), and 5xx and connection errors get a few attempts
with exponential backoff, as does a 2xx whose body is not JSON (an HTML page from a proxy, a
truncated reply). Other 4xx are never retried. Every failure leaves this module as a
:class:`reviewer.errors.GitLabError` (or :class:`GitLabAuthError`) with a one-line message;
token values never appear in messages or logs.

Trust: the client reads its own user (``GET /user``) once, and :meth:`GitLabClient.list_discussions`
hands out discussions in which only that user's notes can carry the reviewer's hidden markers:
marker look-alikes in anyone else's note are defused as they are read (in every note when the
user cannot be read). So a copied summary, finding or reply marker is never taken for the
reviewer's own, wherever the discussions go next.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import gitlab
import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from reviewer.errors import GitLabAuthError, GitLabError
from reviewer.gitlab_mr.errors import (
    MSG_JOB_READ, MSG_JOB_UNAUTHORIZED, MSG_JOB_WRITE, MSG_SCOPE_READ, MSG_SCOPE_WRITE, MSG_TOKEN_IS_JOB_TOKEN,
    MSG_UNAUTHORIZED, JOB_TOKEN_VAR, TOKEN_VAR, GitLabBadRequest, GitLabNotFound, GitLabNotJson, GitLabRedirect,
    MergeRequestNotFound, NotGitLabError, not_json_message,
)
from reviewer.gitlab_mr.trust import authored_by, only_our_markers
from reviewer.log import get_logger

log = get_logger("gitlab")
T = TypeVar("T")
TokenKind = Literal["private", "job"]

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504, *range(520, 531)})
_NO_LIB_RETRY = {"obey_rate_limit": False, "max_retries": 0, "retry_transient_errors": False}


MAX_PAGES = 10_000
JOB_TOKEN_PREFIX = "glcbt-"  # GitLab 16.8+ prefixes CI job tokens with this


class _NotJson(Exception):
    """A 2xx answer whose body is not JSON (retried like a 5xx, then a :class:`GitLabNotJson`)."""

    def __init__(self, content_type: str | None) -> None:
        super().__init__(content_type or "")
        self.content_type = content_type


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts per call, backoff base and cap (seconds)."""

    attempts: int = 4
    backoff_base: float = 0.5
    max_wait: float = 60.0


def encode_id(value: str | int) -> str:
    """A project id or path (or a file path) as GitLab wants it in a URL."""
    return quote(str(value), safe="")


class GitLabClient:
    """Every GitLab REST call the reviewer makes, retried and error-translated."""

    def __init__(self, gl: gitlab.Gitlab, *, token_kind: TokenKind = "private",
                 policy: RetryPolicy | None = None, sleep: Callable[[float], None] | None = None) -> None:
        self.gl = gl
        self.token_kind = token_kind
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._local = threading.local()
        self._lock = threading.Lock()  # the cached user and the forgeries logged
        self._user: dict[str, Any] | None = None
        self._user_read = False
        self._forgeries_logged: set[Any] = set()
        self._answered_like_gitlab = False
        gl.session.hooks.setdefault("response", []).append(self._remember_response)

    # ----------------------------------------------------------------- construction
    @classmethod
    def connect(cls, url: str, token: str | None = None, job_token: str | None = None, *,
                policy: RetryPolicy | None = None, timeout: float = 30.0,
                sleep: Callable[[float], None] | None = None) -> GitLabClient:
        """A client for ``url`` (the server root, e.g. ``https://gitlab.com``)."""
        url = url.strip().rstrip("/")
        if not url.lower().startswith(("https://", "http://")):
            raise NotGitLabError(f"GitLab URL '{url}' has no scheme: pass it as https://{url} (or http://)")
        if url.endswith("/api/v4"):
            url = url[: -len("/api/v4")]
        if token and job_token and token.strip() == job_token.strip():
            raise GitLabAuthError(MSG_TOKEN_IS_JOB_TOKEN)
        if token:
            gl = gitlab.Gitlab(url, private_token=token, timeout=timeout, retry_transient_errors=False,
                               keep_base_url=True)
            kind: TokenKind = "private"
        elif job_token:
            gl = gitlab.Gitlab(url, job_token=job_token, timeout=timeout, retry_transient_errors=False,
                               keep_base_url=True)
            kind = "job"
        else:
            raise GitLabAuthError(f"no GitLab token: set {TOKEN_VAR} (a project access token with the api scope)")
        return cls(gl, token_kind=kind, policy=policy, sleep=sleep)

    @property
    def token_name(self) -> str:
        """The variable the token came from, for messages."""
        return JOB_TOKEN_VAR if self.token_kind == "job" else TOKEN_VAR

    # ----------------------------------------------------------------- reads
    def get_mr(self, project: str | int, iid: int) -> dict[str, Any]:
        """``GET /projects/:id/merge_requests/:iid`` (the single-MR entity, with ``diff_refs``).

        An answer that is not a merge request (no ``iid``, or not JSON at all) means the URL is
        not a GitLab API root: that is a usage error, not an empty MR.
        """
        url = f"/projects/{encode_id(project)}/merge_requests/{iid}"
        self._local.redirect = None
        try:
            data = self._get(url, project=project)
        except GitLabNotJson:
            if self._answered_like_gitlab:  # GitLab answered before: something in front of it fails now
                raise
            raise self._not_gitlab(url) from None
        except GitLabNotFound as exc:
            if self.token_kind == "job":  # GitLab hides what a job token may not read behind a 404
                raise GitLabAuthError(MSG_JOB_READ) from None
            if not exc.json_body:
                raise self._not_gitlab(url) from None
            if "merge request" in exc.reason.lower():
                text = f"project {project} has no merge request !{iid} (GitLab: {exc.reason}): check --mr"
            else:
                text = (f"GitLab has no project {project} that {self.token_name} can see (GitLab: {exc.reason}): "
                        "check --project (a numeric ID or the full path, e.g. group/project) and that the "
                        "token's user is a member of the project")
            raise MergeRequestNotFound(text) from None
        redirect = getattr(self._local, "redirect", None)
        if redirect:
            # python-gitlab refuses to follow a 301/302 with POST or PUT: say which URL to use now.
            raise GitLabRedirect(
                f"{self.gl.url} redirects API calls to {redirect.split('/api/v4', 1)[0]}: pass that URL as "
                "--gitlab-url (or REVIEWER_GITLAB_URL), since GitLab refuses to post through a redirect"
            )
        if not isinstance(data, dict) or "iid" not in data:
            raise self._not_gitlab(url)
        self._answered_like_gitlab = True
        return data

    def _not_gitlab(self, url: str) -> NotGitLabError:
        return NotGitLabError(
            f"{self.gl.url} does not answer like GitLab (GET /api/v4{url} returned no merge request): "
            "pass the GitLab server's URL, e.g. https://gitlab.example.com, as --gitlab-url or CI_SERVER_URL"
        )

    def list_mr_diffs(self, project: str | int, iid: int) -> list[dict[str, Any]]:
        """Every page of ``GET …/merge_requests/:iid/diffs``; on a GitLab older than 15.7 (no
        ``/diffs``: 404) the ``changes`` of the deprecated ``GET …/changes``."""
        base = f"/projects/{encode_id(project)}/merge_requests/{iid}"
        try:
            return self._list(f"{base}/diffs", project=project)
        except GitLabNotFound:
            log.warning("gitlab_diffs_endpoint_missing", fallback="changes")
        data = self._get(f"{base}/changes", project=project)
        changes = data.get("changes") if isinstance(data, dict) else None
        return [c for c in changes if isinstance(c, dict)] if isinstance(changes, list) else []

    def list_versions(self, project: str | int, iid: int) -> list[dict[str, Any]]:
        """``GET …/versions``, newest first."""
        return self._list(f"/projects/{encode_id(project)}/merge_requests/{iid}/versions", project=project)

    def get_version(self, project: str | int, iid: int, version_id: int) -> dict[str, Any]:
        """``GET …/versions/:id`` with ``diffs[]`` built without limits."""
        return self._get(f"/projects/{encode_id(project)}/merge_requests/{iid}/versions/{version_id}",
                         project=project)

    def list_mr_commits(self, project: str | int, iid: int) -> list[dict[str, Any]]:
        """``GET …/merge_requests/:iid/commits``: the commits now in the MR."""
        return self._list(f"/projects/{encode_id(project)}/merge_requests/{iid}/commits", project=project)

    def list_discussions(self, project: str | int, iid: int) -> list[dict[str, Any]]:
        """Every discussion of the MR (threads and individual notes), oldest first, in which only
        the reviewer's own notes can carry its markers (see :func:`only_our_markers`)."""
        items = self._list(f"/projects/{encode_id(project)}/merge_requests/{iid}/discussions", project=project)
        reviewer_id = self.reviewer_id
        report = self._forgery_seen if reviewer_id is not None else None  # unknown: every note is defused
        return only_our_markers(items, reviewer_id, on_forgery=report)

    def _forgery_seen(self, note: dict[str, Any]) -> None:
        """Log, once per note, a marker look-alike in a note the reviewer did not write."""
        with self._lock:
            if note.get("id") in self._forgeries_logged:
                return
            self._forgeries_logged.add(note.get("id"))
        log.warning("foreign_marker_ignored", note_id=note.get("id"),
                    author=(note.get("author") or {}).get("username"))

    def raw_file(self, project: str | int, path: str, ref: str) -> str | None:
        """A file's text at ``ref``, or None when it does not exist there."""
        url = f"/projects/{encode_id(project)}/repository/files/{encode_id(path)}/raw"

        def call() -> str | None:
            try:
                response = self.gl.http_get(url, query_data={"ref": ref}, raw=True, **_NO_LIB_RETRY)
            except gitlab.GitlabHttpError as exc:
                if exc.response_code == 404:
                    return None
                raise
            content = response.content if hasattr(response, "content") else response
            return content.decode("utf-8", errors="replace")

        return self._call("GET", url, call, project=project)

    def list_tree(self, project: str | int, path: str, ref: str) -> list[dict[str, Any]] | None:
        """Every entry under folder ``path`` at ``ref``, recursively (``GET …/repository/tree``, all
        pages); None when GitLab has no such folder (404)."""
        url = f"/projects/{encode_id(project)}/repository/tree"
        query = {"path": path, "ref": ref, "recursive": "true"}

        def call() -> list[dict[str, Any]] | None:
            try:
                return list(self.gl.http_list(url, query_data=query, iterator=True, per_page=100, **_NO_LIB_RETRY))
            except gitlab.GitlabHttpError as exc:
                if exc.response_code == 404:
                    return None
                raise

        return self._call("GET", url, call, project=project)

    def list_note_awards(self, project: str | int, iid: int, note_id: int) -> list[dict[str, Any]]:
        """Award emoji on one note (``GET …/notes/:id/award_emoji``)."""
        return self._list(f"/projects/{encode_id(project)}/merge_requests/{iid}/notes/{note_id}/award_emoji",
                          project=project)

    # ----------------------------------------------------------------- identity
    def current_user(self) -> dict[str, Any] | None:
        """The token's own user (``GET /user``), read once per client; None when GitLab will not
        say (a job token, a token without a user scope), and then no note counts as the reviewer's.

        A GitLab that keeps failing (5xx, unreachable, not JSON) fails the run like any other read.
        """
        with self._lock:
            if not self._user_read:
                self._user = self._read_user()
                self._user_read = True
            return self._user

    @property
    def reviewer_id(self) -> int | None:
        """The id of the reviewer's own GitLab user, or None when it cannot be read."""
        user = self.current_user()
        return user["id"] if user else None

    def is_own(self, note: dict[str, Any]) -> bool:
        """True when ``note`` was written by the reviewer's own user (never when that is unknown)."""
        return authored_by(note, self.reviewer_id)

    def _read_user(self) -> dict[str, Any] | None:
        try:
            data = self._get("/user", project=None)
        except (GitLabAuthError, GitLabNotFound) as exc:
            data, reason = None, type(exc).__name__
        else:
            reason = "no user id in the answer"
        if isinstance(data, dict) and isinstance(data.get("id"), int) and not isinstance(data["id"], bool):
            log.info("reviewer_identity", user_id=data["id"], username=data.get("username"))
            return data
        log.warning("reviewer_identity_unknown", reason=reason,
                    effect="no earlier note is taken for the reviewer's own: earlier comments and the summary "
                           "are not recognised")
        return None

    # ----------------------------------------------------------------- writes
    def require_write(self) -> None:
        """Fail fast, before any work, when this token can never write: a job token, or an
        access token whose scopes (``GET /personal_access_tokens/self``, GitLab 15.5+) lack ``api``.
        Where GitLab cannot tell (older versions, other token kinds), posting will say so instead."""
        if self.token_kind == "job":
            raise GitLabAuthError(MSG_JOB_WRITE)
        scopes = self.token_scopes()
        if scopes is not None and "api" not in scopes:
            raise GitLabAuthError(MSG_SCOPE_WRITE)

    def token_scopes(self) -> list[str] | None:
        """The calling token's scopes, or None when GitLab does not say (the check is optional)."""
        try:
            data = self._get("/personal_access_tokens/self", project=None)
        except GitLabError as exc:
            log.info("token_scopes_unknown", reason=type(exc).__name__)
            return None
        scopes = data.get("scopes") if isinstance(data, dict) else None
        return [str(s) for s in scopes] if isinstance(scopes, list) else None

    def create_discussion(self, project: str | int, iid: int, body: str, position: dict[str, Any] | None = None,
                          *, landed: Callable[[], dict[str, Any] | None] | None = None) -> dict[str, Any]:
        """``POST …/discussions``: a resolvable thread (a DiffNote thread with ``position``).

        ``landed`` is asked before each retry whether the failed attempt was applied after all
        (a lost response), so a retry never posts the thread twice.
        """
        data: dict[str, Any] = {"body": body}
        if position is not None:
            data["position"] = position
        url = f"/projects/{encode_id(project)}/merge_requests/{iid}/discussions"
        return self._write("POST", url, data, project=project, landed=landed)

    def reply(self, project: str | int, iid: int, discussion_id: str, body: str, *,
              landed: Callable[[], dict[str, Any] | None] | None = None) -> dict[str, Any]:
        """``POST …/discussions/:did/notes``: a reply in a thread."""
        url = f"/projects/{encode_id(project)}/merge_requests/{iid}/discussions/{discussion_id}/notes"
        return self._write("POST", url, {"body": body}, project=project, landed=landed)

    def resolve(self, project: str | int, iid: int, discussion_id: str, resolved: bool = True) -> dict[str, Any]:
        """``PUT …/discussions/:did?resolved=``: resolve or reopen a thread (idempotent)."""
        url = f"/projects/{encode_id(project)}/merge_requests/{iid}/discussions/{discussion_id}"
        return self._write("PUT", url, None, project=project, query={"resolved": str(resolved).lower()})

    def create_note(self, project: str | int, iid: int, body: str, *,
                    landed: Callable[[], dict[str, Any] | None] | None = None) -> dict[str, Any]:
        """``POST …/notes``: a plain, non-resolvable note (the summary)."""
        url = f"/projects/{encode_id(project)}/merge_requests/{iid}/notes"
        return self._write("POST", url, {"body": body}, project=project, landed=landed)

    def update_note(self, project: str | int, iid: int, note_id: int, body: str) -> dict[str, Any]:
        """``PUT …/notes/:id``: edit a note in place (idempotent)."""
        url = f"/projects/{encode_id(project)}/merge_requests/{iid}/notes/{note_id}"
        return self._write("PUT", url, {"body": body}, project=project)

    # ----------------------------------------------------------------- machinery
    def _get(self, url: str, *, project: str | int | None) -> dict[str, Any]:
        return self._call("GET", url, lambda: _parsed(self.gl.http_get(url, **_NO_LIB_RETRY)), project=project)

    def _list(self, url: str, *, project: str | int | None) -> list[dict[str, Any]]:
        def call() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            page: int | None = None
            for _ in range(MAX_PAGES):
                data = {"page": page} if page else {}
                pages = self.gl.http_list(url, query_data=data, iterator=True, per_page=100, **_NO_LIB_RETRY)
                items.extend(pages)  # follows every ``Link: rel="next"``
                # A server that paginates with ``x-next-page`` only (no Link) would stop python-gitlab
                # after one page: go on from the page it names.
                following = pages.next_page
                if not following or following <= (page or 1):
                    break
                page = following
            return items

        return self._call("GET", url, call, project=project)

    def _write(self, verb: str, url: str, data: dict[str, Any] | None, *, project: str | int,
               query: dict[str, Any] | None = None,
               landed: Callable[[], dict[str, Any] | None] | None = None) -> dict[str, Any]:
        self.require_write()
        send = self.gl.http_post if verb == "POST" else self.gl.http_put

        def call() -> dict[str, Any]:
            result = _parsed(send(url, query_data=query or {}, post_data=data, **_NO_LIB_RETRY))
            return result if isinstance(result, dict) else {}

        return self._call(verb, url, call, project=project, landed=landed, write=True)

    def _call(self, verb: str, url: str, fn: Callable[[], T], *, project: str | int | None,
              landed: Callable[[], Any] | None = None, write: bool = False) -> T:
        failed = False

        def attempt() -> T:
            nonlocal failed
            if failed and landed is not None:
                found = landed()
                if found is not None:
                    log.info("gitlab_write_already_applied", verb=verb, path=url)
                    return found
            self._local.retry_after = None
            self._local.content_type = None
            try:
                return fn()
            except gitlab.GitlabParsingError:  # a JSON content type, but the body does not parse
                failed = True
                raise _NotJson(self._local.content_type) from None
            except Exception as exc:
                if _is_transient(exc):
                    failed = True
                raise

        retrying = Retrying(
            stop=stop_after_attempt(max(1, self.policy.attempts)),
            wait=self._wait,
            retry=retry_if_exception(_is_transient),
            reraise=True,
            before_sleep=lambda state: log.warning(
                "gitlab_retry", verb=verb, path=url, attempt=state.attempt_number,
                error=_short(state.outcome.exception()) if state.outcome else None,
            ),
            sleep=self._sleep or _default_sleep,
        )
        try:
            return retrying(attempt)
        except GitLabError:
            raise
        except _NotJson as exc:
            raise GitLabNotJson(not_json_message(f"{verb} {_api_path(url)}", exc.content_type, self.policy.attempts),
                                exc.content_type) from None
        except gitlab.GitlabError as exc:
            raise self._translate(exc, verb, url, project=project, write=write) from None
        except requests.RequestException as exc:
            raise GitLabError(
                f"could not reach GitLab at {self.gl.url} ({type(exc).__name__}) on {verb} {_api_path(url)} "
                f"after {self.policy.attempts} attempts"
            ) from None

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(self._local, "retry_after", None)
        if isinstance(exc, gitlab.GitlabHttpError) and exc.response_code == 429 and retry_after is not None:
            return float(min(retry_after, self.policy.max_wait))
        return min(self.policy.backoff_base * 2 ** (state.attempt_number - 1), self.policy.max_wait)

    def _remember_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """requests hook: keep the integer ``Retry-After`` of a 429 for :meth:`_wait`, and the
        content type of the latest answer for the message about a body that is not JSON."""
        self._local.content_type = response.headers.get("Content-Type")
        if response.status_code in (301, 302) and response.headers.get("Location"):
            self._local.redirect = response.headers["Location"]
        if response.status_code == 429:
            value = response.headers.get("Retry-After", "")
            self._local.retry_after = int(value) if value.strip().isdigit() else None

    def _translate(self, exc: gitlab.GitlabError, verb: str, url: str, *, project: str | int | None,
                   write: bool) -> GitLabError:
        code = getattr(exc, "response_code", None)
        body = _json_body(exc)
        reason = _reason(exc, body)
        where = f"{verb} {_api_path(url)}"
        if code == 401 or isinstance(exc, gitlab.GitlabAuthenticationError):
            if self.token_kind == "job":
                return GitLabAuthError(MSG_JOB_UNAUTHORIZED)
            looks_like_job = looks_like_job_token(getattr(self.gl, "private_token", None))
            return GitLabAuthError(MSG_TOKEN_IS_JOB_TOKEN if looks_like_job else MSG_UNAUTHORIZED)
        if code == 403:
            if self.token_kind == "job":
                return GitLabAuthError(MSG_JOB_WRITE if write else MSG_JOB_READ)
            if body.get("error") == "insufficient_scope":
                return GitLabAuthError(MSG_SCOPE_WRITE if write else MSG_SCOPE_READ)
            return GitLabAuthError(f"{TOKEN_VAR} needs at least the Developer role on {project or 'the project'}")
        if code == 404:
            return GitLabNotFound(
                f"GitLab answered 404 ({reason}) on {where}: check the project and MR IID, and that "
                f"{self.token_name} can see project {project}", reason, json_body=bool(body))
        if code == 400:
            return GitLabBadRequest(f"GitLab refused {where} (400): {reason}", reason)
        if code in TRANSIENT_STATUSES:
            return GitLabError(f"GitLab kept failing ({code}) on {where} after {self.policy.attempts} attempts")
        return GitLabError(f"GitLab answered {code} on {where}: {reason}")


def looks_like_job_token(token: str | None) -> bool:
    """True for a value shaped like a CI job token (``glcbt-…``), whatever variable holds it."""
    return bool(token) and str(token).strip().startswith(JOB_TOKEN_PREFIX)


def _parsed(result: Any) -> Any:
    """python-gitlab's parsed JSON; the raw response it hands back for another content type is
    an answer that is not JSON (an HTML page from a proxy)."""
    if isinstance(result, requests.Response):
        raise _NotJson(result.headers.get("Content-Type"))
    return result


def _default_sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, _NotJson):
        return True
    if isinstance(exc, gitlab.GitlabHttpError):
        return exc.response_code in TRANSIENT_STATUSES
    return isinstance(exc, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError))


def _json_body(exc: gitlab.GitlabError) -> dict[str, Any]:
    raw = getattr(exc, "response_body", None)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _reason(exc: gitlab.GitlabError, body: dict[str, Any]) -> str:
    message = body.get("message", body.get("error", getattr(exc, "error_message", "")))
    text = message if isinstance(message, str) else json.dumps(message)
    return " ".join(str(text).split())[:300]


def _short(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    code = getattr(exc, "response_code", None)
    return f"{type(exc).__name__}({code})" if code else type(exc).__name__


def _api_path(url: str) -> str:
    return url if url.startswith("/") else "/" + url.split("/api/v4/", 1)[-1]
