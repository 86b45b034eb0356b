"""GitLab Code Quality report (``artifacts:reports:codequality``): one JSON array, no BOM.

GitLab collapses items with the same fingerprint, so every item gets a unique one. A grouped
finding (one rule on many lines) gives one item per place, each with that place's own
fingerprint: the widget annotates every line, as it would without grouping.
"""

from __future__ import annotations

import hashlib
import json

from reviewer.models import Category, Finding, ReviewResult, Severity

SEVERITY_MAP = {
    Severity.CRITICAL: "critical",
    Severity.IMPORTANT: "major",
    Severity.SUGGESTION: "minor",
    Severity.NOTE: "info",
}
"""Our severities → Code Quality's (info, minor, major, critical, blocker)."""

CATEGORY_MAP = {
    Category.SECURITY: "Security",
    Category.QUALITY: "Bug Risk",
    Category.CODEX: "Style",
    Category.DOCS: "Clarity",
    Category.PERFORMANCE: "Performance",
    Category.RELEASE: "Compatibility",
}
"""Our categories → the Code Climate categories the format defines."""

ENGINE_NAME = "reviewer"


def render_codequality(result: ReviewResult) -> str:
    """The Code Quality JSON array for every finding (file-level ones on line 1)."""
    seen: set[str] = set()
    items = [_item(place, seen) for f in result.all_findings() for place in _places(f)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def _places(finding: Finding) -> list[Finding]:
    """A single finding, or a grouped one as one finding per place it stands for."""
    if not finding.occurrences:
        return [finding]
    return [finding.model_copy(update={"path": o.path, "line": o.line, "end_line": o.end_line,
                                       "fingerprint": o.fingerprint or finding.fingerprint, "occurrences": []})
            for o in finding.occurrences]


def _item(finding: Finding, seen: set[str]) -> dict:
    # Old-side lines do not exist in the new file GitLab annotates, so those anchor to line 1.
    on_new_side = finding.line is not None and finding.side == "new"
    begin = finding.line if on_new_side else 1
    lines: dict[str, int] = {"begin": begin}
    if on_new_side and finding.end_line is not None and finding.end_line > begin:
        lines["end"] = finding.end_line
    description = finding.title + (f" ({finding.rule_id})" if finding.rule_id else "")
    return {
        "type": "issue",
        "description": description,
        "check_name": finding.rule_id or f"{finding.category.value}/{finding.agent}",
        "fingerprint": _unique_fingerprint(finding, seen),
        "severity": SEVERITY_MAP[finding.severity],
        "categories": [CATEGORY_MAP[finding.category]],
        "engine_name": ENGINE_NAME,
        "location": {"path": finding.path, "lines": lines},
    }


def _unique_fingerprint(finding: Finding, seen: set[str]) -> str:
    """The finding's fingerprint (or a hash of its identity), made unique within the report."""
    base = finding.fingerprint or _sha256(
        "\x1f".join([finding.path, finding.category.value, finding.rule_id or "", finding.title])
    )
    candidate, n = base, 1
    while candidate in seen:
        n += 1
        candidate = _sha256(f"{base}\x1f{n}")
    seen.add(candidate)
    return candidate


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
