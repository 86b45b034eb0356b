"""GitLab source and sink: the only package of ``reviewer`` that imports python-gitlab.

``connect`` → ``load_gitlab_mr`` → (the review) → ``publish``.
"""

from __future__ import annotations

from reviewer.gitlab_mr.client import GitLabClient, RetryPolicy
from reviewer.gitlab_mr.publish import PublishReport, publish
from reviewer.gitlab_mr.source import load_gitlab_mr
from reviewer.gitlab_mr.summary import SummaryInput

__all__ = ["GitLabClient", "PublishReport", "RetryPolicy", "SummaryInput", "connect", "load_gitlab_mr", "publish"]


def connect(url: str, token: str | None, job_token: str | None = None, *,
            policy: RetryPolicy | None = None) -> GitLabClient:
    """A retrying client for ``url``; ``token`` (REVIEWER_GITLAB_TOKEN) wins over ``job_token``."""
    return GitLabClient.connect(url, token, job_token, policy=policy)
