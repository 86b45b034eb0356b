"""Standalone simulator: `python -m tests.support.gitlab_sim --seed seed.json [--port 0]`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from .simulator import GitLabSimulator


def load_seed(path: Path) -> dict:
    """Read a JSON (or YAML, by extension) seed file."""
    text = path.read_text()
    if path.suffix in (".yml", ".yaml"):
        import yaml

        return yaml.safe_load(text) or {}
    return json.loads(text)


def apply_seed(sim: GitLabSimulator, seed: dict) -> None:
    """Create users, tokens, projects and MRs from a seed dict (format in README.md)."""
    for u in seed.get("users", []):
        sim.add_user(u["username"], role=u.get("role", "developer"), name=u.get("name"))
    for t in seed.get("tokens", []):
        sim.add_token(t["value"], t["username"], scopes=tuple(t.get("scopes", ["api"])), kind=t.get("kind", "personal"))
    projects = {}
    for p in seed.get("projects", []):
        settings = {k: p[k] for k in ("default_branch", "resolve_outdated_diff_discussions") if k in p}
        projects[p["path_with_namespace"]] = sim.create_project(p["path_with_namespace"], p["repo_dir"], **settings)
    for m in seed.get("merge_requests", []):
        mr = sim.create_mr(projects[m["project"]], m["source_branch"], m["target_branch"],
                           title=m.get("title", "MR"), description=m.get("description", ""),
                           author=m.get("author"), draft=m.get("draft", False))
        for path, flags in (m.get("file_flags") or {}).items():
            sim.mark_file(mr, path, **flags)


def main(argv: list[str] | None = None) -> int:
    """Start the simulator from a seed file, print its URL, serve until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.gitlab_sim")
    parser.add_argument("--seed", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--url-file", type=Path)
    args = parser.parse_args(argv)
    sim = GitLabSimulator(args.host, args.port)
    sim.start()
    apply_seed(sim, load_seed(args.seed))
    if args.url_file:
        args.url_file.write_text(sim.url + "\n")
    print(f"GITLAB_SIM_URL={sim.url}", flush=True)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
