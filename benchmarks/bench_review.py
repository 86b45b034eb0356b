"""Benchmark: review a synthetic change of 1,000 files / 50,000 changed lines (not a timed test).

Builds the change in a temporary git repository (``main`` → ``change``), serves a scripted
OpenAI-compatible model on loopback (zero latency unless ``--latency``), runs the local review
through the real pipeline and prints wall time, peak memory, and model calls and prompt
tokens per agent.

    /work/venv/bin/python benchmarks/bench_review.py                 # the issue's figures
    /work/venv/bin/python benchmarks/bench_review.py --latency 2     # concurrency: wall ≈ slowest agent
    /work/venv/bin/python benchmarks/bench_review.py --files 100 --lines 5000 --keep /tmp/bench-repo
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.support.scripted_model

# A spread of languages and folders, so agents with file scopes each get their share.
_KINDS = (
    ("src/app/mod{i}.py", "    value_{n} = compute(value_{p}, {n})  # step {n}", "def handler_{i}(value_0):"),
    ("web/src/comp{i}.ts", "  const value{n} = compute(value{p}, {n}); // step {n}", "export function handler{i}(value0) {{"),
    ("svc/pkg/file{i}.go", "\tvalue{n} := compute(value{p}, {n}) // step {n}", "func Handler{i}(value0 int) {{"),
    ("docs/page{i}.md", "Line {n} of the page explains step {n} after step {p}.", "# Page {i}"),
)
_BASE_LINES = 80


@dataclass
class Change:
    """Where the synthetic change lives and how big it is."""

    repo: Path
    base: str
    head: str
    files: int
    changed_lines: int


def build_change(repo: Path, files: int = 1000, lines: int = 50_000) -> Change:
    """A git repository whose ``change`` branch modifies ``files`` files by ``lines`` changed lines.

    Every file replaces ``lines / files / 2`` lines (one removed + one added each), spread
    through an ``_BASE_LINES``-line file so hunks have context, as real edits do.
    """
    per_file = max(1, lines // files // 2)
    if per_file * 3 > _BASE_LINES * 2:
        raise SystemExit(f"--lines {lines} is too many for {files} files of {_BASE_LINES} lines")
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, "init", "-q", "-b", "main")
    paths = [_KINDS[i % len(_KINDS)][0].format(i=i) for i in range(files)]
    for i, path in enumerate(paths):
        _write(repo / path, _file_text(i, changed=set()))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "change")
    step = max(1, (_BASE_LINES - 1) // per_file)
    changed = {1 + k * step for k in range(per_file)}
    for i, path in enumerate(paths):
        _write(repo / path, _file_text(i, changed))
    _git(repo, "commit", "-q", "-am", "change")
    return Change(repo=repo, base="main", head="change", files=files, changed_lines=2 * per_file * files)


def _file_text(i: int, changed: set[int]) -> str:
    template, line, header = _KINDS[i % len(_KINDS)]
    body = []
    for n in range(1, _BASE_LINES):
        text = line.format(n=n, p=n - 1)
        body.append(text.replace("step", "revised step") if n in changed else text)
    return "\n".join([header.format(i=i), *body]) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.test",
        "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.test",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True)


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(change: Change, latency: float) -> int:
    """Review ``change`` against a scripted model and print the figures."""
    from tests.support.scripted_model import ScriptedModel, json_reply, slow_reply

    from reviewer.local_source import load_local_mr
    from reviewer.review import review_mr
    from reviewer.settings import Environment, Settings, parse_repo_config

    rss_before = _peak_rss_mb()
    with ScriptedModel() as server:
        if latency:
            server.default(slow_reply(latency, json_reply({"findings": []})))
        env = Environment.read({
            "REVIEWER_MODEL": "openai/bench", "REVIEWER_API_BASE": server.base_url, "REVIEWER_API_KEY": "bench",
        })
        started = time.perf_counter()
        mr = load_local_mr(change.repo, change.base, change.head)
        loaded = time.perf_counter()
        result = review_mr(mr, Settings(env=env, repo=parse_repo_config(mr.repo_config_text)))
        finished = time.perf_counter()
        calls = server.calls

    print(f"change: {change.files} files, {change.changed_lines} changed lines; tier {result.risk.tier.value}")
    print(f"wall: {finished - started:.2f}s (source {loaded - started:.2f}s, review {finished - loaded:.2f}s)")
    print(f"peak RSS: {_peak_rss_mb():.0f} MB (before the review {rss_before:.0f} MB)")
    print(f"model calls: {calls}; model latency {latency:g}s")
    print(f"{'agent':<14}{'status':<9}{'calls':>6}{'prompt tok':>12}{'compl tok':>11}{'seconds':>9}")
    for a in result.agents:
        print(f"{a.name:<14}{a.status:<9}{a.calls:>6}{a.prompt_tokens:>12,}{a.completion_tokens:>11,}{a.seconds:>9.2f}")
    if result.agents and latency:
        slowest = max(a.seconds for a in result.agents)
        print(f"concurrency: review {finished - loaded:.2f}s vs slowest agent {slowest:.2f}s "
              f"vs sum {sum(a.seconds for a in result.agents):.2f}s")
    print(f"not reviewed: {len(result.not_reviewed)} files; findings: {len(result.all_findings())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse flags, build the change, review it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=50_000, help="changed lines (added + removed)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the scripted model waits per call")
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    parser.add_argument("--verbose", action="store_true", help="keep the reviewer's info logs")
    args = parser.parse_args(argv)
    if not args.verbose:
        import structlog

        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="reviewer-bench-"))
    try:
        started = time.perf_counter()
        change = build_change(workdir, args.files, args.lines)
        print(f"built repository in {time.perf_counter() - started:.2f}s: {change.repo}")
        return run(change, args.latency)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
