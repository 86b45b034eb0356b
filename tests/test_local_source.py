"""load_local_mr on temporary git repositories built in each test."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from reviewer.diff import position_for
from reviewer.errors import ConfigError, SourceError
from reviewer.local_source import agents_md_dirs, load_local_mr, load_local_prompts
from reviewer.models import FileDiff


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def write(repo: Path, path: str, text: str | bytes) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8", newline="")


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: AGENTS.md files, config, code; branch feature: edits, a rename, a non-ASCII file."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "AGENTS.md", "root rules\n")
    write(root, "src/AGENTS.md", "src rules\n")
    write(root, "src/app/AGENTS.md", "app rules\n")
    write(root, "docs/AGENTS.md", "docs rules (no change under docs)\n")
    write(root, ".reviewer.yml", "ignore: ['*.snap']\n")
    write(root, "src/app/main.py", "".join(f"line {n}\n" for n in range(1, 31)))
    write(root, "src/old_name.py", "".join(f"keep {n}\n" for n in range(1, 21)))
    write(root, "bin/tool", "#!/bin/sh\necho hi\n")
    commit(root, "Initial")
    git(root, "checkout", "-q", "-b", "feature")
    lines = [f"line {n}\n" for n in range(1, 31)]
    lines[9] = "line ten\n"
    lines.insert(20, "inserted\n")
    write(root, "src/app/main.py", "".join(lines))
    git(root, "mv", "src/old_name.py", "src/new_name.py")
    write(root, "src/new_name.py", "".join(f"keep {n}\n" for n in range(1, 21)) + "more\n")
    write(root, "src/café/crème.py", "print('bonjour')\n")
    write(root, "src/app/AGENTS.md", "changed by the MR itself\n")
    write(root, "package-lock.json", '{"lockfileVersion": 3}\n')
    (root / "bin/tool").chmod(0o755)
    commit(root, "Add the greeting\n\nLonger description.\nSecond line.")
    return root


def by_path(files: list[FileDiff]) -> dict[str, FileDiff]:
    return {f.path: f for f in files}


def test_loads_the_branch_against_main(repo):
    mr = load_local_mr(repo, "main")
    main_sha = git(repo, "rev-parse", "main")
    head_sha = git(repo, "rev-parse", "HEAD")
    assert mr.diff_refs is not None
    assert (mr.diff_refs.base_sha, mr.diff_refs.start_sha, mr.diff_refs.head_sha) == (main_sha, main_sha, head_sha)
    assert (mr.title, mr.description) == ("Add the greeting", "Longer description.\nSecond line.")
    assert (mr.source_branch, mr.target_branch) == ("feature", "main")
    files = by_path(mr.files)
    assert set(files) == {
        "src/app/main.py", "src/new_name.py", "src/café/crème.py", "src/app/AGENTS.md", "package-lock.json", "bin/tool",
    }
    main = files["src/app/main.py"]
    assert [(ln.kind, ln.old_line, ln.new_line, ln.content) for ln in main.iter_lines() if ln.kind != "context"] == [
        ("removed", 10, None, "line 10"), ("added", None, 10, "line ten"), ("added", None, 21, "inserted"),
    ]
    renamed = files["src/new_name.py"]
    assert (renamed.renamed_file, renamed.old_path, renamed.added) == (True, "src/old_name.py", 1)
    accented = files["src/café/crème.py"]
    assert accented.new_file and accented.added == 1
    sha = hashlib.sha1("src/café/crème.py".encode()).hexdigest()
    assert position_for(accented, 1)["line_code"] == f"{sha}_0_1"
    assert files["package-lock.json"].skip_reason == "lock file"
    assert files["bin/tool"].skip_reason == "mode change only"
    assert (files["bin/tool"].a_mode, files["bin/tool"].b_mode) == ("100644", "100755")


def test_agents_md_and_config_come_from_the_base_ref(repo):
    mr = load_local_mr(repo, "main")
    assert mr.agents_md == {"": "root rules\n", "src": "src rules\n", "src/app": "app rules\n"}
    assert mr.repo_config_text == "ignore: ['*.snap']\n"



def test_config_path_names_the_file_read_at_the_base_ref(repo):
    assert load_local_mr(repo, "main", config_path="ci/reviewer.yml").repo_config_text is None
    git(repo, "checkout", "-q", "main")
    write(repo, "ci/reviewer.yml", "max_inline_comments: 3\n")
    commit(repo, "Config elsewhere")
    git(repo, "checkout", "-q", "feature")
    assert load_local_mr(repo, "main", config_path="ci/reviewer.yml").repo_config_text == "max_inline_comments: 3\n"

def test_merge_base_semantics_when_the_base_moved_on(repo):
    fork_point = git(repo, "rev-parse", "main")
    git(repo, "checkout", "-q", "main")
    write(repo, "later.txt", "only on main\n")
    write(repo, ".reviewer.yml", "ignore: []\n")
    later = commit(repo, "Main moves on")
    git(repo, "checkout", "-q", "feature")
    mr = load_local_mr(repo, "main")
    assert mr.diff_refs.base_sha == fork_point
    assert mr.diff_refs.start_sha == later
    assert "later.txt" not in by_path(mr.files)
    assert mr.repo_config_text == "ignore: []\n"


def test_default_branch_prefers_origin_head(repo, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True, capture_output=True)
    # The clone's origin/HEAD points at the source repo's checked-out branch: feature.
    git(clone, "checkout", "-q", "-b", "topic", "origin/main")
    write(clone, "topic.txt", "t\n")
    commit(clone, "Topic")
    git(clone, "remote", "set-head", "origin", "main")
    mr = load_local_mr(clone, None)
    assert mr.target_branch == "origin/main"
    assert [f.path for f in mr.files] == ["topic.txt"]


def test_default_branch_falls_back_to_main_then_master(repo, tmp_path):
    mr = load_local_mr(repo, None)
    assert mr.target_branch == "main"
    git(repo, "branch", "-q", "-m", "main", "master")
    assert load_local_mr(repo, None).target_branch == "master"
    git(repo, "branch", "-q", "-m", "master", "trunk")
    with pytest.raises(SourceError, match="pass --base REF"):
        load_local_mr(repo, None)


def test_explicit_head_and_detached_head(repo):
    feature_sha = git(repo, "rev-parse", "feature")
    git(repo, "checkout", "-q", "--detach", "main")
    mr = load_local_mr(repo, "main", head="feature")
    assert mr.source_branch == "feature" and mr.diff_refs.head_sha == feature_sha
    detached = load_local_mr(repo, "main", head=feature_sha)
    assert detached.source_branch == "" and len(detached.files) == len(mr.files)
    assert load_local_mr(repo, "main").files == []  # HEAD is main itself


def test_paths_with_spaces_quotes_and_non_ascii_renames(tmp_path):
    root = tmp_path / "odd"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "notes/naïve file.md", "".join(f"para {n}\n" for n in range(10)))
    write(root, 'say "hi".txt', "hi\n")
    commit(root, "Base")
    git(root, "checkout", "-q", "-b", "feat")
    git(root, "mv", "notes/naïve file.md", "notes/日本 語.md")
    write(root, 'say "hi".txt', "hi\nthere\n")
    write(root, "crlf.txt", b"one\r\ntwo\r\n")
    commit(root, "Rename")
    files = by_path(load_local_mr(root, "main").files)
    renamed = files["notes/日本 語.md"]
    assert (renamed.old_path, renamed.renamed_file, renamed.hunks) == ("notes/naïve file.md", True, [])
    assert renamed.skip_reason == "renamed without changes"
    assert files['say "hi".txt'].added == 1
    assert [ln.content for ln in files["crlf.txt"].iter_lines()] == ["one", "two"]


def test_user_git_config_does_not_change_the_diff_shape(repo, tmp_path, monkeypatch):
    config = tmp_path / "user.gitconfig"
    config.write_text(
        "[diff]\n\tnoprefix = true\n\trenames = copies\n\texternal = false\n\tmnemonicPrefix = true\n\tcontext = 10\n\tsuppressBlankEmpty = true\n"
        "[core]\n\tquotePath = false\n[color]\n\tui = always\n\tdiff = always\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    files = by_path(load_local_mr(repo, "main").files)
    assert "src/café/crème.py" in files
    main = files["src/app/main.py"]
    assert main.hunks[0].old_start == 7  # three lines of context, not ten


@pytest.mark.parametrize(
    ("make_path", "base", "head", "message"),
    [
        (lambda tmp: tmp / "missing", "main", "HEAD", "does not exist"),
        (lambda tmp: tmp, "main", "HEAD", "is not a git repository"),
        (None, "nope", "HEAD", "unknown git ref 'nope'.*--base"),
        (None, "main", "no-such-head", "unknown git ref 'no-such-head'.*--head"),
        (None, "--output=/tmp/x", "HEAD", "invalid git ref"),
    ],
)
def test_errors_say_what_to_fix(repo, tmp_path, make_path, base, head, message):
    path = make_path(tmp_path / "elsewhere") if make_path else repo
    if make_path:
        (tmp_path / "elsewhere").mkdir()
    with pytest.raises(SourceError, match=message) as info:
        load_local_mr(path, base, head)
    assert "\n" not in str(info.value)


def test_a_file_path_is_not_a_repository(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(SourceError, match="not a folder"):
        load_local_mr(target, "main")


def test_unrelated_histories_have_no_merge_base(repo):
    git(repo, "checkout", "-q", "--orphan", "island")
    write(repo, "island.txt", "alone\n")
    commit(repo, "Island")
    with pytest.raises(SourceError, match="no common ancestor"):
        load_local_mr(repo, "main")


def test_agents_md_dirs():
    files = [
        FileDiff(old_path="a/b/c.py", new_path="x/y.py", renamed_file=True),
        FileDiff(old_path="top.txt", new_path="top.txt"),
    ]
    assert agents_md_dirs(files) == ["", "a", "a/b", "x"]


def test_submodule_pointer_and_non_utf8_content(tmp_path):
    root = tmp_path / "sub"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "latin1.txt", "plain\n")
    first = commit(root, "Base")
    git(root, "checkout", "-q", "-b", "feat")
    write(root, "latin1.txt", "plain\ncaf\xe9\n".encode("latin-1"))
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{first},libs/dep")
    git(root, "add", "latin1.txt")
    git(root, "commit", "-q", "-m", "Pin dep")
    files = by_path(load_local_mr(root, "main").files)
    assert files["libs/dep"].skip_reason == "submodule"
    assert [ln.content for ln in files["libs/dep"].iter_lines()] == [f"Subproject commit {first}"]
    assert [ln.content for ln in files["latin1.txt"].iter_lines() if ln.kind == "added"] == ["caf\ufffd"]


def test_repo_codex_rules_are_read_at_the_base_ref(repo):
    git(repo, "checkout", "-q", "main")
    write(repo, ".reviewer.yml", "codex_rule_dirs: ['./.codex/', 'missing']\n")
    write(repo, ".codex/REPO-001.yaml", "id: REPO-001  # main\n")
    write(repo, ".codex/team/REPO-002.yml", "id: REPO-002\n")
    write(repo, ".codex/README.md", "not a rule\n")
    write(repo, ".codexfoo/REPO-009.yaml", "id: REPO-009  # a sibling folder, not listed\n")
    commit(repo, "Team rules")
    git(repo, "checkout", "-q", "feature")
    write(repo, ".reviewer.yml", "codex_rule_dirs: ['.codex', 'feature-rules']\n")
    write(repo, ".codex/REPO-001.yaml", "id: REPO-001  # rewritten by the MR\n")
    write(repo, ".codex/REPO-003.yaml", "id: REPO-003  # added by the MR\n")
    write(repo, "feature-rules/REPO-004.yaml", "id: REPO-004\n")
    commit(repo, "The MR tries to change its own rules")
    with capture_logs() as logs:
        mr = load_local_mr(repo, "main")
    assert mr.repo_rule_files == {
        ".codex/REPO-001.yaml": "id: REPO-001  # main\n",
        ".codex/team/REPO-002.yml": "id: REPO-002\n",
    }
    assert [(e["event"], e["folder"]) for e in logs if e["log_level"] == "warning"] == [
        ("codex_rule_dir_not_found", "missing")]


def test_no_rule_dirs_reads_no_rules_and_a_bad_config_is_a_config_error(repo):
    assert load_local_mr(repo, "main").repo_rule_files == {}
    git(repo, "checkout", "-q", "main")
    write(repo, ".reviewer.yml", "codex_rule_dirs: '.codex'\n")
    commit(repo, "Broken config")
    with pytest.raises(ConfigError, match=r"^\.reviewer\.yml: bad value for 'codex_rule_dirs'"):
        load_local_mr(repo, "main")
    write(repo, ".reviewer.yml", "codex_rule_dirs: ['../outside']\n")
    commit(repo, "Escaping folder")
    with pytest.raises(ConfigError, match="must be a folder inside the repository"):
        load_local_mr(repo, "main")


def test_repo_prompt_templates_are_read_at_the_base_ref(repo):
    git(repo, "checkout", "-q", "main")
    write(repo, ".reviewer.yml", "prompts_dir: ./.reviewer/prompts/\n")
    write(repo, ".reviewer/prompts/_role.j2", "main role\n")
    write(repo, ".reviewer/prompts/partials/extra.j2", "main extra\n")
    write(repo, ".reviewer/prompts/README.md", "not a template\n")
    write(repo, ".reviewer/promptsX/shared.md.j2", "a sibling folder, not read\n")
    commit(repo, "Prompt overrides")
    git(repo, "checkout", "-q", "feature")
    write(repo, ".reviewer/prompts/_role.j2", "rewritten by the MR\n")
    write(repo, ".reviewer/prompts/security.md.j2", "added by the MR\n")
    commit(repo, "The MR tries to change its own prompts")
    write(repo, ".reviewer/prompts/_role.j2", "uncommitted in the work tree\n")
    mr = load_local_mr(repo, "main")
    assert mr.repo_prompt_files == {".reviewer/prompts/_role.j2": "main role\n",
                                    ".reviewer/prompts/partials/extra.j2": "main extra\n"}
    assert load_local_prompts(repo, "main") == (".reviewer/prompts", mr.repo_prompt_files, "main")
    assert load_local_prompts(repo)[2] == "main"  # the default branch, as for a review


def test_no_prompts_dir_reads_no_templates(repo):
    assert load_local_mr(repo, "main").repo_prompt_files == {}
    assert load_local_prompts(repo, "main") == (None, {}, "main")
