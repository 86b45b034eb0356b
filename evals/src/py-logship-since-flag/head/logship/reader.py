"""Reading log files into records."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path


def parse_since(value: str) -> dt.datetime:
    """Parse the ``--since`` value into an aware UTC datetime.

    Accepts an ISO 8601 timestamp (``2024-05-01T12:00:00+02:00``; a date alone means
    midnight UTC) or a relative age such as ``90m``, ``12h`` or ``7d``.
    """
    return _utc(dt.datetime.fromisoformat(value))


def _utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def read_records(paths: list[Path], since: dt.datetime | None = None) -> Iterator[dict]:
    """Every JSON record of the files, in order; blank lines are skipped.

    With ``since``, records whose ``ts`` field is older are skipped too.
    """
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                record = json.loads(line)
                if since is not None and _utc(dt.datetime.fromisoformat(record["ts"])) < since:
                    continue
                yield record


def batches(records: Iterator[dict], size: int) -> Iterator[list[dict]]:
    """The records in lists of at most ``size``."""
    batch: list[dict] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
