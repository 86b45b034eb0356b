"""Deterministic Codex detectors: patterns over added lines, no model needed.

A detector fires on an added line when its ``pattern`` is found in the line, its
``not_pattern`` is absent from the line's whole statement (the line plus the continuation
lines that close its brackets, or up to ``;`` in SQL), and its ``enclosing`` condition, if
any, holds for the block around the line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from reviewer.codex.languages import comment_prefixes, language_of
from reviewer.codex.loader import RuleSet
from reviewer.codex.schema import Detector, Enclosing, Rule
from reviewer.models import FileDiff, Finding, Hunk

__all__ = ["DETECTOR_AGENT", "SourceLine", "matching_lines", "run_detectors", "snippet_fires"]

DETECTOR_AGENT = "codex-detector"
_MAX_STATEMENT_LINES = 12
_CLOSING_ONLY = re.compile(r"^[\s)\]}]+[\s,;)\]}]*$")
_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`(?:\\.|[^`\\])*`')


@dataclass(frozen=True)
class SourceLine:
    """One new-side line of a hunk: its text, whether it was added, and its new line number."""

    text: str
    added: bool
    line: int | None = None


def run_detectors(files: Sequence[FileDiff], rules: RuleSet) -> list[Finding]:
    """Return one finding per (added line, rule) where a rule's detector fires.

    Files marked not-for-review (``skip_reason``) and deleted files are never searched.
    """
    findings: list[Finding] = []
    for file in files:
        if not file.reviewable or file.deleted_file:
            continue
        active = [r for r in rules.for_path(file.path) if r.detector is not None]
        if active:
            findings.extend(_file_findings(file, active))
    return findings


def _file_findings(file: FileDiff, active: Sequence[Rule]) -> list[Finding]:
    """The detector findings of one file, in hunk, rule, line order (as ``matching_lines`` per hunk)."""
    language = language_of(file.path)
    prefixes = comment_prefixes(language)
    added = [(h, i, d) for h, hunk in enumerate(file.hunks)
             for i, d in enumerate(x for x in hunk.lines if x.kind != "removed") if d.kind == "added"]
    texts = [d.content.rstrip("\r\n") for _, _, d in added]
    comment = [bool(prefixes) and t.lstrip().startswith(prefixes) for t in texts]
    searched = {
        "any": _Lines(texts, range(len(texts))),
        "code": _Lines(texts, [k for k, c in enumerate(comment) if not c]),
        "comment": _Lines(texts, [k for k, c in enumerate(comment) if c]),
    }
    hunk_lines: dict[int, list[SourceLine]] = {}
    hits: list[tuple[int, int, int]] = []
    for order, rule in enumerate(active):
        detector = rule.detector
        assert detector is not None  # run_detectors passes detector rules only
        flags = re.IGNORECASE if detector.ignore_case else 0
        pattern = _regex(detector.pattern, flags)
        for k in searched[detector.lines].candidates(detector.pattern, flags):
            if not pattern.search(texts[k]):
                continue
            h, i, _ = added[k]
            if detector.not_pattern or detector.enclosing:
                if h not in hunk_lines:
                    hunk_lines[h] = _source_lines(file.hunks[h])
                if not _fires(detector, hunk_lines[h], i, language, file.hunks[h].section, flags, prefixes):
                    continue
            hits.append((h, order, k))
    hits.sort()
    return [_finding(active[order], file.path, added[k][2].new_line) for _, order, k in hits]


def _source_lines(hunk: Hunk) -> list[SourceLine]:
    return [SourceLine(d.content.rstrip("\r\n"), d.kind == "added", d.new_line) for d in hunk.lines if d.kind != "removed"]


class _Lines:
    """Some of a file's added lines, joined, so a substring search can skip most of them."""

    def __init__(self, texts: list[str], indexes: Sequence[int]) -> None:
        self.indexes = list(indexes)
        self.text = "\n".join(texts[k] for k in self.indexes)
        self.starts = list(accumulate((len(texts[k]) + 1 for k in self.indexes[:-1]), initial=0))
        self._folded: str | None = None

    def candidates(self, pattern: str, flags: int) -> list[int]:
        """Indexes (into the file's added lines) of the lines that may match ``pattern``.

        Every line with a match is among them: a match always contains one of the pattern's
        required substrings (``_required``), so lines without any of them are skipped.
        """
        if not self.indexes:
            return []
        required = _required(pattern, flags)
        if required is None:
            return self.indexes
        needles, folded = required
        if folded:
            if not self.text.isascii():  # lower() is exact for case-insensitive matching of ASCII only
                return self.indexes
            if self._folded is None:
                self._folded = self.text.lower()
            text = self._folded
        else:
            text = self.text
        found: set[int] = set()
        for needle in needles:
            at = text.find(needle)
            while at != -1:
                line = bisect_right(self.starts, at) - 1
                found.add(line)
                if line + 1 >= len(self.starts):
                    break
                at = text.find(needle, self.starts[line + 1])
        return [self.indexes[n] for n in sorted(found)]


def snippet_fires(rule: Rule, snippet: str) -> bool:
    """Return True when ``rule``'s detector fires on ``snippet`` read as all-added lines.

    The snippet is tried as each of the rule's languages (they differ in comment syntax):
    it fires when it fires as any of them.
    """
    if rule.detector is None:
        return False
    lines = [SourceLine(t, True, n) for n, t in enumerate(snippet.splitlines(), start=1)]
    languages = rule.scope.languages or [None]
    return any(matching_lines(rule.detector, lines, language, "") for language in languages)


def matching_lines(
    detector: Detector, lines: Sequence[SourceLine], language: str | None, section: str = ""
) -> list[int]:
    """Return the indexes of the added ``lines`` on which ``detector`` fires."""
    flags = re.IGNORECASE if detector.ignore_case else 0
    pattern = _regex(detector.pattern, flags)
    prefixes = comment_prefixes(language)
    hits = []
    for index, source in enumerate(lines):
        if not source.added or not _wanted(source.text, detector.lines, prefixes):
            continue
        if pattern.search(source.text) and _fires(detector, lines, index, language, section, flags, prefixes):
            hits.append(index)
    return hits


def _fires(
    detector: Detector, lines: Sequence[SourceLine], index: int, language: str | None, section: str,
    flags: int, prefixes: tuple[str, ...],
) -> bool:
    """The checks after the pattern was found in ``lines[index]``: ``not_pattern`` and ``enclosing``."""
    if detector.not_pattern and _regex(detector.not_pattern, flags).search(_statement(lines, index, language)):
        return False
    return not detector.enclosing or _enclosed(lines, index, detector.enclosing, section, flags, prefixes)


def _finding(rule: Rule, path: str, line: int | None) -> Finding:
    return Finding(
        path=path,
        line=line,
        severity=rule.severity,
        category=rule.category,
        rule_id=rule.id,
        title=rule.title,
        body=f"{rule.rule}\n\n{rule.why}",
        agent=DETECTOR_AGENT,
    )


def _wanted(text: str, which: str, prefixes: tuple[str, ...]) -> bool:
    """Apply the detector's ``lines`` filter (code / comment / any)."""
    if which == "any":
        return True
    is_comment = bool(prefixes) and text.lstrip().startswith(prefixes)
    return is_comment if which == "comment" else not is_comment


def _statement(lines: Sequence[SourceLine], index: int, language: str | None) -> str:
    """Return the line at ``index`` joined with the lines that continue its statement."""
    parts: list[str] = []
    depth = 0
    for source in lines[index:index + _MAX_STATEMENT_LINES]:
        parts.append(source.text)
        if language == "sql":
            if ";" in source.text:
                break
            continue
        bare = _STRINGS.sub("", source.text)
        depth += sum(bare.count(c) for c in "([{") - sum(bare.count(c) for c in ")]}")
        if depth <= 0:
            break
    return "\n".join(parts)


def _enclosed(
    lines: Sequence[SourceLine], index: int, enclosing: Enclosing, section: str,
    flags: int, prefixes: tuple[str, ...],
) -> bool:
    """Decide the ``enclosing`` condition by walking outwards through less-indented lines."""
    block, match = _regex(enclosing.block, flags), _regex(enclosing.match, flags)
    text = lines[index].text
    if block.search(text):
        return bool(match.search(text))
    threshold = _indent(text)
    for source in reversed(lines[:index]):
        candidate = source.text
        if not candidate.strip() or _CLOSING_ONLY.match(candidate):
            continue
        if prefixes and candidate.lstrip().startswith(prefixes):
            continue
        indent = _indent(candidate)
        if indent >= threshold:
            continue
        if block.search(candidate):
            return bool(match.search(candidate))
        if indent == 0:
            return False
        threshold = indent
    if threshold > 0 and section and block.search(section):
        return bool(match.search(section))
    return False


def _indent(text: str) -> int:
    return len(text.expandtabs(4)) - len(text.expandtabs(4).lstrip())


@lru_cache(maxsize=1024)
def _regex(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


@lru_cache(maxsize=1024)
def _required(pattern: str, flags: int) -> tuple[frozenset[str], bool] | None:
    """Substrings one of which every match of ``pattern`` contains, and whether they are lower-cased.

    None when no such set is known (the pattern is searched in every line). Derived from the
    parsed pattern: runs of literal characters, alternatives, repeats of at least one.
    """
    try:
        parsed = re._parser.parse(pattern, flags)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - any doubt means "search every line"
        return None
    folded = bool(parsed.state.flags & re.IGNORECASE)
    needles = _needles(parsed)
    if not needles or (folded and not all(n.isascii() for n in needles)):
        return None
    return (frozenset(n.lower() for n in needles) if folded else frozenset(needles)), folded


def _needles(items: object) -> frozenset[str] | None:
    """The best required-substring set of a parsed sequence, or None."""
    c = re._constants  # type: ignore[attr-defined]
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in items:  # type: ignore[attr-defined]
        if op is c.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            options.append(frozenset(["".join(run)]))
            run = []
        found: frozenset[str] | None = None
        if op is c.SUBPATTERN and not (arg[1] | arg[2]) & re.IGNORECASE:
            found = _needles(arg[3])
        elif op is c.BRANCH:
            alternatives = [_needles(alt) for alt in arg[1]]
            if all(alternatives):
                found = frozenset().union(*alternatives)  # type: ignore[arg-type]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and arg[0] >= 1:
            found = _needles(arg[2])
        elif op is c.ATOMIC_GROUP:
            found = _needles(arg)
        if found:
            options.append(found)
    if run:
        options.append(frozenset(["".join(run)]))
    if not options:
        return None
    return max(options, key=lambda o: (min(len(n) for n in o), -len(o)))
