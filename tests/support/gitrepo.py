"""Temporary git repositories for tests: write files, commit, branch, all through the ``git`` CLI.

Usage::

    repo = GitRepo.init(tmp_path / "repo")            # branch main, no commits yet
    repo.commit("Base", {"app.py": "x = 1\\n"})
    repo.branch("feature")                            # git checkout -b feature
    head = repo.commit("Change", {"app.py": "x = 2\\n", "old.py": None})   # None deletes

Author and committer come from the environment (``tests/conftest.py`` sets them); the
repository pins its own identity too so a bare ``git`` in a subprocess also works.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

__all__ = ["GitRepo"]


class GitRepo:
    """A git work tree at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def init(cls, root: Path, branch: str = "main") -> GitRepo:
        """Create ``root`` and an empty repository in it whose first branch is ``branch``."""
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        repo = cls(root)
        repo.git("init", "-q", "-b", branch)
        repo.git("config", "user.name", "Test Author")
        repo.git("config", "user.email", "author@example.test")
        repo.git("config", "commit.gpgsign", "false")
        return repo

    def git(self, *args: str) -> str:
        """Run ``git args`` in the repository; its stdout, stripped. Raises on failure."""
        result = subprocess.run(  # noqa: S603 - fixed executable, no shell
            ["git", "-C", str(self.root), *args], capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def write(self, path: str, text: str) -> Path:
        """Write ``text`` (UTF-8, newlines as given) to ``path`` inside the work tree."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")
        return target

    def commit(self, message: str, files: Mapping[str, str | None] | None = None) -> str:
        """Write ``files`` (None deletes a path), stage everything and commit; the new SHA."""
        for path, text in (files or {}).items():
            if text is None:
                (self.root / path).unlink()
            else:
                self.write(path, text)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.head()

    def branch(self, name: str) -> None:
        """Create branch ``name`` at the current commit and switch to it."""
        self.git("checkout", "-q", "-b", name)

    def checkout(self, ref: str) -> None:
        """Switch to an existing branch or commit."""
        self.git("checkout", "-q", ref)

    def head(self, ref: str = "HEAD") -> str:
        """The commit SHA ``ref`` names."""
        return self.git("rev-parse", ref)
