"""The `logship` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import requests

from logship.reader import batches, parse_since, read_records


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="logship")
    sub = parser.add_subparsers(dest="command", required=True)
    ship = sub.add_parser("ship", help="send log files to the collector")
    ship.add_argument("files", nargs="+", type=Path)
    ship.add_argument("--endpoint", default=os.environ.get("LOGSHIP_ENDPOINT"))
    ship.add_argument("--batch-size", type=int, default=500)
    ship.add_argument("--since", type=parse_since, default=None)
    ship.add_argument("--dry-run", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.endpoint and not args.dry_run:
        print("logship: --endpoint or LOGSHIP_ENDPOINT is required", file=sys.stderr)
        return 2
    for batch in batches(read_records(args.files, since=args.since), args.batch_size):
        if args.dry_run:
            print(json.dumps(batch))
            continue
        resp = requests.post(args.endpoint, json=batch, timeout=30)
        resp.raise_for_status()
    return 0
