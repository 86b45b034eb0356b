#!/usr/bin/env python3
"""Make a small git repository with one change to review: the quick start's first review.

    python examples/demo.py /tmp/reviewer-demo
    reviewer review --local --repo /tmp/reviewer-demo

``main`` holds a tiny service; the checked-out branch ``add-export`` adds an export function with
problems the reviewer's deterministic Codex checks catch without any model (unsafe YAML loading, a
request without a timeout, a bare ``except``, a mutable default argument). With ``REVIEWER_MODEL`` set,
the model agents review the same change. Standard library and git only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SERVICE = '''"""Order service: loads orders and totals them."""

import json


def load_orders(path):
    """Orders from a JSON file."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def total(orders):
    """The sum of every order's amount."""
    return sum(order["amount"] for order in orders)
'''

EXPORT = '''"""Export orders to the partner API, configured from a YAML file."""

import requests
import yaml

from shop.service import load_orders, total


def read_settings(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=yaml.Loader)


def export(path, settings_path, sent=[]):
    settings = read_settings(settings_path)
    orders = load_orders(path)
    try:
        response = requests.post(settings["url"], json={"orders": orders, "total": total(orders)})
        sent.append(response.status_code)
    except:
        pass
    return sent
'''


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True)


def make_demo(repo: Path) -> Path:
    """Create the demo repository at ``repo`` (which must not exist or be empty)."""
    if repo.exists() and any(repo.iterdir()):
        raise SystemExit(f"demo: {repo} exists and is not empty: name a new folder")
    (repo / "shop").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Reviewer Demo")
    git(repo, "config", "user.email", "demo@example.invalid")
    (repo / "README.md").write_text("# shop\n\nA demo service for the reviewer's quick start.\n")
    (repo / "shop" / "__init__.py").write_text("")
    (repo / "shop" / "service.py").write_text(SERVICE)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Order service")
    git(repo, "checkout", "-q", "-b", "add-export")
    (repo / "shop" / "export.py").write_text(EXPORT)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Export orders to the partner API")
    return repo


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python examples/demo.py NEW_FOLDER", file=sys.stderr)
        return 2
    repo = make_demo(Path(argv[0]))
    print(f"demo repository: {repo} (branch add-export, one commit ahead of main)")
    print(f"review it:       reviewer review --local --repo {repo}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
