"""The order every human-readable report shows findings in, and how a grouped finding names its
other places (one Codex rule firing on many lines: see ``reviewer.judge``)."""

from __future__ import annotations

from collections.abc import Iterable

from reviewer.models import Category, Finding, Occurrence, Severity

SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: -s.rank))
"""Most severe first: critical, important, suggestion, note."""

CATEGORIES: tuple[Category, ...] = tuple(Category)


def sort_key(finding: Finding) -> tuple:
    """Stable order inside one severity and category: by path, then line, rule and title."""
    return (finding.path, finding.line or 0, finding.rule_id or "", finding.title)


def grouped(findings: Iterable[Finding]) -> list[tuple[Severity, list[tuple[Category, list[Finding]]]]]:
    """Findings by severity (Critical first), then category; empty groups left out."""
    items = list(findings)
    groups = []
    for severity in SEVERITIES:
        by_category = []
        for category in CATEGORIES:
            members = sorted((f for f in items if f.severity is severity and f.category is category), key=sort_key)
            if members:
                by_category.append((category, members))
        if by_category:
            groups.append((severity, by_category))
    return groups


def location(finding: Finding) -> str:
    """``path``, ``path:12`` or ``path:12-14``; ``(old)`` when the line is on the old side."""
    if finding.line is None:
        return finding.path
    where = f"{finding.path}:{finding.line}"
    if finding.end_line is not None and finding.end_line != finding.line:
        where += f"-{finding.end_line}"
    return where + (" (old)" if finding.side == "old" else "")


def severity_counts(findings: Iterable[Finding]) -> str:
    """"1 critical, 2 important" — only the severities present, most severe first."""
    items = list(findings)
    parts = [f"{n} {s.value}" for s in SEVERITIES if (n := sum(f.severity is s for f in items))]
    return ", ".join(parts)


MAX_LISTED_OCCURRENCES = 50
"""Most other places a grouped finding's list shows (the JSON report has them all)."""


def occurrence_location(occurrence: Occurrence) -> str:
    """``path:12`` or ``path:12-14`` (``path`` alone for a file-level place)."""
    if occurrence.line is None:
        return occurrence.path
    where = f"{occurrence.path}:{occurrence.line}"
    if occurrence.end_line is not None and occurrence.end_line != occurrence.line:
        where += f"-{occurrence.end_line}"
    return where


def other_occurrences(finding: Finding) -> list[Occurrence]:
    """The places a grouped finding stands for besides its own (empty for a single finding)."""
    return list(finding.occurrences[1:])


def others_heading(finding: Finding) -> str:
    """"The same problem at 10 more places:" for a grouped finding ("" otherwise)."""
    others = len(other_occurrences(finding))
    if not others:
        return ""
    places = "place" if others == 1 else "places"
    return f"The same problem at {others} more {places}:"


def listed_others(finding: Finding, limit: int = MAX_LISTED_OCCURRENCES) -> tuple[list[str], int]:
    """The locations of a grouped finding's other places, at most ``limit``, and how many more."""
    others = other_occurrences(finding)
    return [occurrence_location(o) for o in others[:limit]], max(0, len(others) - limit)
