"""A local git repository → ``MergeRequest`` for ``base...head``, so a review needs no GitLab.

Only the ``git`` command line is used (through ``reviewer.git_cli``). The diff is the merge-base
diff GitLab shows for a merge request; ``AGENTS.md`` files, the repo config and the templates of
its ``prompts_dir`` are read at the base ref (the target branch), so a change cannot rewrite its
own review instructions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from reviewer.codex.loader import is_rule_file, repo_rule_dir
from reviewer.diff import mark_not_for_review, parse_git_diff
from reviewer.git_cli import Git
from reviewer.log import get_logger
from reviewer.models import DiffRefs, FileDiff, MergeRequest
from reviewer.prompting.overrides import is_template_path
from reviewer.settings import CONFIG_FILE_NAME, parse_repo_config

__all__ = ["AGENTS_FILE", "agents_md_dirs", "load_local_mr", "load_local_prompts"]

log = get_logger("local_source")

AGENTS_FILE = "AGENTS.md"
_DIFF_ARGS = (
    "diff", "--no-color", "--no-ext-diff", "--no-textconv", "-M", "--full-index", "--unified=3",
    "--inter-hunk-context=0", "--src-prefix=a/", "--dst-prefix=b/", "--submodule=short",
)
def load_local_mr(
    repo: Path, base: str | None, head: str = "HEAD", config_path: str = CONFIG_FILE_NAME
) -> MergeRequest:
    """Build the ``MergeRequest`` for ``base...head`` in the repository at ``repo``.

    The repository's own Codex rules (``codex_rule_dirs`` in its config) and prompt templates
    (``prompts_dir``) are read at the base ref too. ``base`` None means the default branch:
    ``origin/HEAD`` if set, else ``main``, else ``master`` (then ``origin/main``,
    ``origin/master``). ``diff_refs`` are the merge base, the base ref's commit and the head commit. Raises ``SourceError`` with a one-line
    message saying what to fix when the path, a ref or the history is unusable, and
    ``ConfigError`` when the config file at the base ref is invalid.
    """
    git = Git(Path(repo))
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
    rule_paths = _rule_paths(git, start_sha, [repo_rule_dir(d, config_path) for d in config.codex_rule_dirs])
    prompt_paths = _prompt_paths(git, start_sha, config.prompts_dir)
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
        repo_prompt_files=git.read_files(start_sha, prompt_paths) if prompt_paths else {},
    )


def load_local_prompts(repo: Path, base: str | None = None,
                       config_path: str = CONFIG_FILE_NAME) -> tuple[str | None, dict[str, str], str]:
    """The config's ``prompts_dir`` and its templates (repository path → text) at ``base`` (None:
    the default branch, as for ``load_local_mr``), and the base ref used: the same files a local
    review of a change against ``base`` uses."""
    git = Git(Path(repo))
    git.check_repository()
    base_ref = base if base else git.default_branch()
    sha = git.commit_sha(base_ref, "--base")
    config = parse_repo_config(git.read_files(sha, [config_path]).get(config_path), source=config_path)
    paths = _prompt_paths(git, sha, config.prompts_dir)
    return config.prompts_dir, git.read_files(sha, paths) if paths else {}, base_ref


def agents_md_dirs(files: Iterable[FileDiff]) -> list[str]:
    """Folders whose ``AGENTS.md`` may govern a changed path: the root (``''``) and every
    folder on the way to each old and new path, sorted."""
    folders = {""}
    for file in files:
        for path in {file.old_path, file.new_path}:
            parts = path.split("/")[:-1]
            folders.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return sorted(folders)


def _rule_paths(git: Git, sha: str, folders: Sequence[str]) -> list[str]:
    """The rule files (``*.yaml``/``*.yml``) under each of ``folders`` at commit ``sha``."""
    found: list[str] = []
    for folder in dict.fromkeys(folders):
        paths = _tree_paths(git, sha, folder)
        if not paths:
            log.warning("codex_rule_dir_not_found", folder=folder or ".", ref=sha[:12])
        rules = [p for p in paths if is_rule_file(p)]
        if paths and not rules:
            log.warning("codex_rule_dir_has_no_rules", folder=folder or ".", ref=sha[:12])
        found.extend(rules)
    return found


def _prompt_paths(git: Git, sha: str, folder: str | None) -> list[str]:
    """The prompt templates (``*.j2``) under ``folder`` (the config's ``prompts_dir``) at commit ``sha``."""
    return [p for p in _tree_paths(git, sha, folder) if is_template_path(p)] if folder else []


def _tree_paths(git: Git, sha: str, folder: str) -> list[str]:
    """Every file path under ``folder`` (``''``: the whole tree) at commit ``sha``."""
    listing = git.text("ls-tree", "-r", "-z", "--full-tree", "--name-only", sha, "--", *([folder] if folder else []))
    prefix = f"{folder}/" if folder else ""
    return [p for p in listing.split("\0") if p and p.startswith(prefix)]
