"""The judge: verify, merge and cap the findings of every agent and detector.

Rules, in order:

1. a finding whose path is not a file of the change is dropped (counted in the report);
   paths are normalised first (``./x``, ``/x``, ``a/x``, ``b/x``, backslashes);
2. a finding whose line is not a commentable line of the diff on its side becomes a
   file-level finding (never moved to an invented line); a range that ends before it starts
   or leaves the line's hunk is clamped to the single line;
3. a cited rule ID that the Codex does not know (or has removed without a replacement) is
   removed from the finding (``rule_id`` None) and noted; spelling variants map to the real ID;
4. duplicates (same path, overlapping lines, same rule or near-identical titles) are merged,
   keeping the most severe and remembering the other agents in ``also_reported_by``;
5. each severity is capped (``max_findings_per_severity``), keeping detector-backed and
   rule-citing findings first among equals;
6. every finding gets its ``anchor`` and ``fingerprint``; the output is ordered by severity,
   path and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Protocol

from reviewer.codex import DETECTOR_AGENT
from reviewer.fingerprint import anchor_text, fingerprint, title_key
from reviewer.log import get_logger
from reviewer.models import FileDiff, Finding, MergeRequest, Severity, Side
from reviewer.settings import Settings

log = get_logger("judge")


class RuleIndex(Protocol):
    """What the judge needs from the Codex: the IDs of the known rules."""

    def ids(self) -> Iterable[str]:
        """Return every known rule ID."""
        ...


@dataclass
class JudgeReport:
    """What the judge changed, for logs and for the reader's notices."""

    dropped: list[Finding] = field(default_factory=list)
    moved_to_file_level: int = 0
    clamped: int = 0
    unknown_rules: list[str] = field(default_factory=list)
    merged: int = 0
    capped: dict[Severity, int] = field(default_factory=dict)

    def notices(self) -> list[str]:
        """Plain-language sentences about findings the reader will not see as reported."""
        out = []
        if self.dropped:
            paths = ", ".join(sorted({f.path for f in self.dropped})[:5])
            out.append(
                f"{len(self.dropped)} finding(s) were dropped because they named files that are not "
                f"part of this change ({paths})."
            )
        if self.unknown_rules:
            out.append(
                "Unknown rule IDs were removed from findings (no such Codex rule): "
                + ", ".join(sorted(set(self.unknown_rules))) + "."
            )
        total_capped = sum(self.capped.values())
        if total_capped:
            parts = ", ".join(f"{n} {s.value}" for s, n in self.capped.items() if n)
            out.append(f"{total_capped} lower-priority finding(s) were left out by the per-severity caps ({parts}).")
        return out


@dataclass(frozen=True)
class Verdict:
    """The judge's output: inline findings, file-level findings and what it changed."""

    inline: list[Finding]
    file_level: list[Finding]
    report: JudgeReport


def judge(
    findings: Sequence[Finding], mr: MergeRequest, rules: RuleIndex | None, settings: Settings
) -> tuple[list[Finding], list[Finding]]:
    """Verify, merge and cap ``findings``; return (inline, file-level). See the module docstring."""
    verdict = judge_findings(findings, mr, rules, settings)
    return verdict.inline, verdict.file_level


def judge_findings(
    findings: Sequence[Finding], mr: MergeRequest, rules: RuleIndex | None, settings: Settings
) -> Verdict:
    """Like ``judge`` but also return the ``JudgeReport``."""
    report = JudgeReport()
    files = _file_index(mr.files)
    known = _rule_index(rules)
    placed: list[tuple[Finding, FileDiff]] = []
    for finding in findings:
        file = _resolve_file(finding.path, files)
        if file is None:
            report.dropped.append(finding)
            continue
        finding = _place(finding.model_copy(update={"path": file.path}), file, report)
        placed.append((_check_rule(finding, known, report), file))
    merged = _merge_duplicates(placed, report)
    kept = _cap(merged, settings.repo.max_findings_per_severity, report)
    stamped = [_stamp(f, file) for f, file in kept]
    inline = sorted((f for f in stamped if f.line is not None), key=_output_order)
    file_level = sorted((f for f in stamped if f.line is None), key=_output_order)
    if report.dropped or report.unknown_rules or report.capped or report.merged:
        log.info(
            "judge",
            dropped_not_in_change=len(report.dropped),
            moved_to_file_level=report.moved_to_file_level,
            clamped=report.clamped,
            unknown_rules=sorted(set(report.unknown_rules)),
            merged=report.merged,
            capped=sum(report.capped.values()),
        )
    return Verdict(inline, file_level, report)


def is_detector(finding: Finding) -> bool:
    """True when a deterministic Codex detector (not a model) produced ``finding``."""
    return finding.agent == DETECTOR_AGENT


def _file_index(files: Iterable[FileDiff]) -> dict[str, FileDiff]:
    index: dict[str, FileDiff] = {}
    for file in files:
        index.setdefault(file.new_path, file)
        index.setdefault(file.old_path, file)
    return index


def _resolve_file(raw: str, files: dict[str, FileDiff]) -> FileDiff | None:
    """Find the changed file ``raw`` names, trying the usual spellings of a path."""
    path = raw.strip().replace("\\", "/")
    candidates = [path]
    while path.startswith("./"):
        path = path[2:]
    path = path.lstrip("/")
    candidates.append(path)
    if path[:2] in ("a/", "b/"):
        candidates.append(path[2:])
    for candidate in candidates:
        if candidate in files:
            return files[candidate]
    return None


def _hunk_range(file: FileDiff, line: int, side: Side) -> tuple[int, int] | None:
    """Return the first and last line numbers on ``side`` of the hunk holding ``line``."""
    attr = "new_line" if side == "new" else "old_line"
    for hunk in file.hunks:
        numbers = [getattr(ln, attr) for ln in hunk.lines if getattr(ln, attr) is not None]
        if line in numbers:
            return min(numbers), max(numbers)
    return None


def _place(finding: Finding, file: FileDiff, report: JudgeReport) -> Finding:
    """Keep the finding on a commentable line, clamp its range, or make it file-level."""
    if finding.line is None:
        return finding.model_copy(update={"end_line": None})
    side: Side = "old" if file.deleted_file else finding.side
    span = _hunk_range(file, finding.line, side)
    if span is None:
        report.moved_to_file_level += 1
        return finding.model_copy(update={"line": None, "end_line": None, "side": "new"})
    end = finding.end_line
    if end is not None and (end < finding.line or end > span[1]):
        report.clamped += 1
        end = None
    if end == finding.line:
        end = None
    return finding.model_copy(update={"side": side, "end_line": end})


def _canonical_rule(rule_id: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", rule_id.upper())


def _rule_index(rules: RuleIndex | None) -> dict[str, str]:
    """Map canonical spellings of cited IDs to real, active rule IDs.

    A removed rule stays known to the Codex but is no longer real: citing it maps to its
    ``replaced_by`` rule when there is one, else it counts as unknown.
    """
    if rules is None:
        return {}
    index: dict[str, str] = {}
    get = getattr(rules, "get", None)
    for rule_id in rules.ids():
        rule = get(rule_id) if get is not None else None
        if rule is not None and not getattr(rule, "active", True):
            replacement = getattr(rule, "replaced_by", None)
            if replacement:
                index[_canonical_rule(rule_id)] = replacement
            continue
        index[_canonical_rule(rule_id)] = rule_id
    return index


def _check_rule(finding: Finding, known: dict[str, str], report: JudgeReport) -> Finding:
    """Map the cited rule to its real ID (``sec001`` → ``SEC-001``) or remove it."""
    if not finding.rule_id:
        return finding.model_copy(update={"rule_id": None})
    real = known.get(_canonical_rule(finding.rule_id))
    if real is None:
        report.unknown_rules.append(finding.rule_id)
    return finding.model_copy(update={"rule_id": real})


def _priority(item: tuple[Finding, FileDiff]) -> tuple:
    """Most important first: severity, detector-backed, rule-citing, inline, then stable keys."""
    f = item[0]
    return (
        -f.severity.rank, not is_detector(f), f.rule_id is None, f.line is None,
        f.path, f.line or 0, f.agent, f.title, f.body,
    )


def _overlap(a: Finding, b: Finding) -> bool:
    if a.line is None or b.line is None:
        return True
    if a.side != b.side:
        return False
    return a.line <= (b.end_line or b.line) and b.line <= (a.end_line or a.line)


def similar_titles(a: str, b: str) -> bool:
    """True when two titles say the same thing: shared key words or nearly the same text."""
    ka, kb = set(title_key(a).split()), set(title_key(b).split())
    shared = len(ka & kb)
    if ka and kb and shared >= 2 and shared / min(len(ka), len(kb)) >= 0.75:
        return True
    return SequenceMatcher(None, a.lower().strip(), b.lower().strip()).ratio() >= 0.85


def _same_issue(a: Finding, b: Finding) -> bool:
    if a.path != b.path or not _overlap(a, b):
        return False
    if a.rule_id and b.rule_id:
        return a.rule_id == b.rule_id
    return similar_titles(a.title, b.title)


def _merge_duplicates(
    placed: list[tuple[Finding, FileDiff]], report: JudgeReport
) -> list[tuple[Finding, FileDiff]]:
    """Fold duplicates into the most important finding of each group (compared per path)."""
    kept: list[tuple[Finding, FileDiff]] = []
    by_path: dict[str, list[int]] = {}
    for finding, file in sorted(placed, key=_priority):
        same_path = by_path.setdefault(finding.path, [])
        for index in same_path:
            rep, rep_file = kept[index]
            if _same_issue(rep, finding):
                kept[index] = (_absorb(rep, finding), rep_file)
                report.merged += 1
                break
        else:
            same_path.append(len(kept))
            kept.append((finding, file))
    return kept


def _absorb(rep: Finding, dup: Finding) -> Finding:
    """Return ``rep`` enriched by its duplicate: its agent, and a rule or line ``rep`` lacks."""
    update: dict[str, object] = {}
    others = [*rep.also_reported_by]
    for agent in (dup.agent, *dup.also_reported_by):
        if agent != rep.agent and agent not in others:
            others.append(agent)
    update["also_reported_by"] = others
    if rep.rule_id is None and dup.rule_id is not None:
        update["rule_id"] = dup.rule_id
    if rep.line is None and dup.line is not None:
        update.update(line=dup.line, end_line=dup.end_line, side=dup.side)
    return rep.model_copy(update=update)


def _cap(
    items: list[tuple[Finding, FileDiff]], caps: dict[Severity, int], report: JudgeReport
) -> list[tuple[Finding, FileDiff]]:
    """Keep at most ``caps[severity]`` findings per severity, most important first."""
    counts: dict[Severity, int] = {}
    kept = []
    for item in sorted(items, key=_priority):
        severity = item[0].severity
        limit = caps.get(severity)
        counts[severity] = counts.get(severity, 0) + 1
        if limit is not None and counts[severity] > limit:
            report.capped[severity] = report.capped.get(severity, 0) + 1
            continue
        kept.append(item)
    return kept


def _stamp(finding: Finding, file: FileDiff) -> Finding:
    """Set the finding's anchor code and fingerprint."""
    stamped = finding.model_copy(update={"anchor": anchor_text(file, finding)})
    return stamped.model_copy(update={"fingerprint": fingerprint(stamped, file)})


def _output_order(f: Finding) -> tuple:
    return (-f.severity.rank, f.path, f.line or 0, f.end_line or 0, f.title, f.agent)
