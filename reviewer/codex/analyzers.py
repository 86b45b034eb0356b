"""Maintained analyzers that implement Codex rules: ruff (Python) and shellcheck (shell scripts).

A rule names the analyzer and the codes that mean it (``analyzer: {tool: ruff, codes: [S506]}``).
Each analyzer runs once per review, over the changed files some such rule covers, written at
their repository paths into a temporary folder (their full head text only: never a fragment
rebuilt from the diff), with only the mapped codes selected and the repository's own analyzer
configuration ignored. A result is kept when it touches an added line (see
``reviewer.codex.tree.reported_line``) and becomes a finding of every rule that maps its code
and covers the path.

An analyzer that is not installed, runs past ``TIMEOUT_SECONDS`` or fails is a notice in the
review, never a failed review; the rules it would have checked keep their detectors.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from reviewer.codex.languages import language_of
from reviewer.codex.schema import ANALYZER_TOOLS, Rule
from reviewer.log import get_logger

__all__ = [
    "TIMEOUT_SECONDS", "AnalyzerHit", "AnalyzerRun", "analyzer_codes", "reads", "run_tool", "tool_available",
    "tool_command",
]

log = get_logger("codex")

TIMEOUT_SECONDS = 60.0
"""How long one analyzer run may take before it is stopped (and said in the notices)."""
_SUFFIX = {"ruff": ".py", "shellcheck": ".sh"}


@dataclass(frozen=True)
class AnalyzerHit:
    """One result of an analyzer: where, which code, what it said. Lines are 1-based."""

    tool: str
    code: str
    path: str
    line: int
    end_line: int
    message: str
    name: str = ""


@dataclass
class AnalyzerRun:
    """The outcome of one analyzer over some files: its hits, or why it gave none."""

    tool: str
    paths: list[str]
    hits: list[AnalyzerHit] = field(default_factory=list)
    problem: str | None = None
    """None when it ran; else ``missing``, ``timeout`` or a short failure description."""

    @property
    def ran(self) -> bool:
        """True when the analyzer ran to completion."""
        return self.problem is None


def tool_command(tool: str) -> list[str] | None:
    """The command that starts ``tool``, or None when it is not installed.

    ruff comes with the package (its binary beside this interpreter, else on ``PATH``);
    shellcheck is a system package found on ``PATH``.
    """
    if tool == "ruff":
        try:
            from ruff.__main__ import find_ruff_bin

            return [os.fsdecode(find_ruff_bin())]
        except (ImportError, FileNotFoundError):
            found = shutil.which("ruff")
            return [found] if found else None
    found = shutil.which(tool)
    return [found] if found else None


def tool_available(tool: str) -> bool:
    """True when ``tool`` can be run."""
    return tool_command(tool) is not None


def run_tool(tool: str, texts: Mapping[str, str], codes: Iterable[str],
             timeout: float = TIMEOUT_SECONDS) -> AnalyzerRun:
    """Run ``tool`` once over ``texts`` (repository path → full text), selecting ``codes``."""
    wanted = sorted(set(codes))
    paths = [p for p in texts if _safe(p)]
    run = AnalyzerRun(tool, paths)
    if not paths or not wanted:
        return run
    command = tool_command(tool)
    if command is None:
        run.problem = "missing"
        return run
    with tempfile.TemporaryDirectory(prefix=f"reviewer-{tool}-") as folder:
        root = Path(folder)
        for path in paths:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(texts[path], encoding="utf-8", errors="surrogateescape")
        args = _ruff_args(wanted) if tool == "ruff" else _shellcheck_args(wanted)
        try:
            done = subprocess.run(  # noqa: S603 - a fixed analyzer binary, no shell
                [*command, *args, "--", *paths], cwd=root, capture_output=True, text=True,
                timeout=timeout, check=False, env=_environment(),
            )
        except subprocess.TimeoutExpired:
            run.problem = "timeout"
            return run
        except OSError as exc:
            run.problem = f"could not start ({exc.__class__.__name__})"
            return run
    try:
        run.hits = _ruff_hits(done, set(paths)) if tool == "ruff" else _shellcheck_hits(done, set(paths))
    except _Failed as exc:
        run.problem = str(exc)
    if run.problem:
        log.warning("analyzer_failed", tool=tool, problem=run.problem)
    return run


class _Failed(Exception):
    """The analyzer ran but its output says it failed."""


def _safe(path: str) -> bool:
    parts = PurePosixPath(path.replace("\\", "/")).parts
    return bool(parts) and not path.startswith(("/", "\\")) and ".." not in parts and ":" not in path


def _environment() -> dict[str, str]:
    """The analyzer's environment: the process's, without its configuration overrides."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("RUFF_", "SHELLCHECK_OPTS"))}


def _ruff_args(codes: Sequence[str]) -> list[str]:
    return ["check", "--isolated", "--no-cache", "--exit-zero", "--output-format", "json", "--quiet",
            "--select", ",".join(codes)]


def _shellcheck_args(codes: Sequence[str]) -> list[str]:
    return ["--format=json1", "--norc", "--severity=style", f"--include={','.join(codes)}"]


def _stderr(done: subprocess.CompletedProcess[str]) -> str:
    first = next((line for line in (done.stderr or "").splitlines() if line.strip()), "")
    return f"exit {done.returncode}" + (f": {first[:200]}" if first else "")


def _ruff_hits(done: subprocess.CompletedProcess[str], paths: set[str]) -> list[AnalyzerHit]:
    if done.returncode != 0:
        raise _Failed(_stderr(done))
    try:
        items = json.loads(done.stdout or "[]")
    except json.JSONDecodeError as exc:
        raise _Failed("unreadable output") from exc
    hits = []
    for item in items:
        path = _relative(item.get("filename", ""), paths)
        code = item.get("code") or ""
        location, end = item.get("location") or {}, item.get("end_location") or {}
        if path is None or not code or code == "invalid-syntax" or not location.get("row"):
            continue
        line = int(location["row"])
        hits.append(AnalyzerHit("ruff", code, path, line, max(line, int(end.get("row") or line)),
                                item.get("message", ""), item.get("name", "")))
    return hits


def _shellcheck_hits(done: subprocess.CompletedProcess[str], paths: set[str]) -> list[AnalyzerHit]:
    if done.returncode not in (0, 1):
        raise _Failed(_stderr(done))
    try:
        comments = json.loads(done.stdout or "{}").get("comments", [])
    except (json.JSONDecodeError, AttributeError) as exc:
        raise _Failed("unreadable output") from exc
    hits = []
    for item in comments:
        path = _relative(item.get("file", ""), paths)
        if path is None or not item.get("line"):
            continue
        line = int(item["line"])
        hits.append(AnalyzerHit("shellcheck", f"SC{item.get('code')}", path, line,
                                max(line, int(item.get("endLine") or line)), item.get("message", "")))
    return hits


def _relative(reported: str, paths: set[str]) -> str | None:
    """The repository path of a file name as an analyzer printed it (relative or absolute)."""
    name = reported.replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    if name in paths:
        return name
    return next((p for p in paths if name.endswith("/" + p)), None)


def analyzer_codes(rules: Iterable[Rule], tool: str) -> dict[str, list[Rule]]:
    """Each code of ``tool`` → the rules that map it."""
    found: dict[str, list[Rule]] = {}
    for rule in rules:
        for analyzer in rule.analyzer:
            if analyzer.tool == tool:
                for code in analyzer.codes:
                    found.setdefault(code, []).append(rule)
    return found


def reads(tool: str, path: str) -> bool:
    """True when ``tool`` reads files like ``path`` (by language)."""
    return language_of(path) == ANALYZER_TOOLS[tool]
