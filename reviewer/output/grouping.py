"""The order every human-readable report shows findings in."""

from __future__ import annotations

from collections.abc import Iterable

from reviewer.models import Category, Finding, Severity

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
