"""Turn public code-review benchmarks into evaluation cases (``<out>/<name>/case.yaml``).

Two importers, one per benchmark. Each reads the benchmark's published JSON, finds a local clone
of every repository it names, checks that the base and head commits are there, and writes one
case per pull request. A sample that cannot become a faithful case (no clone, a missing commit,
a finding without a location in the HEAD file) is skipped and listed with its reason in the
returned :class:`ImportSummary`; the import never stops for one sample. A file that does not have
the benchmark's shape (not a JSON array, a sample without a required field) is a
:class:`~reviewer.errors.ConfigError` whose one line names the file, the sample index and the field.

AACR-Bench (Alibaba) — ``import_aacr``
--------------------------------------
Repository https://github.com/alibaba/aacr-bench (``dataset/positive_samples.json``,
``dataset/negative_samples.json``); paper "AACR-Bench: Evaluating Automatic Code Review with
Holistic Repository-Level Context", https://arxiv.org/abs/2601.19494. 200 PRs from 50 GitHub
projects in 10 languages. ``dataset`` is the folder holding the two files, or one of them (a file
whose name contains ``negative`` is read as negative samples).

Each file is a JSON array of PR samples. Field names as published (first spelling; the others are
accepted alternatives)::

    githubPrUrl | pr_url | prUrl | url | html_url   https://github.com/<owner>/<name>/pull/<N>
    repo | repository | repo_name                   optional; else taken from the URL
    source_commit | base_commit | base_sha | base   -> base   (AACR's own converter,
    target_commit | head_commit | head_sha | head   -> head    evaluation/converters/aacr_bench.py,
                                                               maps source=base, target=head)
    project_main_language | language                -> language
    category (PR-level, e.g. "Bug Fix")             -> tags
    comments | review_comments | golden_comments    -> expected (positive samples)
      path | file | file_path | filename            -> path
      from_line | start_line | line_start | line    -> lines[0]   (the two are sorted: the
      to_line | end_line | line_end                 -> lines[1]    published data has a few
                                                                   reversed ranges)
      note | comment | body | text | content        -> why
      category | type | issue_type | label          -> category (table below)
      side ("right" | "left")                       "left" = a line of the BASE file: the sample
                                                    is skipped, case lines are HEAD lines
      severity | priority | level                   not published by AACR; absent -> ``note``
                                                    (any reported severity agrees)
      (context, is_ai_comment, source_model are not used)

Negative samples are *not* clean PRs in the published data: ``negative_samples.json`` holds the
review comments the annotators rejected, for the same PRs as ``positive_samples.json``. So a
negative sample whose PR also has a positive sample is skipped (writing it as a clean case would
turn that PR's real issues into noise) and the positive case's ``notes`` records how many comments
were rejected; only a negative sample whose PR has no positive sample becomes a clean case
(``expected: []``).

Martian Code Review Bench — ``import_martian``
----------------------------------------------
Repository https://github.com/withmartian/code-review-benchmark, golden comments in
``offline/golden_comments/*.json`` (sentry, grafana, keycloak, discourse, cal_dot_com; 50 PRs).
``dataset`` is that folder or one file. Each file is a JSON array (a mapping keyed by PR URL,
the shape of ``results/benchmark_data.json``, is also read)::

    url | pr_url | html_url                         PR URL: the sample id and the case name
    original_url                                    upstream PR when ``url`` is a fork's copy
    repo | repository                               optional; else taken from the URL(s)
    pr_title | title                                -> title
    az_comment                                      -> notes
    base_sha | base_commit | base | source_commit   -> base  \\ NOT in the published files:
    head_sha | head_commit | head | target_commit   -> head  /  add them (e.g. from the GitHub API)
    comments | golden_comments                      -> expected
      comment | body | text | note                  -> why
      severity                                      -> severity (table below; absent -> note)
      category                                      -> category (README: bug, security,
                                                       concurrency, data, api, perf, test_gap,
                                                       doc_defect, style, speculative)
      path | file | file_path | filename            -> path  \\ NOT in the published files
      line | start_line | from_line | line_start    -> lines  |  (``lines``/``line_range`` as
      end_line | to_line | line_end                 -> lines /   a [first, last] pair also works)

The published golden comments are text only (no commits, no file, no line), so a PR is imported
only once those fields have been added; otherwise it is skipped with that reason. A PR whose
golden comments are only partly located is skipped too: a located subset would score the
reviewer's correct findings on the others as noise.

Repository clones
-----------------
``repos`` holds clones of the benchmark's repositories. For ``owner/name`` the importers try, in
order, ``repos/owner/name``, ``repos/owner__name``, ``repos/name`` (each also with a ``.git``
suffix, for bare clones); for Martian both ``url``'s and ``original_url``'s repository are tried.
The first clone holding both commits (``git cat-file -e <sha>^{commit}``) is used and written as
``repo:`` (absolute path).

Category mapping (label lowercased, punctuation -> space; exact labels first, then keywords)
---------------------------------------------------------------------------------------------
    security, security vulnerability, vulnerability, vuln               -> security
    performance, perf, efficiency                                       -> performance
    documentation, docs, doc, doc defect, comment, comments             -> docs
    breaking change, compatibility, compat, config, configuration,
    deploy, deployment, release, migration                              -> release
    style, code style, convention, coding standard, standard(s),
    naming, formatting, lint                                            -> codex
    code defect, bug, logic, error handling, maintainability,
    maintainability and readability, readability, concurrency, data,
    api, test gap, testing, speculative, and anything else              -> quality
Keyword fallback for other labels: secur/vuln -> security; perf -> performance; doc/comment ->
docs; break/compat/config/deploy/release/migrat -> release; style/convention/standard/naming/
format/lint -> codex; otherwise quality.

Severity mapping (the case's severity is the minimum that counts as agreement)
------------------------------------------------------------------------------
    critical, blocker, p0                   -> critical
    high, major, important, p1              -> important
    medium, moderate, normal, p2            -> suggestion
    low, minor, trivial, info, nit, p3      -> note
    absent                                  -> note
An unknown severity label is a ConfigError.

Case names are ``aacr-<owner>__<name>-pr<N>`` / ``martian-<owner>__<name>-pr<N>`` (characters
other than letters, digits, ``.``, ``_``, ``-`` become ``-``; a clash within one import gets
``-2``, ``-3``…). Re-running an import rewrites the same folders; it does not delete folders of
samples that are now skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from reviewer.errors import ConfigError
from reviewer.git_cli import Git
from reviewer.models import Category, Severity

__all__ = ["ImportSummary", "clone_candidates", "import_aacr", "import_martian", "map_category", "map_severity"]


@dataclass
class ImportSummary:
    """What one import wrote and what it skipped (sample id, reason)."""

    out: Path
    written: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    cases: list[Path] = field(default_factory=list)

    def render(self) -> str:
        """One paragraph: how many cases were written where, and each skipped sample with why."""
        text = f"Wrote {self.written} case{'s' if self.written != 1 else ''} to {self.out}."
        if not self.skipped:
            return text + " No sample was skipped."
        reasons = "; ".join(f"{sample} ({reason})" for sample, reason in self.skipped)
        return f"{text} Skipped {len(self.skipped)}: {reasons}."


# --- field alternatives ----------------------------------------------------------------------

_AACR_URL = ("githubPrUrl", "pr_url", "prUrl", "url", "html_url")
_AACR_BASE = ("source_commit", "base_commit", "base_sha", "base")
_AACR_HEAD = ("target_commit", "head_commit", "head_sha", "head")
_REPO = ("repo", "repository", "repo_name")
_LANGUAGE = ("project_main_language", "language")
_AACR_COMMENTS = ("comments", "review_comments", "golden_comments")
_PATH = ("path", "file", "file_path", "filename")
_FIRST_LINE = ("from_line", "start_line", "line_start", "line")
_LAST_LINE = ("to_line", "end_line", "line_end")
_AACR_TEXT = ("note", "comment", "body", "text", "content")
_CATEGORY = ("category", "type", "issue_type", "label")
_SEVERITY = ("severity", "priority", "level")

_MARTIAN_URL = ("url", "pr_url", "html_url")
_MARTIAN_BASE = ("base_sha", "base_commit", "base", "source_commit")
_MARTIAN_HEAD = ("head_sha", "head_commit", "head", "target_commit")
_MARTIAN_COMMENTS = ("comments", "golden_comments")
_MARTIAN_TEXT = ("comment", "body", "text", "note")
_MARTIAN_FIRST = ("line", "start_line", "from_line", "line_start")
_MARTIAN_LAST = ("end_line", "to_line", "line_end")
_LINE_PAIR = ("lines", "line_range")

# --- label mapping ---------------------------------------------------------------------------

_CATEGORY_EXACT: dict[str, Category] = {
    **dict.fromkeys(("security", "security vulnerability", "vulnerability", "vuln", "security issue"),
                    Category.SECURITY),
    **dict.fromkeys(("performance", "perf", "efficiency"), Category.PERFORMANCE),
    **dict.fromkeys(("documentation", "docs", "doc", "doc defect", "comment", "comments"), Category.DOCS),
    **dict.fromkeys(("breaking change", "compatibility", "compat", "config", "configuration", "deploy",
                     "deployment", "release", "migration"), Category.RELEASE),
    **dict.fromkeys(("style", "code style", "convention", "coding standard", "standard", "standards",
                     "naming", "formatting", "lint"), Category.CODEX),
    **dict.fromkeys(("code defect", "bug", "logic", "error handling", "maintainability",
                     "maintainability and readability", "readability", "concurrency", "data", "api",
                     "test gap", "testing", "speculative"), Category.QUALITY),
}
_CATEGORY_KEYWORDS: tuple[tuple[tuple[str, ...], Category], ...] = (
    (("secur", "vuln"), Category.SECURITY),
    (("perf",), Category.PERFORMANCE),
    (("doc", "comment"), Category.DOCS),
    (("break", "compat", "config", "deploy", "release", "migrat"), Category.RELEASE),
    (("style", "convention", "standard", "naming", "format", "lint"), Category.CODEX),
)
_SEVERITY_TABLE: dict[str, Severity] = {
    **dict.fromkeys(("critical", "blocker", "p0"), Severity.CRITICAL),
    **dict.fromkeys(("high", "major", "important", "p1"), Severity.IMPORTANT),
    **dict.fromkeys(("medium", "moderate", "normal", "p2", "suggestion"), Severity.SUGGESTION),
    **dict.fromkeys(("low", "minor", "trivial", "info", "nit", "p3", "note"), Severity.NOTE),
}


def _normal(label: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", label.lower()).split())


def map_category(label: object) -> Category:
    """Our category for a benchmark's category/type label (see the module table)."""
    if not isinstance(label, str) or not label.strip():
        return Category.QUALITY
    norm = _normal(label)
    if norm in _CATEGORY_EXACT:
        return _CATEGORY_EXACT[norm]
    words = norm.split()
    for stems, category in _CATEGORY_KEYWORDS:
        if any(word.startswith(stem) for word in words for stem in stems):
            return category
    return Category.QUALITY


def map_severity(label: object) -> Severity | None:
    """Our severity for a benchmark label; ``note`` when absent, ``None`` when unknown."""
    if label is None or (isinstance(label, str) and not label.strip()):
        return Severity.NOTE
    if not isinstance(label, str):
        return None
    return _SEVERITY_TABLE.get(_normal(label))


# --- reading the benchmark files -------------------------------------------------------------

class _Where:
    """File and sample index, for one-line errors."""

    def __init__(self, file: Path, index: int) -> None:
        self.file, self.index = file, index

    def error(self, message: str) -> ConfigError:
        return ConfigError(f"{self.file}: sample {self.index}: {message}")

    def missing(self, names: tuple[str, ...], within: str = "") -> ConfigError:
        alternatives = f" (also accepted: {', '.join(names[1:])})" if len(names) > 1 else ""
        return self.error(f"missing field '{within}{names[0]}'{alternatives}")


def _pick(record: Mapping[str, Any], names: Iterable[str]) -> Any:
    """The first of ``names`` present in ``record`` with a non-empty value, else None."""
    for name in names:
        value = record.get(name)
        if value is not None and value != "" and value != []:
            return value
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value).strip()


def _commit(value: Any) -> str:
    """A commit field: a string, or a GitHub-API-like ``{"sha": ...}``."""
    if isinstance(value, Mapping):
        value = value.get("sha")
    return _text(value)


def _read_json_array(file: Path) -> list[Any]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{file}: file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{file}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if isinstance(data, Mapping):  # {pr_url: sample}: the shape of Martian's benchmark_data.json
        return [dict(value, url=value.get("url") or key) if isinstance(value, Mapping) else value
                for key, value in data.items()]
    if not isinstance(data, list):
        raise ConfigError(f"{file}: expected a JSON array of samples, found {type(data).__name__}")
    return data


@dataclass(frozen=True)
class _PullRequest:
    """Where a PR lives: host path of its repository (``owner/name``) and its number."""

    slug: str
    number: str

    @property
    def owner(self) -> str:
        return self.slug.rpartition("/")[0]

    @property
    def name(self) -> str:
        return self.slug.rpartition("/")[2]

    @property
    def label(self) -> str:
        return f"{self.slug}#{self.number}" if self.number else self.slug


_PR_MARKERS = ("pull", "pulls", "merge_requests")


def _parse_pr(url: Any, repo: Any = None, number: Any = None) -> _PullRequest | None:
    """Repository and PR number from a PR URL (GitHub ``/pull/N``, GitLab ``/-/merge_requests/N``),
    or from an explicit ``owner/name`` repository (a URL or a slug)."""
    slug, found_number = "", ""
    for candidate in (url, repo):
        if not isinstance(candidate, str) or not candidate.strip():
            continue
        text = candidate.strip()
        path = urlparse(text).path if "://" in text else text.split(":", 1)[-1] if text.startswith("git@") else text
        parts = [p for p in path.strip("/").split("/") if p]
        marker = next((i for i, p in enumerate(parts) if p in _PR_MARKERS), None)
        if marker is not None:
            if not found_number and marker + 1 < len(parts) and parts[marker + 1].isdigit():
                found_number = parts[marker + 1]
            parts = parts[:marker]
        parts = [p for p in parts if p != "-"]
        if parts and not slug:
            parts[-1] = parts[-1].removesuffix(".git")
            slug = "/".join(parts)
    if not slug:
        return None
    if number is not None and not found_number:
        found_number = _text(number)
    return _PullRequest(slug, found_number)


# --- repositories ----------------------------------------------------------------------------

def clone_candidates(repos: Path, slug: str) -> list[Path]:
    """Where a clone of ``owner/name`` may be: ``owner/name``, ``owner__name``, ``name`` (+ ``.git``)."""
    owner, _, name = slug.rpartition("/")
    names = [f"{owner}/{name}", f"{owner.replace('/', '__')}__{name}"] if owner else []
    names.append(name)
    paths: list[Path] = []
    for rel in names:
        for variant in (rel, f"{rel}.git"):
            path = repos / variant
            if path not in paths:
                paths.append(path)
    return paths


def _is_clone(path: Path) -> bool:
    """A git work tree rooted here, or a bare repository here (not a folder inside another repo)."""
    if not path.is_dir():
        return False
    result = Git(path).run("rev-parse", "--absolute-git-dir")
    if result.returncode != 0:
        return False
    git_dir = Path(result.stdout.decode("utf-8", errors="replace").strip())
    return (path / ".git").exists() or git_dir.resolve() == path.resolve()


def _has_commit(clone: Path, sha: str) -> bool:
    if not sha or sha.startswith("-"):
        return False
    return Git(clone).run("cat-file", "-e", f"{sha}^{{commit}}").returncode == 0


def _find_clone(repos: Path, slugs: Iterable[str], base: str, head: str) -> tuple[Path | None, str]:
    """The first clone holding both commits, else (None, why not)."""
    tried: list[str] = []
    clones: list[Path] = []
    for slug in dict.fromkeys(slugs):
        for path in clone_candidates(repos, slug):
            tried.append(str(path.relative_to(repos)))
            if path not in clones and _is_clone(path):
                clones.append(path)
    if not clones:
        return None, f"no clone under {repos} (tried {', '.join(tried)})"
    problems = []
    for clone in clones:
        missing = [f"{role} commit {sha}" for role, sha in (("base", base), ("head", head))
                   if not _has_commit(clone, sha)]
        if not missing:
            return clone, ""
        problems.append(f"{' and '.join(missing)} not found in {clone}")
    return None, "; ".join(problems)


# --- writing cases ---------------------------------------------------------------------------

class _Writer:
    """Writes ``case.yaml`` files under ``out`` with unique, filesystem-safe folder names."""

    def __init__(self, out: Path) -> None:
        self.summary = ImportSummary(out=out)
        self._used: set[str] = set()

    def name(self, prefix: str, pr: _PullRequest, fallback: str) -> str:
        owner = pr.owner.replace("/", "__")
        stem = f"{prefix}-{owner}__{pr.name}" if owner else f"{prefix}-{pr.name}"
        stem += f"-pr{pr.number}" if pr.number else f"-{fallback}"
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or prefix
        name, n = stem, 1
        while name.lower() in self._used:
            n += 1
            name = f"{stem}-{n}"
        self._used.add(name.lower())
        return name

    def write(self, name: str, case: dict[str, Any]) -> None:
        folder = self.summary.out / name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "case.yaml"
        path.write_text(yaml.safe_dump(case, sort_keys=False, allow_unicode=True, default_flow_style=None),
                        encoding="utf-8")
        self.summary.written += 1
        self.summary.cases.append(path)

    def skip(self, sample: str, reason: str) -> None:
        self.summary.skipped.append((sample, reason))


def _case(clone: Path, base: str, head: str, source: str, expected: list[dict[str, Any]], *,
          title: str = "", language: str = "", tags: list[str] | None = None, notes: str = "") -> dict[str, Any]:
    case: dict[str, Any] = {"repo": str(clone.resolve()), "base": base, "head": head}
    if title:
        case["title"] = title
    case["source"] = source
    if language:
        case["language"] = language
    if tags:
        case["tags"] = tags
    if notes:
        case["notes"] = notes
    case["expected"] = expected
    return case


def _line(value: Any) -> int | None:
    """A 1-based line number from an int or a digit string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value) if int(value) >= 1 else None
    return None


def _severity(where: _Where, comment: Mapping[str, Any], index: int, names: tuple[str, ...]) -> Severity:
    label = _pick(comment, names)
    severity = map_severity(label)
    if severity is None:
        raise where.error(f"comments[{index}].{names[0]}: unknown severity {label!r} "
                          f"(expected one of critical, high, medium, low)")
    return severity


# --- AACR-Bench ------------------------------------------------------------------------------

@dataclass
class _AacrSample:
    where: _Where
    negative: bool
    record: Mapping[str, Any]
    pr: _PullRequest
    base: str
    head: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.pr.slug.lower(), self.pr.number or f"{self.base}..{self.head}")

    @property
    def id(self) -> str:
        return self.pr.label if self.pr.number else f"{self.pr.slug}@{self.head[:12]}"


def _aacr_files(dataset: Path) -> list[tuple[Path, bool]]:
    if dataset.is_dir():
        files = [(dataset / "positive_samples.json", False), (dataset / "negative_samples.json", True)]
        present = [(f, negative) for f, negative in files if f.is_file()]
        if not present:
            raise ConfigError(f"{dataset}: neither positive_samples.json nor negative_samples.json is there")
        return present
    if not dataset.is_file():
        raise ConfigError(f"{dataset}: no such AACR-Bench file or folder")
    return [(dataset, "negative" in dataset.name.lower())]


def _aacr_sample(file: Path, index: int, record: Any, negative: bool) -> _AacrSample:
    where = _Where(file, index)
    if not isinstance(record, Mapping):
        raise where.error(f"expected an object, found {type(record).__name__}")
    url = _pick(record, _AACR_URL)
    repo = _pick(record, _REPO)
    if url is None and repo is None:
        raise where.missing(_AACR_URL)
    pr = _parse_pr(url, repo, _pick(record, ("pr_number", "pr_id", "number")))
    if pr is None:
        raise where.error(f"cannot tell the repository from {_AACR_URL[0]} {url!r}")
    base, head = _commit(_pick(record, _AACR_BASE)), _commit(_pick(record, _AACR_HEAD))
    if not base:
        raise where.missing(_AACR_BASE)
    if not head:
        raise where.missing(_AACR_HEAD)
    return _AacrSample(where, negative, record, pr, base, head)


def _aacr_expected(sample: _AacrSample) -> tuple[list[dict[str, Any]], str]:
    """The expected findings of a positive sample, or ([], reason to skip it)."""
    where, comments = sample.where, _pick(sample.record, _AACR_COMMENTS)
    if comments is None:
        comments = []
    if not isinstance(comments, list):
        raise where.error(f"field '{_AACR_COMMENTS[0]}' must be a list")
    expected: list[dict[str, Any]] = []
    for i, comment in enumerate(comments):
        if not isinstance(comment, Mapping):
            raise where.error(f"comments[{i}] must be an object")
        path = _text(_pick(comment, _PATH))
        if not path:
            raise where.missing(_PATH, f"comments[{i}].")
        why = _text(_pick(comment, _AACR_TEXT))
        if not why:
            raise where.missing(_AACR_TEXT, f"comments[{i}].")
        raw_first = _pick(comment, _FIRST_LINE)
        if raw_first is None:
            raise where.missing(_FIRST_LINE, f"comments[{i}].")
        raw_last = _pick(comment, _LAST_LINE)
        first, last = _line(raw_first), _line(raw_first if raw_last is None else raw_last)
        if first is None or last is None:
            return [], f"comment {i} on {path} has no valid line range ({raw_first!r}..{raw_last!r})"
        if _text(comment.get("side")).lower() == "left":
            return [], f"comment {i} on {path} is on the old (left) side: its lines are not HEAD lines"
        expected.append({
            "path": path,
            "lines": sorted((first, last)),
            "category": map_category(_pick(comment, _CATEGORY)).value,
            "severity": _severity(where, comment, i, _SEVERITY).value,
            "why": why,
        })
    return expected, ""


def import_aacr(dataset: Path, repos: Path, out: Path) -> ImportSummary:
    """Write one case per AACR-Bench PR found in ``dataset`` whose commits are in a clone under ``repos``.

    Every file is read and checked before anything is written, so a malformed file writes nothing.
    """
    dataset, repos, out = Path(dataset), Path(repos), Path(out)
    samples = [_aacr_sample(file, index, record, negative)
               for file, negative in _aacr_files(dataset)
               for index, record in enumerate(_read_json_array(file))]
    positive_keys = {s.key for s in samples if not s.negative}
    rejected: dict[tuple[str, str], int] = {}
    for s in samples:
        if s.negative:
            comments = _pick(s.record, _AACR_COMMENTS)
            rejected[s.key] = rejected.get(s.key, 0) + (len(comments) if isinstance(comments, list) else 0)
    findings = {id(s): _aacr_expected(s) for s in samples if not s.negative}

    writer = _Writer(out)
    for s in samples:
        sample_id = f"aacr:{s.id}" + (" (negative)" if s.negative else "")
        if s.negative and s.key in positive_keys:
            writer.skip(sample_id, "same PR as a positive sample: its comments are rejected review comments, "
                                   "not evidence that the PR is clean")
            continue
        expected, reason = findings.get(id(s), ([], ""))
        if reason:
            writer.skip(sample_id, reason)
            continue
        clone, reason = _find_clone(repos, [s.pr.slug], s.base, s.head)
        if clone is None:
            writer.skip(sample_id, reason)
            continue
        tags = ["aacr-bench", "negative" if s.negative else "positive"]
        pr_category = _text(s.record.get("category"))
        if pr_category:
            tags.append(pr_category)
        notes = ""
        if s.negative:
            notes = "AACR-Bench negative sample: every annotated comment on this PR was rejected."
        elif rejected.get(s.key):
            notes = (f"AACR-Bench also lists {rejected[s.key]} rejected (negative) comment(s) for this PR; "
                     "they are not expected findings.")
        url = _text(_pick(s.record, _AACR_URL))
        if url:
            notes = f"{url}\n{notes}".strip()
        name = writer.name("aacr", s.pr, s.head[:12] + ("-negative" if s.negative else ""))
        writer.write(name, _case(clone, s.base, s.head, f"aacr:{s.id}", expected,
                                 language=_text(_pick(s.record, _LANGUAGE)), tags=tags, notes=notes))
    return writer.summary


# --- Martian Code Review Bench ---------------------------------------------------------------

def _martian_files(dataset: Path) -> list[Path]:
    if dataset.is_dir():
        files = sorted(p for p in dataset.glob("*.json") if p.is_file())
        if not files:
            raise ConfigError(f"{dataset}: no golden comment files (*.json) there")
        return files
    if not dataset.is_file():
        raise ConfigError(f"{dataset}: no such Martian golden comments file or folder")
    return [dataset]


def _martian_location(comment: Mapping[str, Any]) -> tuple[str, list[int]] | None:
    path = _text(_pick(comment, _PATH))
    pair = _pick(comment, _LINE_PAIR)
    if isinstance(pair, list) and pair:
        first, last = _line(pair[0]), _line(pair[-1])
    elif pair is not None and not isinstance(pair, list):
        first = last = _line(pair)
    else:
        raw_first = _pick(comment, _MARTIAN_FIRST)
        raw_last = _pick(comment, _MARTIAN_LAST)
        first, last = _line(raw_first), _line(raw_first if raw_last is None else raw_last)
    if not path or first is None or last is None:
        return None
    return path, sorted((first, last))


@dataclass
class _MartianSample:
    id: str
    pr: _PullRequest
    slugs: list[str]
    base: str
    head: str
    expected: list[dict[str, Any]]
    skip: str
    case: dict[str, Any]


def _martian_sample(where: _Where, record: Any) -> _MartianSample:
    if not isinstance(record, Mapping):
        raise where.error(f"expected an object, found {type(record).__name__}")
    url, original = _pick(record, _MARTIAN_URL), _pick(record, ("original_url",))
    repo = _pick(record, _REPO)
    if url is None and repo is None:
        raise where.missing(_MARTIAN_URL)
    pr = _parse_pr(url, repo, _pick(record, ("pr_number", "number")))
    if pr is None:
        raise where.error(f"cannot tell the repository from {_MARTIAN_URL[0]} {url!r}")
    upstream = _parse_pr(original) if original is not None else None
    comments = _pick(record, _MARTIAN_COMMENTS)
    if comments is None:
        raise where.missing(_MARTIAN_COMMENTS)
    if not isinstance(comments, list):
        raise where.error(f"field '{_MARTIAN_COMMENTS[0]}' must be a list")

    expected: list[dict[str, Any]] = []
    unlocated = 0
    for i, comment in enumerate(comments):
        if not isinstance(comment, Mapping):
            raise where.error(f"comments[{i}] must be an object")
        why = _text(_pick(comment, _MARTIAN_TEXT))
        if not why:
            raise where.missing(_MARTIAN_TEXT, f"comments[{i}].")
        severity = _severity(where, comment, i, ("severity",))
        location = _martian_location(comment)
        if location is None:
            unlocated += 1
            continue
        path, lines = location
        expected.append({"path": path, "lines": lines,
                         "category": map_category(comment.get("category")).value,
                         "severity": severity.value, "why": why})

    base, head = _commit(_pick(record, _MARTIAN_BASE)), _commit(_pick(record, _MARTIAN_HEAD))
    skip = ""
    if not base or not head:
        missing = " and ".join(n for n, v in (("base_sha", base), ("head_sha", head)) if not v)
        skip = f"no {missing} in the sample (the published golden files carry only the PR URL)"
    elif unlocated:
        skip = (f"{unlocated} of {len(comments)} golden comments have no file path and line "
                "(the published golden files carry only text)")
    notes = "\n".join(x for x in (_text(url), _text(original) and f"original: {_text(original)}",
                                  _text(record.get("az_comment"))) if x)
    meta = {"title": _text(_pick(record, ("pr_title", "title"))), "language": _text(_pick(record, _LANGUAGE)),
            "tags": ["martian-code-review-bench", where.file.stem], "notes": notes}
    return _MartianSample(f"martian:{pr.label}", pr, [s.slug for s in (upstream, pr) if s is not None],
                          base, head, expected, skip, meta)


def import_martian(dataset: Path, repos: Path, out: Path) -> ImportSummary:
    """Write one case per Martian golden-comment PR in ``dataset`` whose commits are in a clone under ``repos``.

    Every file is read and checked before anything is written, so a malformed file writes nothing.
    """
    dataset, repos, out = Path(dataset), Path(repos), Path(out)
    samples = [_martian_sample(_Where(file, index), record)
               for file in _martian_files(dataset)
               for index, record in enumerate(_read_json_array(file))]
    writer = _Writer(out)
    for s in samples:
        if s.skip:
            writer.skip(s.id, s.skip)
            continue
        clone, reason = _find_clone(repos, s.slugs, s.base, s.head)
        if clone is None:
            writer.skip(s.id, reason)
            continue
        writer.write(writer.name("martian", s.pr, s.head[:12]),
                     _case(clone, s.base, s.head, s.id, s.expected, **s.case))
    return writer.summary
