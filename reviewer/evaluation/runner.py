"""Run the reviewer over evaluation cases and score what it reports.

Each case is reviewed exactly as ``reviewer review --local --repo … --base … --head …`` would
review it (the same source, settings, prompt overrides, code context and graph), from a
temporary clone when its repository is a git bundle. Every finding the review reports counts,
detector findings included. With ``record``/``replay`` the model exchanges of each case go
through its cassettes (``reviewer.evaluation.cassettes``).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.errors import ConfigError, ReviewerError
from reviewer.evaluation.cases import Case
from reviewer.evaluation.cassettes import REPLAY_API_BASE, CaseCassettes, load_models, save_models
from reviewer.evaluation.matching import DEFAULT_TOLERANCE, Judge, match_findings, reported_findings
from reviewer.evaluation.metrics import CaseOutcome, EvalResult, Usage, score
from reviewer.log import get_logger
from reviewer.settings import Environment

log = get_logger("evaluation")


@dataclass
class EvalOptions:
    """How to run and score the cases."""

    tolerance: int = DEFAULT_TOLERANCE
    cross_category: bool = False
    prompts_dirs: tuple[Path, ...] = ()  # override folders, the first one's templates win
    rule_dirs: list[Path] = field(default_factory=list)
    record: Path | None = None
    replay: Path | None = None
    judge: Judge | None = None


def run_eval(cases: Sequence[Case], env: Environment, options: EvalOptions,
             progress: Callable[[str], None] = lambda _line: None) -> EvalResult:
    """Review every case in turn and score the lot; a case that cannot run is listed as failed."""
    if options.record is not None and options.replay is not None:
        raise ConfigError("--record and --replay exclude each other")
    if options.replay is not None:
        env = replay_environment(env, options.replay)
    elif options.record is not None:
        save_models(options.record, {"default": env.model, **env.alias_models})
    outcomes = []
    for case in cases:
        outcome = run_case(case, env, options)
        progress(f"{case.name}: " + (outcome.error if outcome.error else
                                     f"{outcome.tp} found, {outcome.fp} extra, {outcome.fn} missed"))
        outcomes.append(outcome)
    return score(outcomes, tolerance=options.tolerance, cross_category=options.cross_category)


def replay_environment(env: Environment, folder: Path) -> Environment:
    """``env`` with the recording's model names and an endpoint no request can reach."""
    models = load_models(folder)
    return env.model_copy(update={
        "model": models.get("default"),
        "alias_models": {k: v for k, v in models.items() if k != "default" and v},
        "api_base": REPLAY_API_BASE, "api_key": "replay", "max_retries": 0,
    })


def run_case(case: Case, env: Environment, options: EvalOptions) -> CaseOutcome:
    """Review one case and match its findings. A configuration error (a prompt override that does
    not render, a bad ``.reviewer.yml`` in the case) stops the evaluation; any other failure
    becomes a failed outcome."""
    from reviewer import llm

    started = time.monotonic()
    cassettes = None
    try:
        if options.record is not None:
            cassettes = CaseCassettes(options.record / case.name, "record")
        elif options.replay is not None:
            cassettes = CaseCassettes(options.replay / case.name, "replay")
        scope = llm.exchanges_within(cassettes) if cassettes is not None else nullcontext()
        with checkout(case) as repo, scope:  # the judge model's calls go through the cassettes too
            result = _review(case, repo, env, options)
            matched = match_findings(case.expected, reported_findings(result.to_public()),
                                     tolerance=options.tolerance, cross_category=options.cross_category,
                                     judge=options.judge)
    except ConfigError as exc:  # a broken override, config or case: the evaluation stops (exit 2)
        raise ConfigError(f"case {case.name}: {exc}") from None
    except ReviewerError as exc:
        return CaseOutcome.failed(case.name, str(exc), expected=len(case.expected),
                                  usage=Usage(seconds=time.monotonic() - started))
    usage = Usage.from_agents(result.agents, seconds=time.monotonic() - started)
    if cassettes is not None and cassettes.unmatched:
        return CaseOutcome.failed(case.name, "needs recording: the prompts changed since the recording "
                                  f"(no recorded answer for {', '.join(cassettes.unmatched)})",
                                  expected=len(case.expected), usage=usage)
    failed = [a for a in result.agents if a.status == "failed"]
    if failed and len(failed) == len([a for a in result.agents if a.status != "skipped"]):
        causes = "; ".join(dict.fromkeys(c for a in failed for c in (a.causes or [a.error or "failed"])))
        return CaseOutcome.failed(case.name, f"every model call failed: {causes}", expected=len(case.expected),
                                  usage=usage)
    return CaseOutcome.from_match(case.name, matched, usage=usage)


def _review(case: Case, repo: Path, env: Environment, options: EvalOptions):  # -> ReviewResult
    from reviewer.local_source import load_local_mr
    from reviewer.review import ReviewRequest, local_files, review_mr, review_settings

    mr = load_local_mr(repo, case.base, case.head, config_path=env.config_path)
    if case.title:
        mr.title = case.title
    if case.description:
        mr.description = case.description
    request = ReviewRequest(local=True, repo=repo, base=case.base, head=case.head,
                            prompts_dirs=list(options.prompts_dirs), rule_dirs=list(options.rule_dirs))
    settings = review_settings(env, mr, request)
    return review_mr(mr, settings, reader=local_files(request, mr, settings))


@contextmanager
def checkout(case: Case) -> Iterator[Path]:
    """The case's repository: its folder, or a temporary clone of its bundle with every branch and tag."""
    if not case.is_bundle:
        yield case.repo_path
        return
    with tempfile.TemporaryDirectory(prefix="reviewer-eval-") as tmp:
        repo = Path(tmp) / "repo"
        _git("init", "-q", str(repo))
        _git("-C", str(repo), "fetch", "-q", "--update-head-ok", str(case.repo_path),
             "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
        yield repo


def _git(*args: str) -> None:
    try:
        subprocess.run(["git", *args], check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise ReviewerError("git is not installed (an evaluation reads its cases' repositories with git)") from None
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or "").strip().splitlines()
        raise ConfigError(f"git {' '.join(args[:3])}: {detail[-1] if detail else 'failed'}") from None
