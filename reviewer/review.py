"""Glue: pick the source, run the review graph, hand the result to the sinks, decide the exit code."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.errors import ConfigError
from reviewer.log import get_logger
from reviewer.models import MergeRequest, ReviewResult
from reviewer.outcome import OpenFinding, review_outcome
from reviewer.settings import Environment, RepoConfig, Settings, parse_repo_config

if TYPE_CHECKING:
    from reviewer.context import SourceReader
    from reviewer.prompting.overrides import PromptOverrides
    from reviewer.gitlab_mr import GitLabClient

log = get_logger("review")


@dataclass
class ReviewRequest:
    """What the user asked for on the command line."""

    local: bool = False
    repo: Path = Path(".")
    base: str | None = None
    head: str = "HEAD"
    gitlab_url: str | None = None
    project: str | None = None
    mr_iid: int | None = None
    dry_run: bool = False
    output_format: str = "text"
    output: Path | None = None
    json_report: Path | None = None
    codequality_report: Path | None = None
    fail_on: str = "none"
    rule_dirs: list[Path] = field(default_factory=list)
    prompts_dirs: list[Path] = field(default_factory=list)  # --prompts-dir; the first one's templates win


def run(request: ReviewRequest, env: Environment | None = None) -> int:
    """Run one review end to end and return the process exit code (``env`` defaults to the process's)."""
    env = Environment.read() if env is None else env
    if request.local:
        mr = _load_local(request, env)
        settings = review_settings(env, mr, request)
        result = review_mr(mr, settings, reader=local_files(request, mr, settings))
        _write_reports(result, request)
        found = [OpenFinding(f.severity, f.path, f.line, f.rule_id) for f in result.all_findings()]
        return finish(result, found, request.fail_on, settings)
    return _run_gitlab(request, env)


def finish(result: ReviewResult, open_findings: list[OpenFinding], fail_on: str, settings: Settings) -> int:
    """Say on stderr what the exit status means, and return it (see ``reviewer.outcome``)."""
    outcome = review_outcome(result, open_findings, fail_on, model_configured=settings.model_configured,
                             policy=settings.on_agent_failure)
    for message in outcome.messages:
        print(f"reviewer: {message}", file=sys.stderr)
    return outcome.code


def review_mr(mr: MergeRequest, settings: Settings, *, unchanged: Collection[str] = (),
              reader: SourceReader | None = None) -> ReviewResult:
    """Run the review graph over ``mr``; files in ``unchanged`` are not sent to the model agents;
    ``reader`` gives the agents code context (None: the diff only)."""
    from reviewer.graph import run_graph

    result = asyncio.run(run_graph(mr, settings, unchanged=unchanged, reader=reader))
    limits = getattr(reader, "limits", None)
    if callable(limits) and result.agents and any(a.status != "skipped" for a in result.agents):
        result.notices.append(limits())
    if mr.diff_refs and result.head_sha is None:
        result.head_sha = mr.diff_refs.head_sha
    return result


def _wants_context(settings: Settings) -> bool:
    return settings.repo.context.enabled and settings.model_configured


def local_files(request: ReviewRequest, mr: MergeRequest, settings: Settings) -> SourceReader | None:
    """The local repository at the change's commits: code context, and the changed files' head
    texts for the Codex detectors and analyzers (read lazily, so always given)."""
    from reviewer.git_cli import Git
    from reviewer.repo_files import GitFiles

    if mr.diff_refs is None:
        return None
    return GitFiles(Git(request.repo), mr.diff_refs.base_sha, mr.diff_refs.head_sha)


def _gitlab_files(client: GitLabClient, mr: MergeRequest, settings: Settings) -> SourceReader | None:
    """The job's checkout when it holds the reviewed head, else the repository files API."""
    from reviewer.gitlab_mr.repo_files import ApiFiles
    from reviewer.repo_files import HeadWithBase, checkout_files

    if mr.diff_refs is None or mr.project is None:
        return None
    refs = mr.diff_refs
    checkout = checkout_files(settings.env.project_dir, refs.base_sha, refs.head_sha)
    if not _wants_context(settings):
        return checkout  # the Codex detectors and analyzers read head texts from a checkout only, never the API
    api = ApiFiles(client, mr.project, refs.base_sha, refs.head_sha)
    if checkout is None:
        return api
    return checkout if checkout.has_base else HeadWithBase(checkout, api)  # a shallow clone without the base


def _load_local(request: ReviewRequest, env: Environment) -> MergeRequest:
    from reviewer.local_source import load_local_mr

    if request.gitlab_url or request.mr_iid or request.dry_run:
        raise ConfigError("--local reviews a git repository; drop --gitlab-url/--mr/--dry-run or drop --local")
    return load_local_mr(request.repo, request.base, request.head, config_path=env.config_path)


def review_settings(env: Environment, mr: MergeRequest, request: ReviewRequest) -> Settings:
    """The run's settings; its prompt overrides checked (before any model call) and their warnings
    said on stderr."""
    from reviewer.prompting.check import check_overrides

    repo_config = parse_repo_config(mr.repo_config_text, source=env.config_path)
    overrides, warnings = _prompt_overrides(request, mr, repo_config, env.config_path)
    settings = Settings(env=env, repo=repo_config, extra_rule_dirs=list(request.rule_dirs),
                        prompt_overrides=overrides)
    warnings += check_overrides(mr, settings)
    for warning in warnings:
        print(f"reviewer: warning: {warning}", file=sys.stderr)
    return settings


def _prompt_overrides(request: ReviewRequest, mr: MergeRequest, repo_config: RepoConfig,
                      config_path: str) -> tuple[PromptOverrides, list[str]]:
    """The templates of ``--prompts-dir`` (first) and of the config's ``prompts_dir`` as read from
    the target branch (``mr.repo_prompt_files``), and warnings about folders without any."""
    from reviewer.prompting.overrides import PromptOverrides, from_repo_files, read_folder

    layers, warnings = [], []
    for folder in request.prompts_dirs:
        layers.append(read_folder(folder))
        if not layers[-1]:
            warnings.append(f"--prompts-dir {folder} holds no *.j2 template: nothing is overridden")
    if repo_config.prompts_dir:
        layers.append(from_repo_files(mr.repo_prompt_files, repo_config.prompts_dir))
        if not layers[-1]:
            where = f" at {mr.target_branch}" if mr.target_branch else ""
            warnings.append(f"{config_path}: prompts_dir {repo_config.prompts_dir} holds no *.j2 template on the "
                            f"target branch{where}: nothing is overridden")
    overrides = PromptOverrides.layered(*layers)
    if overrides:
        log.info("prompt_overrides", templates=[t.origin for t in overrides.templates])
    return overrides, warnings


def _run_gitlab(request: ReviewRequest, env: Environment) -> int:
    from reviewer.gitlab_mr import connect, load_gitlab_mr
    from reviewer.iteration import compute_increment, publish_iteration, with_earlier_findings

    url = request.gitlab_url or env.gitlab_url
    project = request.project or env.project
    iid = request.mr_iid or env.mr_iid
    if not (url and project and iid):
        raise ConfigError(
            "nothing to review: pass --local for a git repository, or --gitlab-url, --project and --mr "
            "(in a merge-request pipeline these come from CI_SERVER_URL, CI_MERGE_REQUEST_PROJECT_ID "
            "and CI_MERGE_REQUEST_IID)"
        )
    request.dry_run = request.dry_run or env.dry_run
    if not env.gitlab_token and not (request.dry_run and env.job_token):
        raise ConfigError(
            "REVIEWER_GITLAB_TOKEN is not set: create a project access token with the 'api' scope and the "
            "Developer role and store it as a masked CI/CD variable REVIEWER_GITLAB_TOKEN"
        )
    client = connect(url, env.gitlab_token, job_token=env.job_token)
    if not request.dry_run:
        client.require_write()  # a token that can never post fails now, before any model is paid for
    mr = load_gitlab_mr(client, project, iid, config_path=env.config_path)
    settings = review_settings(env, mr, request)
    if mr.draft and settings.repo.skip_drafts:
        print(f"reviewer: !{iid} is a draft and skip_drafts is on in {env.config_path}: not reviewed", file=sys.stderr)
        return 0
    increment = compute_increment(mr)
    result = review_mr(mr, settings, unchanged=increment.unchanged, reader=_gitlab_files(client, mr, settings))
    _write_reports(with_earlier_findings(result, mr, increment), request)
    report = publish_iteration(client, mr, result, settings, increment, dry_run=request.dry_run)
    if request.dry_run:
        machine_readable_stdout = request.output is None and request.output_format in ("json", "codequality")
        print(report.describe(), file=sys.stderr if machine_readable_stdout else sys.stdout)
    # Open findings decide, earlier ones on files not reviewed again included; dismissed ones do not.
    return finish(result, report.open_findings(), request.fail_on, settings)


def _write_reports(result: ReviewResult, request: ReviewRequest) -> None:
    from reviewer.output import render

    text = render(result, request.output_format)
    if request.output is None:
        sys.stdout.write(text)
    else:
        _write(request.output, text)
    if request.json_report:
        _write(request.json_report, render(result, "json"))
    if request.codequality_report:
        _write(request.codequality_report, render(result, "codequality"))


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from exc
    log.info("report written", path=str(path))
