"""A local git repository → ``MergeRequest`` for ``base...head``, so a review needs no GitLab.

Only the ``git`` command line is used (through ``subprocess``). The diff is the merge-base
diff GitLab shows for a merge request; ``AGENTS.md`` files and the repo config are read at
the base ref (the target branch), so a change cannot rewrite its own review instructions.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from reviewer.codex.loader import is_rule_file, repo_rule_dir
from reviewer.diff import mark_not_for_review, parse_git_diff
from reviewer.errors import SourceError
from reviewer.log import get_logger
from reviewer.models import DiffRefs, FileDiff, MergeRequest
from reviewer.settings import CONFIG_FILE_NAME, parse_repo_config

__all__ = ["AGENTS_FILE", "agents_md_dirs", "load_local_mr"]

log = get_logger("local_source")

AGENTS_FILE = "AGENTS.md"
_DEFAULT_BRANCHES = ("main", "master", "origin/main", "origin/master")
# Settings that would change the shape of the diff text; the parser expects git's defaults.
_GIT_CONFIG = (
    "core.quotePath=true", "diff.noprefix=false", "diff.mnemonicPrefix=false", "diff.relative=false",
    "diff.suppressBlankEmpty=false", "diff.renames=true", "color.ui=never", "log.showSignature=false",
)
_DIFF_ARGS = (
    "diff", "--no-color", "--no-ext-diff", "--no-textconv", "-M", "--full-index", "--unified=3",
    "--inter-hunk-context=0", "--src-prefix=a/", "--dst-prefix=b/", "--submodule=short",
)
# Variables that would point git at another repository than the one we were given.
_REPO_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR")


def load_local_mr(
    repo: Path, base: str | None, head: str = "HEAD", config_path: str = CONFIG_FILE_NAME
) -> MergeRequest:
    """Build the ``MergeRequest`` for ``base...head`` in the repository at ``repo``.

    The repository's own Codex rules (``codex_rule_dirs`` in its config) are read at the base
    ref too. ``base`` None means the default branch: ``origin/HEAD`` if set, else ``main``, else
    ``master`` (then ``origin/main``, ``origin/master``). ``diff_refs`` are the merge base,
    the base ref's commit and the head commit. Raises ``SourceError`` with a one-line
    message saying what to fix when the path, a ref or the history is unusable, and
    ``ConfigError`` when the config file at the base ref is invalid.
    """
    git = _Git(Path(repo))
    git.check_repository()
    head_sha = git.commit_sha(head, "--head")
    base_ref = base if base else git.default_branch()
    start_sha = git.commit_sha(base_ref, "--base")
    base_sha = git.merge_base(start_sha, head_sha, base_ref, head)
    diff = git.text(*_DIFF_ARGS, f"{start_sha}...{head_sha}", "--")
    files = mark_not_for_review(parse_git_diff(diff))
    title, description = git.message(head_sha)
    wanted = [f"{folder}/{AGENTS_FILE}" if folder else AGENTS_FILE for folder in agents_md_dirs(files)]
    blobs = git.read_files(start_sha, [*wanted, config_path])
    agents_md = {
        folder: blobs[path]
        for folder, path in zip(agents_md_dirs(files), wanted, strict=True)
        if path in blobs
    }
    config = parse_repo_config(blobs.get(config_path), source=config_path)
    rule_paths = git.rule_paths(start_sha, [repo_rule_dir(d, config_path) for d in config.codex_rule_dirs])
    return MergeRequest(
        title=title,
        description=description,
        source_branch=git.branch_name(head),
        target_branch=base_ref,
        diff_refs=DiffRefs(base_sha=base_sha, start_sha=start_sha, head_sha=head_sha),
        files=files,
        agents_md=agents_md,
        repo_config_text=blobs.get(config_path),
        repo_rule_files=git.read_files(start_sha, rule_paths),
    )


def agents_md_dirs(files: Iterable[FileDiff]) -> list[str]:
    """Folders whose ``AGENTS.md`` may govern a changed path: the root (``''``) and every
    folder on the way to each old and new path, sorted."""
    folders = {""}
    for file in files:
        for path in {file.old_path, file.new_path}:
            parts = path.split("/")[:-1]
            folders.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return sorted(folders)


class _Git:
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
            raise SourceError(f"git {args[0]} failed in {self.repo}: {_first_line(result.stderr)}")
        return result.stdout.decode("utf-8", errors="replace")

    def check_repository(self) -> None:
        """Fail clearly when the path is missing or not a git work tree."""
        if not self.repo.exists():
            raise SourceError(f"repository path {self.repo} does not exist: pass --repo with the path of a git checkout")
        if not self.repo.is_dir():
            raise SourceError(f"repository path {self.repo} is not a folder: pass --repo with the path of a git checkout")
        result = self.run("rev-parse", "--git-dir")
        if result.returncode != 0:
            reason = _first_line(result.stderr)
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
        asked = [path for path in dict.fromkeys(paths) if "\n" not in path]
        if not asked:
            return {}
        request = "".join(f"{sha}:{path}\n" for path in asked).encode("utf-8")
        result = self.run("cat-file", "--batch", stdin=request)
        if result.returncode != 0:
            raise SourceError(f"git cat-file failed in {self.repo}: {_first_line(result.stderr)}")
        return _parse_batch(result.stdout, asked)


    def rule_paths(self, sha: str, folders: Sequence[str]) -> list[str]:
        """The rule files (``*.yaml``/``*.yml``) under each of ``folders`` at commit ``sha``."""
        found: list[str] = []
        for folder in dict.fromkeys(folders):
            listing = self.text("ls-tree", "-r", "-z", "--full-tree", "--name-only", sha, "--",
                                *([folder] if folder else []))
            prefix = f"{folder}/" if folder else ""
            paths = [p for p in listing.split("\0") if p.startswith(prefix)]
            if not paths:
                log.warning("codex_rule_dir_not_found", folder=folder or ".", ref=sha[:12])
            rules = [p for p in paths if is_rule_file(p)]
            if paths and not rules:
                log.warning("codex_rule_dir_has_no_rules", folder=folder or ".", ref=sha[:12])
            found.extend(rules)
        return found


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


def _first_line(stderr: bytes) -> str:
    """The first non-empty line of git's error output, without the ``fatal:`` prefix."""
    for line in stderr.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return "no error output"
