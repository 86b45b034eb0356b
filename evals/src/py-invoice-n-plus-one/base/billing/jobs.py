"""Nightly billing jobs, run by cron as `billing-nightly`."""

from __future__ import annotations

import logging
import os

import psycopg

log = logging.getLogger(__name__)


def close_stale_carts(conn) -> int:
    cur = conn.execute("DELETE FROM carts WHERE updated_at < now() - interval '30 days'")
    return cur.rowcount


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    with psycopg.connect(os.environ["BILLING_DSN"]) as conn:
        closed = close_stale_carts(conn)
        log.info("closed %d stale carts", closed)
