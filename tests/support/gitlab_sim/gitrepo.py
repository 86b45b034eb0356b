"""Thin wrapper over the `git` CLI for one project's working repository."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_HUNK0 = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class GitError(RuntimeError):
    """A git command failed (unknown ref, missing path, ...)."""


@dataclass(frozen=True)
class RawFileDiff:
    """One file of `git diff base head`: metadata plus the header-less hunk text."""

    old_path: str
    new_path: str
    a_mode: str
    b_mode: str
    new_file: bool
    renamed_file: bool
    deleted_file: bool
    diff: str


def _mode(raw: str) -> str:
    return "0" if set(raw) == {"0"} else raw


class GitRepo:
    """Read-only queries against a git repository on disk."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._cache: dict[tuple, object] = {}

    def run(self, *args: str, check: bool = True) -> str:
        """Run git with `args` in the repo and return stdout as text."""
        proc = subprocess.run(
            ["git", "-c", "core.quotepath=false", *args],
            cwd=self.path,
            capture_output=True,
            check=False,
        )
        if check and proc.returncode != 0:
            raise GitError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout.decode("utf-8", errors="replace")

    def run_bytes(self, *args: str) -> bytes | None:
        """Run git and return raw stdout, or None on failure."""
        proc = subprocess.run(["git", *args], cwd=self.path, capture_output=True, check=False)
        return proc.stdout if proc.returncode == 0 else None

    def rev_parse(self, ref: str) -> str:
        """Full SHA of a commit-ish."""
        return self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()

    def has_commit(self, sha: str) -> bool:
        """True if `sha` names a commit in this repository."""
        if not sha or not re.fullmatch(r"[0-9a-fA-F]{4,40}", sha):
            return False
        proc = subprocess.run(
            ["git", "cat-file", "-e", f"{sha}^{{commit}}"], cwd=self.path, capture_output=True
        )
        return proc.returncode == 0

    def merge_base(self, a: str, b: str) -> str:
        """The merge base of two commits."""
        return self.run("merge-base", a, b).strip()

    def diff_files(self, base: str, head: str) -> list[RawFileDiff]:
        """Per-file diffs of `base..head` with rename detection and full indexes."""
        key = ("diff", base, head)
        if key in self._cache:
            return self._cache[key]  # type: ignore[return-value]
        raw = self.run("diff", "--raw", "-z", "-M", "--full-index", "--no-color", base, head)
        entries = _parse_raw(raw)
        patch = self.run(
            "diff", "-M", "--full-index", "--no-color", "--no-ext-diff", "--src-prefix=a/",
            "--dst-prefix=b/", base, head,
        )
        chunks = _split_patch(patch)
        if len(chunks) != len(entries):
            raise GitError(f"diff chunk mismatch: {len(chunks)} patches, {len(entries)} entries")
        files = [
            RawFileDiff(**entry, diff=_hunks_only(chunk)) for entry, chunk in zip(entries, chunks)
        ]
        self._cache[key] = files
        return files

    def file_at(self, ref: str, path: str) -> bytes | None:
        """Content of `path` at `ref`, or None if absent."""
        return self.run_bytes("show", f"{ref}:{path}")

    def tree(self, ref: str, path: str = "", *, recursive: bool = False) -> list[dict] | None:
        """Entries under folder `path` at `ref` as the tree API lists them; None if no such folder.

        Recursive listings include the sub-folders (type `tree`) as well as the files.
        """
        if ref.startswith("-") or path.startswith("-"):
            return None
        if path and (self.run_bytes("cat-file", "-t", f"{ref}:{path}") or b"").strip() != b"tree":
            return None
        args = ["ls-tree", "-z", *(["-r", "-t"] if recursive else []), ref]
        out = self.run_bytes(*args, *([f"{path}/"] if path else []))
        if out is None:
            return None
        entries = []
        for record in out.decode("utf-8", errors="replace").split("\0"):
            if not record:
                continue
            meta, full = record.split("\t", 1)
            mode, kind, sha = meta.split(" ")
            if full == path:
                continue
            entries.append({"id": sha, "name": full.rsplit("/", 1)[-1], "type": kind, "path": full, "mode": mode})
        return entries

    def line_count(self, ref: str, path: str) -> int:
        """Number of lines of `path` at `ref` (0 if absent)."""
        data = self.file_at(ref, path)
        if not data:
            return 0
        return len(data.decode("utf-8", errors="replace").splitlines())

    def commits(self, base: str, head: str) -> list[dict]:
        """Commits in `base..head`, newest first, as dicts."""
        fmt = "%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%B%x1e"
        out = self.run("log", f"--format={fmt}", f"{base}..{head}")
        commits = []
        for rec in out.split("\x1e"):
            rec = rec.strip("\n")
            if not rec:
                continue
            sha, parents, an, ae, ad, cn, ce, cd, msg = rec.split("\x1f")
            commits.append(
                {
                    "id": sha, "short_id": sha[:8], "parent_ids": parents.split(),
                    "title": msg.splitlines()[0] if msg else "", "message": msg,
                    "author_name": an, "author_email": ae, "authored_date": ad,
                    "committer_name": cn, "committer_email": ce, "committed_date": cd,
                    "created_at": cd,
                }
            )
        return commits

    def line_map(self, a: str, b: str, old_path: str, new_path: str) -> list[tuple[int, int, int, int]]:
        """Zero-context hunks `(old_start, old_count, new_start, new_count)` of one file a→b."""
        if a == b and old_path == new_path:
            return []
        key = ("map", a, b, old_path, new_path)
        if key not in self._cache:
            out = self.run("diff", "-U0", "--no-color", "--no-ext-diff", f"{a}:{old_path}", f"{b}:{new_path}")
            hunks = []
            for line in out.splitlines():
                m = _HUNK0.match(line)
                if m:
                    os_, oc, ns, nc = m.groups()
                    hunks.append((int(os_), int(oc or 1), int(ns), int(nc or 1)))
            self._cache[key] = hunks
        return self._cache[key]  # type: ignore[return-value]


def map_line(hunks: list[tuple[int, int, int, int]], line: int) -> int | None:
    """Where an unchanged old line lands in the new file; None if the line was changed."""
    delta = 0
    for os_, oc, ns, nc in hunks:
        if oc == 0:
            if os_ < line:
                delta += nc
            continue
        if os_ <= line < os_ + oc:
            return None
        if os_ + oc - 1 < line:
            delta += nc - oc
    return line + delta


def _parse_raw(raw: str) -> list[dict]:
    parts = raw.split("\0")
    entries: list[dict] = []
    i = 0
    while i < len(parts) and parts[i].startswith(":"):
        meta = parts[i][1:].split(" ")
        a_mode, b_mode, status = meta[0], meta[1], meta[4]
        letter = status[0]
        if letter in "RC":
            old, new = parts[i + 1], parts[i + 2]
            i += 3
        else:
            old = new = parts[i + 1]
            i += 2
        entries.append(
            {
                "old_path": old, "new_path": new, "a_mode": _mode(a_mode), "b_mode": _mode(b_mode),
                "new_file": letter == "A", "deleted_file": letter == "D",
                "renamed_file": letter == "R",
            }
        )
    return entries


def _split_patch(patch: str) -> list[str]:
    chunks: list[str] = []
    for line in patch.splitlines(keepends=True):
        if line.startswith("diff --git "):
            chunks.append("")
        if chunks:
            chunks[-1] += line
    return chunks


def _hunks_only(chunk: str) -> str:
    lines = chunk.splitlines(keepends=True)
    for idx, line in enumerate(lines):
        if line.startswith("@@"):
            text = "".join(lines[idx:])
            return text if text.endswith("\n") else text + "\n"
    return ""
