"""Deliver one event to one subscriber."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import random
import time
from dataclasses import dataclass

import requests

log = logging.getLogger(__name__)

TIMEOUT = (3.05, 10)  # connect, read
MAX_ATTEMPTS = 5
BASE_DELAY_S = 0.5
MAX_DELAY_S = 30.0
RETRYABLE_STATUS = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Subscription:
    event: str
    url: str
    secret_env: str


class WebhookSender:
    def __init__(self, session: requests.Session | None = None, sleep=time.sleep) -> None:
        self.session = session or requests.Session()
        self.sleep = sleep

    def deliver(self, sub: Subscription, payload: dict) -> bool:
        """POST the event, retrying transient failures; True when the subscriber accepted it (2xx).

        Up to MAX_ATTEMPTS tries with exponential backoff and full jitter, honouring
        Retry-After; only connection errors, timeouts and RETRYABLE_STATUS are retried.
        """
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        headers = {"Content-Type": "application/json", "X-Signature-256": self._sign(sub, body)}
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                resp = self.session.post(
                    sub.url,
                    data=body,
                    headers=headers,
                    timeout=TIMEOUT,
                )
            except (requests.ConnectionError, requests.Timeout):
                log.warning("delivery of %s to %s failed (attempt %d)", sub.event, sub.url, attempt, exc_info=True)
                retry_after = None
            except requests.RequestException:
                log.warning("delivery of %s to %s failed", sub.event, sub.url, exc_info=True)
                return False
            else:
                if resp.status_code not in RETRYABLE_STATUS:
                    return resp.ok
                retry_after = _retry_after(resp)
                log.info("%s answered %d (attempt %d)", sub.url, resp.status_code, attempt)
            if attempt < MAX_ATTEMPTS:
                self.sleep(_delay(attempt, retry_after))
        log.error("giving up on %s to %s after %d attempts", sub.event, sub.url, MAX_ATTEMPTS)
        return False

    @staticmethod
    def _sign(sub: Subscription, body: bytes) -> str:
        secret = os.environ[sub.secret_env].encode()
        return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _delay(attempt: int, retry_after: float | None) -> float:
    """Seconds to wait before the next attempt: Retry-After if given, else capped full jitter."""
    if retry_after is not None:
        return min(retry_after, MAX_DELAY_S)
    return random.uniform(0, min(MAX_DELAY_S, BASE_DELAY_S * 2 ** (attempt - 1)))


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None
