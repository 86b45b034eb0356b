"""The ``git`` command line, run in one repository (the only place the reviewer runs git)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from reviewer.errors import SourceError

__all__ = ["Git", "first_line"]

_DEFAULT_BRANCHES = ("main", "master", "origin/main", "origin/master")
# Settings that would change the shape of the diff text; the parser expects git's defaults.
_GIT_CONFIG = (
    "core.quotePath=true", "diff.noprefix=false", "diff.mnemonicPrefix=false", "diff.relative=false",
    "diff.suppressBlankEmpty=false", "diff.renames=true", "color.ui=never", "log.showSignature=false",
)
# Variables that would point git at another repository than the one we were given.
_REPO_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR")


class Git:
    """The ``git`` command line, run in one repository."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.env = {key: value for key, value in os.environ.items() if key not in _REPO_ENV}
        self.env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat"})

    def run(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """Run git with ``args``; the result whatever the exit code."""
        command = ["git", "-C", str(self.repo)]
        for setting in _GIT_CONFIG:
            command += ["-c", setting]
        try:
            return subprocess.run(  # noqa: S603 - fixed executable, no shell
                [*command, *args], input=stdin, capture_output=True, env=self.env, check=False,
            )
        except FileNotFoundError as exc:
            raise SourceError("git is not installed or not on PATH: install git to review a local repository") from exc

    def text(self, *args: str) -> str:
        """Stdout of a git command that must succeed, decoded as UTF-8."""
        result = self.run(*args)
        if result.returncode != 0:
            raise SourceError(f"git {args[0]} failed in {self.repo}: {first_line(result.stderr)}")
        return result.stdout.decode("utf-8", errors="replace")

    def check_repository(self) -> None:
        """Fail clearly when the path is missing or not a git work tree."""
        if not self.repo.exists():
            raise SourceError(f"repository path {self.repo} does not exist: pass --repo with the path of a git checkout")
        if not self.repo.is_dir():
            raise SourceError(f"repository path {self.repo} is not a folder: pass --repo with the path of a git checkout")
        result = self.run("rev-parse", "--git-dir")
        if result.returncode != 0:
            reason = first_line(result.stderr)
            if "dubious ownership" in reason:
                raise SourceError(
                    f"git refuses {self.repo} (dubious ownership): run "
                    f"`git config --global --add safe.directory {self.repo}`"
                )
            raise SourceError(f"{self.repo} is not a git repository ({reason}): pass --repo with the path of a git checkout")

    def commit_sha(self, ref: str, flag: str) -> str:
        """The commit ``ref`` names, or a ``SourceError`` naming the flag to fix."""
        if not ref or ref.startswith("-"):
            raise SourceError(f"invalid git ref {ref!r}: pass a branch, tag or commit to {flag}")
        result = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        sha = result.stdout.decode("ascii", errors="replace").strip()
        if result.returncode != 0 or not sha:
            raise SourceError(f"unknown git ref {ref!r} in {self.repo}: pass an existing branch, tag or commit to {flag}")
        return sha

    def default_branch(self) -> str:
        """``origin/HEAD``'s branch, else the first of main/master/origin/main/origin/master."""
        result = self.run("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.decode("utf-8", errors="replace").strip()
        for name in _DEFAULT_BRANCHES:
            if self.run("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}").returncode == 0:
                return name
        raise SourceError(
            f"cannot find the default branch in {self.repo} (no origin/HEAD, main or master): pass --base REF"
        )

    def merge_base(self, start_sha: str, head_sha: str, base_ref: str, head_ref: str) -> str:
        """The merge base of the two commits, or a ``SourceError`` explaining its absence."""
        result = self.run("merge-base", start_sha, head_sha)
        sha = result.stdout.decode("ascii", errors="replace").strip()
        if result.returncode != 0 or not sha:
            shallow = self.run("rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
            hint = "fetch more history (git fetch --unshallow)" if shallow else "pass a --base that shares history with --head"
            raise SourceError(f"{base_ref!r} and {head_ref!r} have no common ancestor in {self.repo}: {hint}")
        return sha

    def message(self, sha: str) -> tuple[str, str]:
        """Title (first line) and description (the rest) of a commit message."""
        text = self.text("log", "-1", "--no-color", "--format=%B", sha).strip("\n")
        title, _, rest = text.partition("\n")
        return title.strip(), rest.strip()

    def branch_name(self, head: str) -> str:
        """The branch ``head`` names (``HEAD`` → the checked-out branch), else ``''``."""
        if head == "HEAD":
            result = self.run("symbolic-ref", "--quiet", "--short", "HEAD")
            return result.stdout.decode("utf-8", errors="replace").strip() if result.returncode == 0 else ""
        if self.run("rev-parse", "--verify", "--quiet", f"refs/heads/{head}").returncode == 0:
            return head
        return ""

    def read_files(self, sha: str, paths: Sequence[str]) -> dict[str, str]:
        """Contents of those ``paths`` that are files at commit ``sha`` (one ``cat-file``)."""
        asked, result = self._cat_file("--batch", sha, paths)
        if result is None:
            return {}
        if result.returncode != 0:
            raise SourceError(f"git cat-file failed in {self.repo}: {first_line(result.stderr)}")
        return _parse_batch(result.stdout, asked)

    def blob_sizes(self, sha: str, paths: Sequence[str]) -> dict[str, int]:
        """Size in bytes of those ``paths`` that are files at commit ``sha`` (one ``cat-file``)."""
        asked, result = self._cat_file("--batch-check", sha, paths)
        if result is None or result.returncode != 0:
            return {}
        sizes: dict[str, int] = {}
        for path, line in zip(asked, result.stdout.splitlines(), strict=False):
            parts = line.split(b" ")
            if len(parts) == 3 and parts[1] == b"blob":
                sizes[path] = int(parts[2])
        return sizes

    def _cat_file(self, mode: str, sha: str, paths: Sequence[str]
                  ) -> tuple[list[str], subprocess.CompletedProcess[bytes] | None]:
        """One ``git cat-file <mode>`` for ``sha:path`` of each path (None when none is askable)."""
        asked = [path for path in dict.fromkeys(paths) if "\n" not in path]
        if not asked:
            return asked, None
        request = "".join(f"{sha}:{path}\n" for path in asked).encode("utf-8")
        return asked, self.run("cat-file", mode, stdin=request)

    def file_paths(self, sha: str) -> list[str]:
        """Every file path at commit ``sha`` ([] when git cannot list it)."""
        result = self.run("ls-tree", "-r", "-z", "--full-tree", "--name-only", sha)
        if result.returncode != 0:
            return []
        return [p for p in result.stdout.decode("utf-8", errors="replace").split("\0") if p]

    def has_commit(self, sha: str) -> bool:
        """True when commit ``sha`` is in this repository (a shallow clone may lack it)."""
        return bool(sha) and self.run("cat-file", "-e", f"{sha}^{{commit}}").returncode == 0

    def grep_files(self, sha: str, word: str, limit: int) -> list[str]:
        """Paths at commit ``sha`` whose text contains ``word`` as a whole word (fixed string),
        at most ``limit``; [] when git cannot search."""
        if not word or "\n" in word:
            return []
        result = self.run("grep", "-l", "-z", "-w", "-F", "-I", "--no-color", "-e", word, sha, "--")
        if result.returncode not in (0, 1):
            return []
        prefix = f"{sha}:"
        paths = [p.removeprefix(prefix) for p in result.stdout.decode("utf-8", errors="replace").split("\0") if p]
        return paths[:limit]


def _parse_batch(output: bytes, paths: Sequence[str]) -> dict[str, str]:
    """Read ``git cat-file --batch`` output: one header (and body) per requested path."""
    found: dict[str, str] = {}
    offset = 0
    for path in paths:
        end = output.index(b"\n", offset)
        header = output[offset:end].split(b" ")
        offset = end + 1
        if len(header) == 3 and header[1] in (b"blob", b"tree", b"commit", b"tag"):
            size = int(header[2])
            body = output[offset:offset + size]
            offset += size + 1
            if header[1] == b"blob":
                found[path] = body.decode("utf-8", errors="replace")
    return found


def first_line(stderr: bytes) -> str:
    """The first non-empty line of git's error output, without the ``fatal:`` prefix."""
    for line in stderr.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return "no error output"
