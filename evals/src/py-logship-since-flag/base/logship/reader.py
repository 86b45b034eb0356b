"""Reading log files into records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


def read_records(paths: list[Path]) -> Iterator[dict]:
    """Every JSON record of the files, in order; blank lines are skipped."""
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


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
