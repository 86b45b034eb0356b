"""Deterministic Codex detectors: patterns over added lines, no model needed.

A detector fires on an added line when its ``pattern`` is found in the line, its
``not_pattern`` is absent from the line's whole statement (the line plus the continuation
lines that close its brackets, or up to ``;`` in SQL), and its ``enclosing`` condition, if
any, holds for the block around the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reviewer.codex.languages import comment_prefixes, language_of
from reviewer.codex.loader import RuleSet
from reviewer.codex.schema import Detector, Enclosing, Rule
from reviewer.models import FileDiff, Finding

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
        if not active:
            continue
        language = language_of(file.path)
        for hunk in file.hunks:
            lines = [
                SourceLine(d.content.rstrip("\r\n"), d.kind == "added", d.new_line)
                for d in hunk.lines if d.kind != "removed"
            ]
            for rule in active:
                for index in matching_lines(rule.detector, lines, language, hunk.section):
                    findings.append(_finding(rule, file.path, lines[index].line))
    return findings


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
    suppress = _regex(detector.not_pattern, flags) if detector.not_pattern else None
    prefixes = comment_prefixes(language)
    hits = []
    for index, source in enumerate(lines):
        if not source.added or not _wanted(source.text, detector.lines, prefixes):
            continue
        if not pattern.search(source.text):
            continue
        if suppress and suppress.search(_statement(lines, index, language)):
            continue
        if detector.enclosing and not _enclosed(lines, index, detector.enclosing, section, flags, prefixes):
            continue
        hits.append(index)
    return hits


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

