"""What can go wrong talking to GitLab: the exceptions and the one-line messages users see.

Messages name the variable to fix and never contain a token value.
"""

from __future__ import annotations

import re

from reviewer.errors import ConfigError, GitLabError

__all__ = [
    "JOB_TOKEN_VAR", "MSG_JOB_READ", "MSG_JOB_UNAUTHORIZED", "MSG_JOB_WRITE", "MSG_SCOPE_READ", "MSG_SCOPE_WRITE",
    "MSG_TOKEN_IS_JOB_TOKEN", "MSG_UNAUTHORIZED", "TOKEN_VAR", "GitLabBadRequest", "GitLabNotFound",
    "GitLabNotJson", "GitLabRedirect", "MergeRequestNotFound", "NotGitLabError", "not_json_message",
]

TOKEN_VAR = "REVIEWER_GITLAB_TOKEN"
JOB_TOKEN_VAR = "CI_JOB_TOKEN"
MSG_UNAUTHORIZED = f"GitLab rejected the token in {TOKEN_VAR} (401): check it is valid and not expired"
MSG_JOB_UNAUTHORIZED = (
    f"GitLab rejected {JOB_TOKEN_VAR} (401): a job token is valid only while its job runs and only for "
    f"some endpoints; set a masked CI/CD variable {TOKEN_VAR} holding a project access token with the api scope"
)
MSG_SCOPE_WRITE = f"{TOKEN_VAR} needs the 'api' scope to post comments (it has read-only access)"
MSG_SCOPE_READ = f"{TOKEN_VAR} needs the 'read_api' or 'api' scope to read the merge request"
MSG_JOB_WRITE = (
    f"{JOB_TOKEN_VAR} cannot post comments: set a masked CI/CD variable {TOKEN_VAR} holding a "
    "project access token with the api scope and the Developer role"
)
MSG_JOB_READ = (
    f"{JOB_TOKEN_VAR} cannot read the merge request's diffs and discussions: set a masked CI/CD "
    f"variable {TOKEN_VAR} holding a project access token with the api scope and the Developer role"
)
MSG_TOKEN_IS_JOB_TOKEN = (
    f"{TOKEN_VAR} holds a CI job token (the value of {JOB_TOKEN_VAR}), which cannot read a merge request's discussions "
    f"or post comments: set {TOKEN_VAR} to a project access token with the api scope and the Developer role"
)
_NOT_JSON_HINT = "a proxy in front of GitLab may be answering"
_SAFE_CONTENT_TYPE = re.compile(r"[^\w.+/-]")


def not_json_message(where: str, content_type: str | None, attempts: int) -> str:
    """The line for a 2xx answer whose body is not JSON, e.g. ``GitLab sent text/html instead of
    JSON on GET /projects/1/merge_requests/1/discussions (4 attempts); a proxy …``."""
    kind = _SAFE_CONTENT_TYPE.sub("", (content_type or "").split(";", 1)[0].strip().lower())[:60]
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    if kind.endswith("json"):
        return f"GitLab sent a broken or truncated JSON body on {where} ({tries}); {_NOT_JSON_HINT}"
    sent = kind or "a body without a content type"
    return f"GitLab sent {sent} instead of JSON on {where} ({tries}); {_NOT_JSON_HINT}"


class GitLabBadRequest(GitLabError):
    """GitLab answered 400; ``message`` is its reason (e.g. naming ``line_code``)."""

    def __init__(self, text: str, message: str) -> None:
        super().__init__(text)
        self.message = message


class GitLabNotFound(GitLabError):
    """GitLab answered 404: the project, MR or file is not there (or the token cannot see it)."""

    def __init__(self, text: str, reason: str = "", *, json_body: bool = True) -> None:
        super().__init__(text)
        self.reason = reason
        self.json_body = json_body  # GitLab's API always answers JSON; a web page means "not GitLab"


class GitLabNotJson(GitLabError):
    """GitLab (or something in front of it) kept answering 2xx with a body that is not JSON."""

    def __init__(self, text: str, content_type: str | None) -> None:
        super().__init__(text)
        self.content_type = content_type


class MergeRequestNotFound(GitLabNotFound, ConfigError):
    """The project or merge request named by the flags or CI variables does not exist (exit 2)."""


class GitLabRedirect(GitLabError, ConfigError):
    """The URL redirects API calls elsewhere (e.g. http → https): writes would fail, so stop early."""


class NotGitLabError(GitLabError, ConfigError):
    """The URL answered, but not like a GitLab REST API."""
