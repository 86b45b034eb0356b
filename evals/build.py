#!/usr/bin/env python3
"""Build the labelled review cases in ``evals/cases/`` from their sources in ``evals/src/``.

Each ``evals/src/<case>/`` holds ``base/`` and ``head/`` (the full file trees of the two
commits) and ``case.in.yaml`` (title, description, language, expected findings). For every
case this script creates a throw-away git repository, commits ``base`` on ``main`` and
``head`` on ``feature`` with a fixed author, committer and dates (so the SHAs are the same on
every machine and every run), and writes:

- ``evals/cases/<case>/repo.bundle``: ``git bundle create … --all`` of that repository;
- ``evals/cases/<case>/case.yaml``: ``repo``/``base``/``head`` followed by ``case.in.yaml``.

Before anything is written, every case is validated: the YAML has the expected shape, each
``rule_id`` is a real Engineering Codex rule of the same category, each expected ``path``
exists in the head tree, its ``lines`` lie within the file, and every line of the range is
an added line of ``git diff -U0 main feature`` (a reviewer comments on added lines only).

Usage::

    python evals/build.py              # validate, then (re)write evals/cases/
    python evals/build.py --check      # validate and rebuild into a temp dir; exit 1 if
                                       # evals/cases/ is stale (case.yaml text or branch SHAs)
    python evals/build.py NAME …       # only these cases

Needs git and PyYAML, nothing else.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

EVALS = Path(__file__).resolve().parent
ROOT = EVALS.parent
SRC = EVALS / "src"
CASES = EVALS / "cases"
RULES = ROOT / "codex_rules"

CATEGORIES = ("security", "quality", "codex", "docs", "performance", "release")
SEVERITIES = ("critical", "important", "suggestion", "note")
IN_KEYS = {"title", "description", "language", "expected"}
REQUIRED_IN_KEYS = {"title", "description"}
EXPECTED_KEYS = {"path", "lines", "category", "severity", "rule_id", "why"}
REQUIRED_EXPECTED_KEYS = {"path", "lines", "category", "severity", "why"}
CASE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")

BASE_BRANCH = "main"
HEAD_BRANCH = "feature"
HEADER = f"repo: repo.bundle\nbase: {BASE_BRANCH}\nhead: {HEAD_BRANCH}\n"

# Fixed identity and clock: rebuilding gives byte-identical commits, hence identical SHAs.
IDENTITY = {
    "GIT_AUTHOR_NAME": "Eval Builder",
    "GIT_AUTHOR_EMAIL": "evals@example.invalid",
    "GIT_COMMITTER_NAME": "Eval Builder",
    "GIT_COMMITTER_EMAIL": "evals@example.invalid",
}
BASE_DATE = "1704099600 +0000"  # 2024-01-01 09:00 UTC
HEAD_DATE = "1704186000 +0000"  # 2024-01-02 09:00 UTC

# Settings that would change what gets committed, pinned so that no user or system
# configuration (signing, line-ending conversion, hooks path…) leaks into the result.
GIT_CONFIG = [
    "-c", "core.autocrlf=false",
    "-c", "core.safecrlf=false",
    "-c", "core.quotePath=false",
    "-c", "commit.gpgSign=false",
    "-c", "tag.gpgSign=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "init.defaultBranch=" + BASE_BRANCH,
    "-c", "diff.noprefix=false",
    "-c", "diff.mnemonicPrefix=false",
    "-c", "pack.threads=1",
]


class CaseError(Exception):
    """A case that cannot be built, or whose labels do not fit its change."""


@dataclass
class Built:
    name: str
    case_yaml: str
    bundle: Path
    heads: str
    expected: int
    problems: list[str] = field(default_factory=list)


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(IDENTITY)
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_SYSTEM": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            "TZ": "UTC",
        }
    )
    return env


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        ["git", *GIT_CONFIG, *args],
        cwd=cwd,
        env=env or git_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise CaseError(f"git {' '.join(args)} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def rule_categories() -> dict[str, str]:
    """Every Codex rule ID and the category of the agent that owns it."""
    rules: dict[str, str] = {}
    for path in sorted(RULES.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "id" in data:
            rules[str(data["id"])] = str(data.get("category", ""))
    if not rules:
        raise SystemExit(f"no Codex rules found under {RULES}")
    return rules


def tree_files(tree: Path) -> list[Path]:
    """The files of a source tree, relative to it, in a stable order."""
    files = []
    for path in sorted(tree.rglob("*")):
        if path.is_symlink():
            raise CaseError(f"{path}: symlinks are not supported in case trees")
        if path.is_file():
            rel = path.relative_to(tree)
            if rel.parts[0] == ".git":
                raise CaseError(f"{path}: a case tree must not contain .git")
            files.append(rel)
    return files


def replace_worktree(repo: Path, tree: Path) -> None:
    """Make the work tree of ``repo`` exactly the files of ``tree``."""
    for child in repo.iterdir():
        if child.name == ".git":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for rel in tree_files(tree):
        src, dst = tree / rel, repo / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        executable = src.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        os.chmod(dst, 0o755 if executable else 0o644)


def commit(repo: Path, message: str, date: str) -> None:
    env = git_env()
    env["GIT_AUTHOR_DATE"] = date
    env["GIT_COMMITTER_DATE"] = date
    git(repo, "add", "--all", "--force", ".", env=env)
    git(repo, "commit", "--quiet", "--allow-empty-message", "--no-verify", "-m", message, env=env)


def added_lines(repo: Path) -> dict[str, set[int]]:
    """For each file of the head commit, the line numbers that the change adds."""
    diff = git(repo, "diff", "-U0", "--no-color", "--no-ext-diff", "--find-renames", BASE_BRANCH, HEAD_BRANCH)
    added: dict[str, set[int]] = {}
    current: str | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            current = target[2:] if target.startswith("b/") else None
            if current is not None:
                added.setdefault(current, set())
        elif line.startswith("@@") and current is not None:
            m = HUNK.match(line)
            if not m:
                raise CaseError(f"cannot parse hunk header {line!r}")
            start, count = int(m.group(1)), int(m.group(2) or "1")
            added[current].update(range(start, start + count))
    return added


def load_case_in(case_dir: Path, rules: dict[str, str]) -> tuple[str, dict]:
    """The text of case.in.yaml and its parsed, shape-checked content."""
    path = case_dir / "case.in.yaml"
    if not path.is_file():
        raise CaseError("case.in.yaml is missing")
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise CaseError("case.in.yaml must be a mapping")
    problems = []
    if {"repo", "base", "head"} & data.keys():
        problems.append("repo/base/head are added by build.py; leave them out of case.in.yaml")
    unknown = data.keys() - IN_KEYS - {"repo", "base", "head"}
    if unknown:
        problems.append(f"unknown keys: {', '.join(sorted(unknown))}")
    for key in sorted(REQUIRED_IN_KEYS):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"`{key}` must be a non-empty string")
    if "language" in data and not isinstance(data["language"], str):
        problems.append("`language` must be a string")
    expected = data.get("expected")
    if expected is None:
        expected = []
    if not isinstance(expected, list):
        problems.append("`expected` must be a list (empty or absent for a clean case)")
        expected = []
    for i, item in enumerate(expected, 1):
        where = f"expected[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be a mapping")
            continue
        missing = REQUIRED_EXPECTED_KEYS - item.keys()
        if missing:
            problems.append(f"{where}: missing {', '.join(sorted(missing))}")
        extra = item.keys() - EXPECTED_KEYS
        if extra:
            problems.append(f"{where}: unknown keys {', '.join(sorted(extra))}")
        if not isinstance(item.get("path"), str) or not item.get("path"):
            problems.append(f"{where}: `path` must be a repository path")
        lines = item.get("lines")
        if not (
            isinstance(lines, list)
            and len(lines) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in lines)
            and 1 <= lines[0] <= lines[1]
        ):
            problems.append(f"{where}: `lines` must be [first, last] with 1 <= first <= last")
        if item.get("category") not in CATEGORIES:
            problems.append(f"{where}: `category` must be one of {', '.join(CATEGORIES)}")
        if item.get("severity") not in SEVERITIES:
            problems.append(f"{where}: `severity` must be one of {', '.join(SEVERITIES)}")
        if "rule_id" in item:
            rule_id = item["rule_id"]
            if rule_id not in rules:
                problems.append(f"{where}: `rule_id` {rule_id!r} is not a rule in codex_rules/")
            elif rules[rule_id] != item.get("category"):
                problems.append(
                    f"{where}: rule {rule_id} belongs to category {rules[rule_id]!r}, "
                    f"not {item.get('category')!r}"
                )
        if not isinstance(item.get("why"), str) or not item["why"].strip():
            problems.append(f"{where}: `why` must say why it is a real problem")
    if problems:
        raise CaseError("; ".join(problems))
    data["expected"] = expected
    return text, data


def check_expected(data: dict, head: Path, added: dict[str, set[int]]) -> list[str]:
    """Problems with the expected findings against the head tree and the diff."""
    problems = []
    for i, item in enumerate(data["expected"], 1):
        path, (first, last) = item["path"], item["lines"]
        where = f"expected[{i}] {path}:{first}-{last}"
        file = head / path
        if not file.is_file():
            problems.append(f"{where}: no such file in the head tree")
            continue
        n_lines = len(file.read_text(encoding="utf-8").splitlines())
        if last > n_lines:
            problems.append(f"{where}: the file has only {n_lines} lines")
            continue
        not_added = [n for n in range(first, last + 1) if n not in added.get(path, set())]
        if not_added:
            problems.append(
                f"{where}: line(s) {', '.join(map(str, not_added))} are not added by the change"
            )
    return problems


def build_case(case_dir: Path, out_dir: Path, rules: dict[str, str]) -> Built:
    """Validate one case and write its case.yaml and repo.bundle into ``out_dir``."""
    name = case_dir.name
    if not CASE_NAME.match(name):
        raise CaseError("case names are lower-case kebab-case")
    base, head = case_dir / "base", case_dir / "head"
    for tree in (base, head):
        if not tree.is_dir():
            raise CaseError(f"{tree.name}/ is missing")
    text, data = load_case_in(case_dir, rules)

    with tempfile.TemporaryDirectory(prefix=f"eval-{name}-") as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        git(repo, "init", "--quiet", "--initial-branch", BASE_BRANCH)
        replace_worktree(repo, base)
        commit(repo, f"{name}: base", BASE_DATE)
        git(repo, "checkout", "--quiet", "-b", HEAD_BRANCH)
        replace_worktree(repo, head)
        if not git(repo, "status", "--porcelain"):
            raise CaseError("head/ is identical to base/: there is no change to review")
        commit(repo, f"{data['title']}\n\n{data['description'].strip()}\n", HEAD_DATE)

        problems = check_expected(data, head, added_lines(repo))
        if problems:
            raise CaseError("; ".join(problems))

        out_dir.mkdir(parents=True, exist_ok=True)
        bundle = out_dir / "repo.bundle"
        tmp_bundle = Path(tmp) / "repo.bundle"
        git(repo, "bundle", "create", "--quiet", str(tmp_bundle), "--all")
        shutil.move(str(tmp_bundle), bundle)

    case_yaml = HEADER + (text if text.endswith("\n") else text + "\n")
    (out_dir / "case.yaml").write_text(case_yaml, encoding="utf-8")
    return Built(name, case_yaml, bundle, list_heads(bundle), len(data["expected"]))


def list_heads(bundle: Path) -> str:
    """``git bundle list-heads`` of a bundle, sorted (the refs and the SHAs they point at)."""
    with tempfile.TemporaryDirectory(prefix="eval-heads-") as tmp:
        out = git(Path(tmp), "bundle", "list-heads", str(bundle))
    return "\n".join(sorted(out.splitlines()))


def case_dirs(names: list[str]) -> list[Path]:
    if names:
        dirs = [SRC / n for n in names]
        missing = [d.name for d in dirs if not d.is_dir()]
        if missing:
            raise SystemExit(f"no such case in {SRC}: {', '.join(missing)}")
        return dirs
    return sorted(d for d in SRC.iterdir() if d.is_dir())


def short(heads: str) -> str:
    shas = {}
    for line in heads.splitlines():
        sha, _, ref = line.partition(" ")
        shas[ref] = sha
    return ", ".join(
        f"{b} {shas[f'refs/heads/{b}'][:10]}" for b in (BASE_BRANCH, HEAD_BRANCH) if f"refs/heads/{b}" in shas
    )


def build(names: list[str]) -> int:
    rules = rule_categories()
    failed = 0
    for case_dir in case_dirs(names):
        try:
            built = build_case(case_dir, CASES / case_dir.name, rules)
        except CaseError as exc:
            failed += 1
            print(f"FAIL  {case_dir.name}: {exc}")
            continue
        kind = "clean" if built.expected == 0 else f"{built.expected} expected"
        print(f"built {built.name}: {short(built.heads)} ({kind})")
    if not names and CASES.is_dir():
        for stale in sorted(d.name for d in CASES.iterdir() if d.is_dir() and not (SRC / d.name).is_dir()):
            print(f"note  evals/cases/{stale} has no source in evals/src/; delete it if the case was removed")
    print(f"{'FAILED' if failed else 'ok'}: {failed} of {len(case_dirs(names))} cases failed")
    return 1 if failed else 0


def check(names: list[str]) -> int:
    rules = rule_categories()
    problems: list[str] = []
    dirs = case_dirs(names)
    with tempfile.TemporaryDirectory(prefix="eval-check-") as tmp:
        for case_dir in dirs:
            name = case_dir.name
            try:
                built = build_case(case_dir, Path(tmp) / name, rules)
            except CaseError as exc:
                problems.append(f"{name}: {exc}")
                print(f"FAIL  {name}: {exc}")
                continue
            committed = CASES / name
            case_problems = []
            if not (committed / "case.yaml").is_file():
                case_problems.append("evals/cases/{0}/case.yaml is missing".format(name))
            elif (committed / "case.yaml").read_text(encoding="utf-8") != built.case_yaml:
                case_problems.append("case.yaml differs from case.in.yaml (run build.py)")
            if not (committed / "repo.bundle").is_file():
                case_problems.append(f"evals/cases/{name}/repo.bundle is missing")
            else:
                try:
                    heads = list_heads(committed / "repo.bundle")
                except CaseError as exc:
                    heads = f"<unreadable: {exc}>"
                if heads != built.heads:
                    case_problems.append(
                        f"repo.bundle branch SHAs differ: committed [{short(heads) or heads}], "
                        f"rebuilt [{short(built.heads)}] (run build.py)"
                    )
            if case_problems:
                problems += [f"{name}: {p}" for p in case_problems]
                for p in case_problems:
                    print(f"DIFF  {name}: {p}")
            else:
                kind = "clean" if built.expected == 0 else f"{built.expected} expected"
                print(f"ok    {name}: {short(built.heads)} ({kind})")
    if not names and CASES.is_dir():
        for stale in sorted(d.name for d in CASES.iterdir() if d.is_dir() and not (SRC / d.name).is_dir()):
            problems.append(f"{stale}: in evals/cases/ but not in evals/src/")
            print(f"DIFF  {stale}: in evals/cases/ but not in evals/src/")
    if problems:
        print(f"check FAILED: {len(problems)} problem(s) in {len(dirs)} cases")
        return 1
    print(f"check ok: {len(dirs)} cases up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="case names (default: every case in evals/src/)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild into a temporary directory and exit 1 if evals/cases/ is out of date",
    )
    args = parser.parse_args(argv)
    if shutil.which("git") is None:
        print("build.py needs git on PATH", file=sys.stderr)
        return 2
    return check(args.names) if args.check else build(args.names)


if __name__ == "__main__":
    sys.exit(main())
