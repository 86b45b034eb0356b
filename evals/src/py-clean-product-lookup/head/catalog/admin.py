"""Operator commands: `python -m catalog.admin <command>`."""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
from pathlib import Path

DUMP_TIMEOUT_S = 600


def backup(db_path: Path, dest_dir: Path) -> Path:
    """Write a SQL dump of the database to ``dest_dir`` and return its path."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    dest = dest_dir / f"catalog-{stamp}.sql"
    dest_dir.mkdir(parents=True, exist_ok=True)
    with dest.open("w", encoding="utf-8") as out:
        subprocess.run(
            ["sqlite3", str(db_path), ".dump"],
            stdout=out,
            check=True,
            timeout=DUMP_TIMEOUT_S,
        )
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="catalog.admin")
    sub = parser.add_subparsers(dest="command", required=True)
    backup_cmd = sub.add_parser("backup", help="dump the database to a timestamped .sql file")
    backup_cmd.add_argument("--db", type=Path, required=True)
    backup_cmd.add_argument("--to", type=Path, required=True, dest="dest_dir")
    args = parser.parse_args(argv)
    if args.command == "backup":
        print(backup(args.db, args.dest_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
