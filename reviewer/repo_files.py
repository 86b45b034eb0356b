"""The files of a change's two commits in a git repository, read for code context.

A local review reads the repository it was given; a GitLab job reads its checkout
(``CI_PROJECT_DIR``) when that holds the reviewed head commit. Files are read by commit SHA, so
what the checkout's work tree holds does not matter. Files over ``MAX_FILE_BYTES`` are never
read; whole-word search at the head commit finds call sites.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from reviewer.git_cli import Git
from reviewer.log import get_logger

log = get_logger("repo_files")


class SourceReaderLike(Protocol):
    """What :class:`HeadWithBase` needs of the reader it takes the base from."""

    def base_text(self, path: str) -> str | None:
        """``path`` at the base commit, or None."""
        ...

MAX_FILE_BYTES = 1_000_000
MAX_SEARCH_HITS = 25  # candidate files per word: each is parsed to confirm a real call
MAX_TREE_BYTES = 64_000_000  # a head tree up to this size is read whole, once, and searched in memory
_WORD = re.compile(r"\w+")


class GitFiles:
    """A code-context reader over commits ``base_sha`` and ``head_sha`` of one repository."""

    def __init__(self, git: Git, base_sha: str | None, head_sha: str) -> None:
        self._git = git
        self._shas = {"base": base_sha, "head": head_sha}
        self._texts: dict[tuple[str, str], str | None] = {}
        self._paths: dict[str, frozenset[str]] = {}
        self._searches: dict[str, list[str]] = {}
        self._whole_head: bool | None = None  # None: not tried yet
        self._index: dict[str, list[str]] | None = None  # word → head paths containing it

    def prefetch(self, paths: Iterable[str]) -> None:
        """Read ``paths`` at both commits in two ``git cat-file`` calls each (instead of one per file)."""
        wanted = list(dict.fromkeys(paths))
        for side, sha in self._shas.items():
            todo = [p for p in wanted if (side, p) not in self._texts]
            if not sha or not todo:
                continue
            sizes = self._git.blob_sizes(sha, todo)
            small = [p for p in todo if sizes.get(p, MAX_FILE_BYTES + 1) <= MAX_FILE_BYTES]
            texts = self._git.read_files(sha, small) if small else {}
            for path in todo:
                self._texts[(side, path)] = texts.get(path)

    def head_text(self, path: str) -> str | None:
        """``path`` at the head commit; None when absent, not a file or over the size limit."""
        return self._text("head", path)

    def base_text(self, path: str) -> str | None:
        """``path`` at the base commit; None when absent (or the base commit is not here)."""
        return self._text("base", path)

    def search(self, word: str) -> list[str]:
        """Paths at the head commit that contain ``word`` as a whole word (remembered per word)."""
        if word not in self._searches:
            if self._load_head_tree() and _WORD.fullmatch(word):
                self._searches[word] = sorted(self._word_index().get(word, []))[:MAX_SEARCH_HITS]
            else:
                self._searches[word] = self._git.grep_files(self._shas["head"] or "", word, MAX_SEARCH_HITS)
        return self._searches[word]

    @property
    def has_base(self) -> bool:
        """True when the base commit is in this repository (a shallow clone may lack it)."""
        return bool(self._shas["base"])

    def _word_index(self) -> dict[str, list[str]]:
        """Every identifier-like word of the head tree → the paths that contain it (built once)."""
        if self._index is None:
            index: dict[str, list[str]] = {}
            for (side, path), text in self._texts.items():
                if side == "head" and text:
                    for word in set(_WORD.findall(text)):
                        index.setdefault(word, []).append(path)
            self._index = index
        return self._index

    def _load_head_tree(self) -> bool:
        """Read every file of the head commit (two git calls) when the tree is small enough."""
        if self._whole_head is None:
            sha = self._shas["head"]
            sizes = self._git.blob_sizes(sha, sorted(self._listing("head"))) if sha else {}
            small = [p for p, size in sizes.items() if size <= MAX_FILE_BYTES]
            self._whole_head = bool(sha) and sum(sizes[p] for p in small) <= MAX_TREE_BYTES
            if self._whole_head:
                texts = self._git.read_files(sha or "", [p for p in small if ("head", p) not in self._texts])
                for path in self._listing("head"):
                    self._texts.setdefault(("head", path), texts.get(path))
        return self._whole_head

    def _text(self, side: str, path: str) -> str | None:
        if (side, path) not in self._texts:
            if path not in self._listing(side):  # a probe for a module that is not there: no git call
                return None
            if side != "head" or not self._load_head_tree():
                self.prefetch([path])
        return self._texts.get((side, path))

    def _listing(self, side: str) -> frozenset[str]:
        """Every file path at one commit (one ``git ls-tree``, read on first use)."""
        if side not in self._paths:
            sha = self._shas[side]
            self._paths[side] = frozenset(self._git.file_paths(sha)) if sha else frozenset()
        return self._paths[side]


def checkout_files(folder: Path | str | None, base_sha: str | None, head_sha: str) -> GitFiles | None:
    """A reader over the git checkout at ``folder`` when it holds commit ``head_sha``; None when
    there is no such checkout (no folder, not a repository, a shallow clone without the head)."""
    if not folder or not Path(folder).is_dir():
        return None
    git = Git(Path(folder))
    if git.run("rev-parse", "--git-dir").returncode != 0 or not git.has_commit(head_sha):
        log.info("checkout_unusable", folder=str(folder), head=head_sha[:12])
        return None
    base = base_sha if base_sha and git.has_commit(base_sha) else None
    return GitFiles(git, base, head_sha)


class HeadWithBase:
    """The head (and search) from one reader, the base from another: a shallow CI checkout that
    holds the reviewed head but not the base, completed by the files API for the base."""

    def __init__(self, head: GitFiles, base: SourceReaderLike) -> None:
        self._head = head
        self._base = base

    def prefetch(self, paths: Iterable[str]) -> None:
        """Read ``paths`` at head in one go (the base is read on demand)."""
        self._head.prefetch(paths)

    def head_text(self, path: str) -> str | None:
        """``path`` at the head commit, from the checkout."""
        return self._head.head_text(path)

    def base_text(self, path: str) -> str | None:
        """``path`` at the base commit, from the other reader."""
        return self._base.base_text(path)

    def search(self, word: str) -> list[str]:
        """Whole-word search at head, in the checkout."""
        return self._head.search(word)
