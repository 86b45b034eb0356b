"""Command line: parse flags, dispatch, return an exit code.

Exit codes: 0 done; 1 a finding at or above ``--fail-on`` was reported; 2 usage or
configuration error (one line that says what to fix); 3 the review could not finish
(GitLab or git unreachable, an unexpected fault).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn, Sequence

from reviewer import __version__
from reviewer.errors import ConfigError, ReviewerError, SourceError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
FAIL_ON_CHOICES = ("none", "note", "suggestion", "important", "critical")
FORMAT_CHOICES = ("text", "json", "markdown", "codequality")
PLACEHOLDER_CONTEXT_WINDOW = 128_000  # tokens; what `prompts render` plans with when no model is configured
PROMPTS_DIR_HELP = ("folder of prompt templates (*.j2, relative to the current directory) that replace the packaged "
                    "ones of the same name; searched before the config's prompts_dir")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface."""
    parser = _Parser(prog="reviewer", description="Multi-agent AI code reviewer for GitLab merge requests.")
    parser.add_argument("--version", action="version", version=f"reviewer {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    review = commands.add_parser("review", help="review a merge request or a local branch")
    where = review.add_argument_group("what to review")
    where.add_argument("--local", action="store_true", help="review a local git repository (no GitLab)")
    where.add_argument("--repo", type=Path, default=Path("."), help="local repository path (default: .)")
    where.add_argument("--base", help="base ref (default: merge base with the default branch)")
    where.add_argument("--head", default="HEAD", help="head ref (default: HEAD)")
    where.add_argument("--gitlab-url", help="GitLab URL (default: $CI_SERVER_URL); token from REVIEWER_GITLAB_TOKEN")
    where.add_argument("--project", help="project ID or path (default: $CI_MERGE_REQUEST_PROJECT_ID)")
    where.add_argument("--mr", type=int, help="merge request IID (default: $CI_MERGE_REQUEST_IID)")
    where.add_argument("--dry-run", action="store_true", help="print what would be posted; write nothing to GitLab")
    out = review.add_argument_group("output")
    out.add_argument("--format", choices=FORMAT_CHOICES, default="text", help="report format (default: text)")
    out.add_argument("--output", type=Path, help="write the report here (default: stdout)")
    out.add_argument("--json-report", type=Path, help="also write the JSON report to this path")
    out.add_argument("--codequality-report", type=Path, help="also write a GitLab Code Quality report here")
    out.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="none",
                     help="exit 1 when a finding at or above this severity is reported (default: none)")
    review.add_argument("--rules-dir", type=Path, action="append", default=[],
                        help="extra Engineering Codex rule folder (repeatable)")
    review.add_argument("--prompts-dir", type=Path, metavar="DIR", help=PROMPTS_DIR_HELP)
    review.add_argument("--verbose", action="store_true", help="debug logging")

    rules = commands.add_parser("rules", help="inspect and validate the Engineering Codex")
    rules_commands = rules.add_subparsers(dest="rules_command", required=True, parser_class=_Parser)
    check = rules_commands.add_parser("check", help="validate every rule (schema, IDs, examples)")
    check.add_argument("--rules-dir", type=Path, action="append", default=[], help="extra rule folder")
    listing = rules_commands.add_parser("list", help="list rules, or those that apply to --path")
    listing.add_argument("--path", help="only rules whose scope covers this file path")
    listing.add_argument("--rules-dir", type=Path, action="append", default=[], help="extra rule folder")

    prompts = commands.add_parser("prompts", help="inspect the prompt templates and the messages an agent sends")
    prompts_commands = prompts.add_subparsers(dest="prompts_command", required=True, parser_class=_Parser)
    plist = prompts_commands.add_parser(
        "list", help="every template and where it comes from (packaged, or an override)",
        description="List every prompt template and where it comes from: 'packaged', or the override file that "
                    "replaces it (--prompts-dir first, then prompts_dir of the repository's config at --base).")
    plist.add_argument("--prompts-dir", type=Path, metavar="DIR", help=PROMPTS_DIR_HELP)
    plist.add_argument("--repo", type=Path, help="repository whose config's prompts_dir to include "
                                                 "(default: . when it is a git repository)")
    plist.add_argument("--base", help="ref the config is read at (default: the default branch, as for review)")
    prender = prompts_commands.add_parser(
        "render", help="print the messages an agent would send for a local change (no model call)",
        description="Print the exact messages one agent would send for base...head of a local repository, "
                    "planned, chunked and given code context as by 'reviewer review --local'. No model is called. "
                    f"Without a model configured for the agent, a placeholder model with a "
                    f"{PLACEHOLDER_CONTEXT_WINDOW:,}-token context window sizes the chunks (set REVIEWER_MODEL, or "
                    "models.<alias>.context_window in .reviewer.yml, to see the chunks of your model).")
    prender.add_argument("--agent", required=True, help="the agent (see agents/*.yaml: security, quality, ...)")
    prender.add_argument("--local", action="store_true", help="a local git repository (the only source supported)")
    prender.add_argument("--repo", type=Path, default=Path("."), help="local repository path (default: .)")
    prender.add_argument("--base", help="base ref (default: merge base with the default branch)")
    prender.add_argument("--head", default="HEAD", help="head ref (default: HEAD)")
    prender.add_argument("--prompts-dir", type=Path, metavar="DIR", help=PROMPTS_DIR_HELP)
    prender.add_argument("--rules-dir", type=Path, action="append", default=[],
                         help="extra Engineering Codex rule folder (repeatable)")
    prender.add_argument("--chunk", type=int, metavar="N", help="only the agent's N-th call (1-based; default: all)")
    from reviewer.evaluation.commands import add_eval_parser

    add_eval_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reviewer`` console script."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "rules":
            return _rules(args)
        if args.command == "eval":
            from reviewer.evaluation.commands import run_eval_command

            return run_eval_command(args)
        if args.command == "prompts":
            return _prompts(args)
        return _review(args)
    except (ConfigError, SourceError) as exc:
        print(f"reviewer: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ReviewerError as exc:
        print(f"reviewer: failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("reviewer: interrupted", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # e.g. `reviewer rules list | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - a bug must still end in one line and exit 3, not 1
        if getattr(args, "verbose", False):
            traceback.print_exc()
        print(f"reviewer: failed: unexpected {type(exc).__name__}: {exc} (a bug in the reviewer; "
              "rerun with --verbose for the traceback)", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if argv is None:  # the process's own command line: the process ends next
            gc.freeze()  # so exit without the collector walking every object the review made


def _rules(args: argparse.Namespace) -> int:
    from reviewer.codex.commands import rules_check, rules_list

    _check_dirs(args.rules_dir)
    if args.rules_command == "check":
        return rules_check(args.rules_dir)
    return rules_list(args.path, args.rules_dir)


def _prompts(args: argparse.Namespace) -> int:
    from reviewer import log
    from reviewer.prompting.commands import prompts_list, prompts_render
    from reviewer.settings import Environment

    _check_prompts_dir(args.prompts_dir)
    env = Environment.read()
    log.configure(json_logs=env.in_ci)
    if args.prompts_command == "list":
        return prompts_list(args.prompts_dir, args.repo, args.base, env)
    _check_dirs(args.rules_dir)
    if not args.local:
        raise ConfigError("prompts render needs --local: it renders a change of a local git repository")
    if args.chunk is not None and args.chunk < 1:
        raise ConfigError(f"--chunk {args.chunk}: calls are numbered from 1")
    return prompts_render(args.agent, repo=args.repo, base=args.base, head=args.head, prompts_dir=args.prompts_dir,
                          rule_dirs=list(args.rules_dir), chunk=args.chunk, env=env,
                          context_window=PLACEHOLDER_CONTEXT_WINDOW)


def _review(args: argparse.Namespace) -> int:
    from reviewer import log
    from reviewer.review import ReviewRequest, run
    from reviewer.settings import Environment

    _check_dirs(args.rules_dir)
    _check_prompts_dir(args.prompts_dir)
    env = Environment.read()
    log.configure(json_logs=env.in_ci, verbose=args.verbose)
    request = ReviewRequest(
        local=args.local,
        repo=args.repo,
        base=args.base,
        head=args.head,
        gitlab_url=args.gitlab_url,
        project=args.project,
        mr_iid=args.mr,
        dry_run=args.dry_run,
        output_format=args.format,
        output=args.output,
        json_report=args.json_report,
        codequality_report=args.codequality_report,
        fail_on=args.fail_on,
        rule_dirs=list(args.rules_dir),
        prompts_dirs=[args.prompts_dir] if args.prompts_dir else [],
    )
    return run(request, env)


def _check_dirs(dirs: list[Path]) -> None:
    for folder in dirs:
        if not folder.is_dir():
            raise ConfigError(f"--rules-dir {folder}: no such folder")


def _check_prompts_dir(folder: Path | None) -> None:
    if folder is not None and not folder.is_dir():
        raise ConfigError(f"--prompts-dir {folder}: no such folder")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
