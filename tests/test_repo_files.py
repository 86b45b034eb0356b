"""Reading a change's two commits from a git repository for code context."""

from __future__ import annotations

from pathlib import Path

from reviewer import repo_files
from reviewer.git_cli import Git
from reviewer.repo_files import GitFiles, checkout_files
from tests.support.gitrepo import GitRepo


def _repo(tmp_path: Path) -> tuple[GitRepo, str, str]:
    repo = GitRepo.init(tmp_path / "repo")
    base = repo.commit("base", {"app/client.py": "def fetch(url):\n    return url\n", "README.md": "fetch docs\n"})
    head = repo.commit("head", {"app/client.py": "def fetch(url, timeout=5):\n    return url\n",
                                "app/use.py": "from app.client import fetch\n\nfetch('x')\n",
                                "app/refetch.py": "prefetch = 1\n"})
    repo.write("app/client.py", "work tree edits do not matter\n")
    return repo, base, head


def test_files_are_read_at_each_commit_not_from_the_work_tree(tmp_path):
    repo, base, head = _repo(tmp_path)
    files = GitFiles(Git(repo.root), base, head)
    assert files.head_text("app/client.py") == "def fetch(url, timeout=5):\n    return url\n"
    assert files.base_text("app/client.py") == "def fetch(url):\n    return url\n"
    assert files.base_text("app/use.py") is None and files.head_text("nowhere.py") is None


def test_search_finds_whole_words_at_the_head_commit(tmp_path):
    repo, base, head = _repo(tmp_path)
    found = GitFiles(Git(repo.root), base, head).search("fetch")
    assert sorted(found) == ["README.md", "app/client.py", "app/use.py"]  # not `prefetch`


def test_files_over_the_size_limit_are_never_read(tmp_path, monkeypatch):
    repo, base, head = _repo(tmp_path)
    monkeypatch.setattr(repo_files, "MAX_FILE_BYTES", 20)
    files = GitFiles(Git(repo.root), base, head)
    files.prefetch(["app/client.py", "README.md"])
    assert files.head_text("app/client.py") is None and files.head_text("README.md") == "fetch docs\n"


def test_a_checkout_is_used_only_when_it_holds_the_reviewed_head(tmp_path):
    repo, base, head = _repo(tmp_path)
    assert checkout_files(repo.root, base, head) is not None
    assert checkout_files(repo.root, base, "0" * 40) is None
    assert checkout_files(tmp_path / "missing", base, head) is None
    (tmp_path / "plain").mkdir()
    assert checkout_files(tmp_path / "plain", base, head) is None
    without_base = checkout_files(repo.root, "1" * 40, head)
    assert without_base is not None and without_base.base_text("app/client.py") is None


def test_a_checkout_without_the_base_takes_the_base_from_another_reader(tmp_path):
    from reviewer.repo_files import HeadWithBase

    repo, base, head = _repo(tmp_path)
    checkout = checkout_files(repo.root, "1" * 40, head)
    assert checkout is not None and not checkout.has_base

    class Api:
        def base_text(self, path):
            return f"base of {path}"

    mixed = HeadWithBase(checkout, Api())
    assert mixed.base_text("app/client.py") == "base of app/client.py"
    assert mixed.head_text("app/client.py") == "def fetch(url, timeout=5):\n    return url\n"
    assert "app/use.py" in mixed.search("fetch")
