"""Deliver one event to one subscriber."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

import requests

log = logging.getLogger(__name__)

TIMEOUT = (3.05, 10)  # connect, read


@dataclass(frozen=True)
class Subscription:
    event: str
    url: str
    secret_env: str


class WebhookSender:
    def __init__(self, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()

    def deliver(self, sub: Subscription, payload: dict) -> bool:
        """POST the event; True when the subscriber accepted it (2xx)."""
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        try:
            resp = self.session.post(
                sub.url,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=TIMEOUT,
            )
        except requests.RequestException:
            log.warning("delivery of %s to %s failed", sub.event, sub.url, exc_info=True)
            return False
        return resp.ok
