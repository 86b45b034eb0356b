"""Files for code context through GitLab's repository files API, when the job has no checkout.

A capped number of requests: what is not read within the cap is simply not in the context, and
call sites cannot be searched this way (the search API covers only the default branch), which
``limits()`` says for the summary.
"""

from __future__ import annotations

from reviewer.gitlab_mr.client import GitLabClient
from reviewer.gitlab_mr.source import optional_read

MAX_REQUESTS = 100
MAX_FILE_CHARS = 1_000_000


class ApiFiles:
    """A code-context reader over ``base_sha`` and ``head_sha`` of ``project``, through the API."""

    def __init__(self, client: GitLabClient, project: str | int, base_sha: str | None, head_sha: str, *,
                 max_requests: int = MAX_REQUESTS) -> None:
        self._client = client
        self._project = project
        self._shas = {"base": base_sha, "head": head_sha}
        self._left = max_requests
        self._cap = max_requests
        self._texts: dict[tuple[str, str], str | None] = {}
        self.refused = 0

    def head_text(self, path: str) -> str | None:
        """``path`` at the head commit; None when absent, too big, or past the request cap."""
        return self._text("head", path)

    def base_text(self, path: str) -> str | None:
        """``path`` at the base commit; None when absent, too big, or past the request cap."""
        return self._text("base", path)

    def search(self, word: str) -> list[str]:
        """Always empty: the API cannot search the head commit."""
        return []

    def limits(self) -> str:
        """What this reader could not give, for the summary's notices."""
        used = self._cap - self._left
        capped = f"; {self.refused} more were left out at the cap of {self._cap} requests" if self.refused else ""
        return ("Code context was read through the repository files API, since the job has no checkout of the "
                f"reviewed head ({used} file reads{capped}); call sites of changed functions were not searched.")

    def _text(self, side: str, path: str) -> str | None:
        key = (side, path)
        if key not in self._texts:
            sha = self._shas[side]
            if not sha:
                return None
            if self._left <= 0:
                self.refused += 1
                return None
            self._left -= 1
            text = optional_read(lambda: self._client.raw_file(self._project, path, sha), None, what=path)
            self._texts[key] = text if text is None or len(text) <= MAX_FILE_CHARS else None
        return self._texts[key]
