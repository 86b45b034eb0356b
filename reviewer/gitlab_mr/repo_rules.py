"""The reviewed repository's own Codex rules (``codex_rule_dirs`` in its config) and prompt
templates (``prompts_dir``), read from GitLab.

They are read at the same target-branch commit as the config file, so a merge request cannot
change the rules or the prompts it is reviewed against.
"""

from __future__ import annotations

from reviewer.codex.loader import is_rule_file, repo_rule_dir
from reviewer.gitlab_mr.client import GitLabClient
from reviewer.log import get_logger
from reviewer.prompting.overrides import is_template_path
from reviewer.settings import parse_repo_config

__all__ = ["load_repo_prompts", "load_repo_rules"]

log = get_logger("gitlab.source")


def load_repo_rules(client: GitLabClient, project: str | int, config_text: str | None, config_path: str,
                    ref: str) -> dict[str, str]:
    """The rule files (``*.yaml``/``*.yml``) under the config's ``codex_rule_dirs`` at ``ref``, by path.

    A folder GitLab does not have is skipped with a warning naming it.

    Raises:
        ConfigError: the config text is invalid, or a folder is outside the repository.
    """
    config = parse_repo_config(config_text, source=config_path)
    found: dict[str, str] = {}
    for folder in dict.fromkeys(repo_rule_dir(d, config_path) for d in config.codex_rule_dirs):
        entries = client.list_tree(project, folder, ref)
        if not entries:  # None: 404 "Tree Not Found"; []: what GitLab before late 2023 answered
            log.warning("codex_rule_dir_not_found", folder=folder or ".", ref=ref[:12])
            continue
        paths = sorted(str(e["path"]) for e in entries
                       if e.get("type") == "blob" and is_rule_file(str(e.get("path") or "")))
        if not paths:
            log.warning("codex_rule_dir_has_no_rules", folder=folder or ".", ref=ref[:12])
        for path in paths:
            text = client.raw_file(project, path, ref)
            if text is not None:
                found[path] = text
    return found


def load_repo_prompts(client: GitLabClient, project: str | int, config_text: str | None, config_path: str,
                      ref: str) -> dict[str, str]:
    """The prompt templates (``*.j2``) under the config's ``prompts_dir`` at ``ref``, by path; {} when
    the config sets none or GitLab has no such folder (the review says so on stderr).

    Raises:
        ConfigError: the config text is invalid.
    """
    folder = parse_repo_config(config_text, source=config_path).prompts_dir
    if not folder:
        return {}
    entries = client.list_tree(project, folder, ref) or []
    paths = sorted(str(e["path"]) for e in entries
                   if e.get("type") == "blob" and is_template_path(str(e.get("path") or "")))
    found: dict[str, str] = {}
    for path in paths:
        text = client.raw_file(project, path, ref)
        if text is not None:
            found[path] = text
    return found
