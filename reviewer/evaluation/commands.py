"""``reviewer eval``: run labelled cases, compare prompt directories, record, replay, import.

Exit codes: 0 every case ran and was scored; 2 usage or a bad case file; 3 a case could not be
reviewed (a model that failed every call, a recording that no longer matches the prompts), after
the report is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reviewer.errors import ConfigError

EXIT_OK, EXIT_USAGE, EXIT_CASE_FAILED = 0, 2, 3
IMPORTERS = ("aacr", "martian")


def add_eval_parser(commands: argparse._SubParsersAction) -> None:  # noqa: SLF001 - argparse's own type
    """The ``eval`` subcommand and its options."""
    ev = commands.add_parser(
        "eval", help="score the reviewer on labelled cases (per-category precision, recall, F1)",
        description="Review every case.yaml under CASES and score the findings against the expected ones.")
    ev.add_argument("cases", type=Path, nargs="?",
                    help="folder of cases (every case.yaml under it); with --import, the benchmark's dataset")
    out = ev.add_argument_group("report")
    out.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                     help="report format (default: text)")
    out.add_argument("--output", type=Path, help="write the report here (default: stdout)")
    runs = ev.add_argument_group("what to run")
    runs.add_argument("--compare", type=Path, metavar="PROMPTS_DIR",
                      help="also run with this folder of prompt overrides and show both side by side")
    runs.add_argument("--prompts-dir", type=Path, help="prompt overrides for the run (and under --compare)")
    runs.add_argument("--rules-dir", type=Path, action="append", default=[], help="extra Codex rule folder")
    runs.add_argument("--record", type=Path, metavar="DIR", help="keep every model exchange as vcrpy cassettes here")
    runs.add_argument("--replay", type=Path, metavar="DIR",
                      help="score from the cassettes in DIR: no model needed, no request made")
    match = ev.add_argument_group("matching")
    match.add_argument("--tolerance", type=int, default=3, help="lines either side that still match (default: 3)")
    match.add_argument("--cross-category", action="store_true",
                       help="also accept a match in another category (reported separately)")
    match.add_argument("--judge-model", metavar="MODEL",
                       help="ask this model (alias or litellm name) about candidates that match by place only")
    imp = ev.add_argument_group("importing a public benchmark")
    imp.add_argument("--import", dest="import_kind", choices=IMPORTERS,
                     help="convert the dataset at CASES into cases under --out")
    imp.add_argument("--out", type=Path, help="where --import writes the cases")
    imp.add_argument("--repos", type=Path,
                     help="local clones of the dataset's repositories (default: a 'repos' folder beside it)")
    ev.add_argument("--verbose", action="store_true", help="debug logging")


def run_eval_command(args: argparse.Namespace) -> int:
    """Carry out ``reviewer eval`` as parsed; see the module docstring for the exit codes."""
    from reviewer import log
    from reviewer.settings import Environment

    env = Environment.read()
    log.configure(json_logs=False, verbose=args.verbose)
    if args.import_kind:
        return _import(args)
    if args.cases is None:
        raise ConfigError("reviewer eval needs a folder of cases (e.g. reviewer eval evals/)")
    _check_options(args)
    from reviewer.evaluation.cases import load_cases
    from reviewer.evaluation.report import (compare_json, render_compare_markdown, render_compare_text,
                                            render_markdown, render_text, to_json)
    from reviewer.evaluation.runner import EvalOptions, run_eval

    cases = load_cases(args.cases)
    base = EvalOptions(tolerance=args.tolerance, cross_category=args.cross_category,
                       prompts_dirs=(args.prompts_dir,) if args.prompts_dir else (),
                       rule_dirs=list(args.rules_dir), judge=_judge(args, env))

    def progress(line: str) -> None:
        print(f"reviewer eval: {line}", file=sys.stderr)

    if args.compare is None:
        result = run_eval(cases, env, _with_cassettes(base, args, None), progress)
        text = {"json": lambda: json.dumps(to_json(result), indent=2) + "\n",
                "markdown": lambda: render_markdown(result), "text": lambda: render_text(result)}[args.format]()
        failed = bool(result.failed)
    else:
        a = run_eval(cases, env, _with_cassettes(base, args, "a"), lambda line: progress(f"[a] {line}"))
        b_options = _with_cassettes(base, args, "b")
        b_options.prompts_dirs = (args.compare, *base.prompts_dirs)  # the compared folder over the run's own
        b = run_eval(cases, env, b_options, lambda line: progress(f"[b] {line}"))
        labels = ("a: as configured", f"b: {args.compare}")
        text = {"json": lambda: json.dumps(compare_json(a, b), indent=2) + "\n",
                "markdown": lambda: render_compare_markdown(a, b, labels=labels),
                "text": lambda: render_compare_text(a, b, labels=labels)}[args.format]()
        failed = bool(a.failed or b.failed)
    _write(text, args.output)
    if failed:
        print("reviewer eval: some cases could not be reviewed and are not counted (see the report)", file=sys.stderr)
        return EXIT_CASE_FAILED
    return EXIT_OK


def _check_options(args: argparse.Namespace) -> None:
    if args.record and args.replay:
        raise ConfigError("--record and --replay exclude each other")
    if args.tolerance < 0:
        raise ConfigError(f"--tolerance {args.tolerance}: must be 0 or more")
    for flag, folder in (("--compare", args.compare), ("--prompts-dir", args.prompts_dir),
                         ("--replay", args.replay), *(("--rules-dir", d) for d in args.rules_dir)):
        if folder is not None and not folder.is_dir():
            raise ConfigError(f"{flag} {folder}: no such folder")
    if args.out or args.repos:
        raise ConfigError("--out and --repos go with --import")


def _with_cassettes(options, args: argparse.Namespace, side: str | None):  # -> EvalOptions
    from dataclasses import replace

    record = args.record / side if args.record and side else args.record
    replay = args.replay / side if args.replay and side else args.replay
    return replace(options, record=record, replay=replay)


def _judge(args: argparse.Namespace, env):  # -> Judge | None
    if not args.judge_model:
        return None
    from reviewer.evaluation.model_judge import model_judge
    from reviewer.settings import Settings

    call = Settings(env=env).resolve_model(args.judge_model)
    if call is None:
        raise ConfigError(f"--judge-model {args.judge_model}: no such model alias configured "
                          "(give a litellm model name such as openai/gpt-4o, or set REVIEWER_MODEL_<ALIAS>)")
    return model_judge(call)


def _import(args: argparse.Namespace) -> int:
    from reviewer.evaluation.importers import import_aacr, import_martian

    if args.cases is None or args.out is None:
        raise ConfigError(f"--import {args.import_kind} needs the dataset path and --out DIR "
                          f"(reviewer eval --import {args.import_kind} PATH --out DIR)")
    if not args.cases.exists():
        raise ConfigError(f"--import {args.import_kind} {args.cases}: no such file or folder")
    repos = args.repos or (args.cases if args.cases.is_dir() else args.cases.parent) / "repos"
    if not repos.is_dir():
        raise ConfigError(f"--repos {repos}: no such folder (clone the dataset's repositories there)")
    importer = import_aacr if args.import_kind == "aacr" else import_martian
    summary = importer(args.cases, repos, args.out)
    print(summary.render())
    return EXIT_OK


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--output {output}: {exc.strerror or exc}") from None
