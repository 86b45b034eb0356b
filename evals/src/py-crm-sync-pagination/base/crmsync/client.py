"""A small client for the CRM's REST API."""

from __future__ import annotations

import requests


class CrmClient:
    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def contacts(self, page: int = 1, per_page: int = 100) -> dict:
        """One page of contacts.

        Returns ``{"data": [...], "meta": {"page": 3, "total_pages": 7}}``. Pages are
        numbered from 1; ``total_pages`` is the number of the last page.
        """
        resp = self.session.get(
            f"{self.base_url}/v2/contacts",
            params={"page": page, "per_page": per_page},
            timeout=self.timeout,
        )
        resp.raise_for_status()
        return resp.json()
