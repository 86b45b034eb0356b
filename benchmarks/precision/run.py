"""Precision of the Codex detectors on real commits, against hand-made labels.

For every commit of the suite (``commits.yaml``: public commits fetched by ``fetch.sh``, the
history of a local repository, the fixture repositories ``fixtures.py`` builds) this runs the
reviewer as a user would, without a model::

    reviewer review --local --repo <repo> --base <sha>^ --head <sha> --format json

(``REVIEWER_*``, ``CI_*`` and provider variables removed, so only the deterministic detectors
run), then compares what it reports with ``labels.yaml`` and prints:

- per commit: the findings reported (every place of a grouped finding counts), the threads they
  would make (a grouped finding is one), and those dropped as not introduced by the change;
- per rule: reported, labelled true / false / debatable, unlabelled, and the precision
  ``true / (true + false)`` (debatable left out; ``strict`` counts debatable as false), with
  the labelled findings the pre-existing filter dropped (a ``true`` there is a finding lost);
- the reported findings no label covers yet (with a ``labels.yaml`` entry to fill in), and
  labels that match nothing any more.

It works on whatever detectors the reviewer has: it reads only the JSON report. ``--json``
writes every figure for tooling (the benchmark's test reads it).

    python benchmarks/precision/run.py                      # the whole suite (public repos if fetched)
    python benchmarks/precision/run.py --only self fixtures # skip the public commits
    python benchmarks/precision/run.py --json out.json --jobs 8
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_SUITE = HERE / "commits.yaml"
DEFAULT_LABELS = HERE / "labels.yaml"
DEFAULT_CACHE = HERE / ".cache"
VERDICTS = ("true", "false", "debatable")
_LEAKY = ("REVIEWER_", "CI_", "GITLAB_", "OPENAI_", "ANTHROPIC_", "GEMINI_", "AZURE_", "MISTRAL_")
KINDS = ("public", "self", "fixtures")


# --------------------------------------------------------------------------- the suite
@dataclass(frozen=True)
class Commit:
    """One commit to review: its repository's name (as labels spell it), where it is, its SHA."""

    repo: str
    path: Path
    sha: str
    kind: str
    ref: str = ""  # the tag or SHA the suite named it by
    note: str = ""


@dataclass
class Skipped:
    repo: str
    ref: str
    why: str


def git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {repo}: {done.stderr.strip()}")
    return done.stdout.strip() if done.returncode == 0 else ""


def cache_dir_for(url: str, cache: Path) -> Path:
    """Where ``fetch.sh`` clones ``url``: ``<cache>/<owner>__<name>``."""
    parts = url.rstrip("/").removesuffix(".git").split("/")
    return cache / f"{parts[-2]}__{parts[-1]}"


def resolve(repo: Path, ref: str) -> str | None:
    """The full SHA ``ref`` names in ``repo``, or None."""
    return git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False) or None


def has_parent(repo: Path, sha: str) -> bool:
    return bool(git(repo, "rev-parse", "--verify", "--quiet", f"{sha}^", check=False))


def load_suite(path: Path, cache: Path, only: Sequence[str]) -> tuple[list[Commit], list[Skipped]]:
    """The commits of the suite file (paths in it are relative to the file)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    base = path.parent
    commits: list[Commit] = []
    skipped: list[Skipped] = []
    if "public" in only:
        for entry in data.get("public") or []:
            where = cache_dir_for(entry["repo"], cache)
            sha = resolve(where, entry["commit"]) if where.is_dir() else None
            if sha is None:
                skipped.append(Skipped(entry["repo"], entry["commit"], "not fetched (run fetch.sh)"))
            elif not has_parent(where, sha):
                skipped.append(Skipped(entry["repo"], entry["commit"], "root commit"))
            else:
                commits.append(Commit(entry["repo"], where, sha, "public", entry["commit"], entry.get("note", "")))
    for kind in ("self", "fixtures"):
        if kind not in only:
            continue
        for entry in data.get(kind) or []:
            where = (base / entry["path"]).resolve()
            if not (where / ".git").exists() and not git(where, "rev-parse", "--git-dir", check=False):
                skipped.append(Skipped(entry["repo"], entry.get("ref", "HEAD"), f"no repository at {where}"
                                       + (" (run fixtures.py)" if kind == "fixtures" else "")))
                continue
            head = entry.get("ref", "HEAD")
            args = ["rev-list", "--no-merges"]
            if entry.get("last"):
                args += ["-n", str(int(entry["last"]))]  # the newest N
            shas = git(where, *args, head).split()[::-1]  # oldest first
            tags = _tags(where)
            for sha in shas:
                if not has_parent(where, sha):
                    continue
                commits.append(Commit(entry["repo"], where, sha, kind, tags.get(sha, sha)))
    return commits, skipped


def _tags(repo: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in git(repo, "for-each-ref", "--format=%(objectname) %(*objectname) %(refname:short)",
                    "refs/tags", check=False).splitlines():
        parts = line.split()
        if len(parts) == 3:
            out.setdefault(parts[1], parts[2])
        elif len(parts) == 2:
            out.setdefault(parts[0], parts[1])
    return out


# --------------------------------------------------------------------------- one review
@dataclass
class Found:
    """One place the reviewer reported (or dropped as pre-existing) in one commit."""

    repo: str
    commit: str
    path: str
    line: int | None
    rule_id: str | None
    title: str = ""
    severity: str = ""
    agent: str = ""
    thread: str = ""  # fingerprint of the finding (the group's for a grouped place)
    grouped: bool = False
    reason: str = ""  # why it was dropped (pre-existing ones)
    ref: str = ""


@dataclass
class Reviewed:
    commit: Commit
    reported: list[Found] = field(default_factory=list)
    dropped: list[Found] = field(default_factory=list)
    threads: int = 0
    error: str = ""


def reviewer_command(explicit: str | None) -> list[str]:
    if explicit:
        return explicit.split()
    script = Path(sys.executable).parent / "reviewer"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "reviewer"]


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY) and k != "CI"}
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    return env


def review(commit: Commit, command: list[str], timeout: float) -> Reviewed:
    """Run the reviewer on one commit and read its JSON report."""
    out = Reviewed(commit)
    try:
        done = subprocess.run(  # noqa: S603 - the reviewer's own console script
            [*command, "review", "--local", "--repo", str(commit.path), "--base", f"{commit.sha}^",
             "--head", commit.sha, "--format", "json", "--fail-on", "none"],
            capture_output=True, text=True, env=clean_env(), timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        out.error = f"timed out after {timeout:.0f}s"
        return out
    if done.returncode != 0:
        out.error = f"exit {done.returncode}: {done.stderr.strip()[-500:]}"
        return out
    try:
        report = json.loads(done.stdout)
    except ValueError as exc:
        out.error = f"not JSON: {exc}"
        return out
    findings = [*report.get("findings", []), *report.get("file_findings", [])]
    out.threads = len(findings)
    for finding in findings:
        places = finding.get("occurrences") or [finding]
        for place in places:
            out.reported.append(_found(commit, finding, place, grouped=bool(finding.get("occurrences"))))
    for entry in report.get("dropped", []):
        if entry.get("stage") == "preexisting":
            out.dropped.append(_found(commit, entry, entry, reason=entry.get("reason", "")))
    return out


def _found(commit: Commit, finding: dict, place: dict, *, grouped: bool = False, reason: str = "") -> Found:
    return Found(repo=commit.repo, commit=commit.sha, path=place.get("path", finding.get("path", "")),
                 line=place.get("line"), rule_id=finding.get("rule_id"), title=finding.get("title", ""),
                 severity=finding.get("severity", ""), agent=finding.get("agent", ""),
                 thread=finding.get("fingerprint", ""), grouped=grouped, reason=reason, ref=commit.ref)


# --------------------------------------------------------------------------- labels
@dataclass(frozen=True)
class Label:
    repo: str
    commit: str
    path: str
    line: int | None
    rule_id: str
    verdict: str
    why: str = ""


def load_labels(path: Path) -> list[Label]:
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    labels = []
    for n, item in enumerate(data.get("labels") or [], start=1):
        verdict = str(item.get("verdict", "")).strip().lower()
        if verdict not in VERDICTS:
            raise SystemExit(f"{path}: label {n}: verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        labels.append(Label(repo=str(item["repo"]), commit=str(item["commit"]), path=str(item["path"]),
                            line=item.get("line"), rule_id=str(item["rule_id"]), verdict=verdict,
                            why=str(item.get("why", "")).strip()))
    return labels


class LabelIndex:
    """Labels by (repo, full SHA, path, line, rule); a label's commit may be a SHA prefix or a tag."""

    def __init__(self, labels: Iterable[Label], commits: Iterable[Commit]) -> None:
        commits = list(commits)
        paths = {c.repo: c.path for c in commits}
        reviewed = {(c.repo, c.sha) for c in commits}
        self.by_key: dict[tuple, Label] = {}
        self.unresolved: list[Label] = []
        self.elsewhere = 0  # labels of commits this run did not review (another window, a skipped repo)
        cache: dict[tuple[str, str], str | None] = {}
        for label in labels:
            where = paths.get(label.repo)
            if where is None:  # a repository this run did not review
                self.elsewhere += 1
                continue
            key = (label.repo, label.commit)
            if key not in cache:
                cache[key] = resolve(where, label.commit)
            sha = cache[key]
            if sha is None:
                self.unresolved.append(label)
                continue
            if (label.repo, sha) not in reviewed:
                self.elsewhere += 1
                continue
            self.by_key[(label.repo, sha, label.path, label.line, label.rule_id)] = label

    def get(self, found: Found) -> Label | None:
        return self.by_key.get((found.repo, found.commit, found.path, found.line, found.rule_id))


# --------------------------------------------------------------------------- figures
@dataclass
class RuleFigures:
    rule_id: str
    reported: int = 0
    true: int = 0
    false: int = 0
    debatable: int = 0
    unlabelled: int = 0
    threads: int = 0
    dropped: int = 0
    dropped_true: int = 0
    dropped_false: int = 0
    dropped_debatable: int = 0

    @property
    def precision(self) -> float | None:
        judged = self.true + self.false
        return self.true / judged if judged else None

    @property
    def strict_precision(self) -> float | None:
        judged = self.true + self.false + self.debatable
        return self.true / judged if judged else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "precision": self.precision, "strict_precision": self.strict_precision}


def figures(results: list[Reviewed], index: LabelIndex) -> dict[str, Any]:
    rules: dict[str, RuleFigures] = {}
    total = RuleFigures("ALL")
    unlabelled: list[Found] = []
    dropped: list[Found] = []
    matched: set[tuple] = set()
    per_commit = []

    def bump(rule: str) -> list[RuleFigures]:
        return [rules.setdefault(rule, RuleFigures(rule)), total]

    for result in results:
        threads: dict[str, set[str]] = defaultdict(set)
        for found in result.reported:
            rule = found.rule_id or "(no rule)"
            threads[rule].add(found.thread or f"{found.path}:{found.line}")
            label = index.get(found)
            for fig in bump(rule):
                fig.reported += 1
                if label is None:
                    fig.unlabelled += 1
                else:
                    setattr(fig, label.verdict, getattr(fig, label.verdict) + 1)
            if label is None:
                unlabelled.append(found)
            else:
                matched.add((found.repo, found.commit, found.path, found.line, found.rule_id))
        for rule, fps in threads.items():
            for fig in bump(rule):
                fig.threads += len(fps)
        for found in result.dropped:
            rule = found.rule_id or "(no rule)"
            label = index.get(found)
            for fig in bump(rule):
                fig.dropped += 1
                if label is not None:
                    name = f"dropped_{label.verdict}"
                    setattr(fig, name, getattr(fig, name) + 1)
            if label is not None:
                matched.add((found.repo, found.commit, found.path, found.line, found.rule_id))
        dropped.extend(result.dropped)
        per_commit.append({"repo": result.commit.repo, "commit": result.commit.sha, "ref": result.commit.ref,
                           "kind": result.commit.kind, "reported": len(result.reported),
                           "threads": result.threads, "dropped": len(result.dropped), "error": result.error})
    stale = [label for key, label in index.by_key.items() if key not in matched]
    return {
        "rules": {rule: rules[rule].as_dict() for rule in sorted(rules)},
        "total": total.as_dict(),
        "commits": per_commit,
        "unlabelled": [asdict(f) for f in unlabelled],
        "dropped": [asdict(f) | {"verdict": (label.verdict if (label := index.get(f)) else None)} for f in dropped],
        "stale_labels": [asdict(label) for label in stale],
        "unresolved_labels": [asdict(label) for label in index.unresolved],
        "labels_not_in_run": index.elsewhere,
    }


# --------------------------------------------------------------------------- printing
def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def render(data: dict[str, Any], skipped: list[Skipped]) -> str:
    out = []
    commits = data["commits"]
    errors = [c for c in commits if c["error"]]
    with_findings = [c for c in commits if c["reported"] or c["dropped"]]
    out.append(f"Commits reviewed: {len(commits)} ({len(errors)} failed, {len(skipped)} skipped); "
               f"with findings: {len(with_findings)}")
    for c in with_findings:
        out.append(f"  {c['repo']} {c['ref'][:12] if c['ref'] != c['commit'] else c['commit'][:12]}: "
                   f"{c['reported']} reported in {c['threads']} thread(s), {c['dropped']} dropped as pre-existing")
    for c in errors:
        out.append(f"  FAILED {c['repo']} {c['commit'][:12]}: {c['error']}")
    for s in skipped:
        out.append(f"  skipped {s.repo} {s.ref[:12]}: {s.why}")
    out += ["", "Per rule (reported = every place; precision = true / (true + false); "
                "strict counts debatable as false)"]
    header = ("rule", "reported", "threads", "true", "false", "debat.", "unlab.", "precision", "strict",
              "pre-existing dropped (t/f/d)")
    rows = [header]
    for fig in [*data["rules"].values(), data["total"]]:
        rows.append((fig["rule_id"], str(fig["reported"]), str(fig["threads"]), str(fig["true"]), str(fig["false"]),
                     str(fig["debatable"]), str(fig["unlabelled"]), _pct(fig["precision"]),
                     _pct(fig["strict_precision"]),
                     f"{fig['dropped']} ({fig['dropped_true']}/{fig['dropped_false']}/{fig['dropped_debatable']})"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for n, row in enumerate(rows):
        if n == len(rows) - 1:
            out.append("  " + "  ".join("-" * w for w in widths))
        out.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if data["unlabelled"]:
        out += ["", f"Unlabelled findings ({len(data['unlabelled'])}); add to labels.yaml:"]
        for f in data["unlabelled"]:
            out += [f"  - {{repo: {f['repo']}, commit: {f['ref'] or f['commit']}, path: {f['path']}, "
                    f"line: {f['line']}, rule_id: {f['rule_id']}, verdict: ?, why: ''}}  # {f['title']}"]
    if data["dropped"]:
        out += ["", f"Dropped as not introduced by the change ({len(data['dropped'])}):"]
        out += [f"  {f['repo']} {(f['ref'] or f['commit'])[:16]} {f['path']}:{f['line']} {f['rule_id']} "
                f"[{f['verdict'] or 'unlabelled'}]: {f['reason']}" for f in data["dropped"]]
    if data["stale_labels"]:
        out += ["", f"Labels matching no finding now ({len(data['stale_labels'])}):"]
        out += [f"  {s['repo']} {s['commit'][:12]} {s['path']}:{s['line']} {s['rule_id']} ({s['verdict']})"
                for s in data["stale_labels"]]
    if data["unresolved_labels"]:
        out += ["", f"Labels whose commit is not in its repository ({len(data['unresolved_labels'])}): "
                "not counted."]
    if data["labels_not_in_run"]:
        out += ["", f"Labels of commits not reviewed in this run: {data['labels_not_in_run']} (not counted)."]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", type=Path, default=DEFAULT_SUITE,
                        help="commits.yaml to run (default: beside this script)")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS,
                        help="labels.yaml (default: beside this script)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="where fetch.sh cloned the public repositories")
    parser.add_argument("--only", nargs="+", choices=KINDS, default=list(KINDS), help="which parts of the suite")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--jobs", type=int, default=max(1, min(8, (os.cpu_count() or 2) // 2)))
    parser.add_argument("--reviewer", help="the reviewer command (default: this interpreter's `reviewer`)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per commit")
    args = parser.parse_args(argv)

    commits, skipped = load_suite(args.suite, args.cache, args.only)
    command = reviewer_command(args.reviewer)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda c: review(c, command, args.timeout), commits))
    data = figures(results, LabelIndex(load_labels(args.labels), commits))
    data["skipped"] = [asdict(s) for s in skipped]
    sys.stdout.write(render(data, skipped))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
