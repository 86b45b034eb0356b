"""The judge: verify, merge and cap the findings of every agent and detector.

Rules, in order:

1. a finding whose path is not a file of the change is dropped (counted in the report);
   paths are normalised first (``./x``, ``/x``, ``a/x``, ``b/x``, backslashes);
2. a finding whose line is not a commentable line of the diff on its side becomes a
   file-level finding (never moved to an invented line); a range that ends before it starts
   or leaves the line's hunk is clamped to the single line;
3. a cited rule ID that the Codex does not know (or has removed without a replacement) is
   removed from the finding (``rule_id`` None) and noted; spelling variants map to the real ID;
4. a finding the change did not introduce (its line was only moved, re-indented, reformatted,
   re-wrapped or changed in a comment or suppression marker, and the problem was already
   there) is dropped with its reason (``reviewer.preexisting``; stage ``preexisting``);
5. duplicates (same path, overlapping lines, same rule or near-identical titles) are merged,
   keeping the most severe and remembering the other agents in ``also_reported_by``;
6. every finding gets its ``anchor`` and ``fingerprint``;
7. the detector findings of one rule that fires on more than ``GROUP_LINES_OVER`` lines of one
   file, or in more than ``GROUP_FILES_OVER`` files, become one grouped finding on the first
   occurrence, listing every occurrence in ``occurrences`` (see ``group_fingerprint`` for its
   identity across runs);
8. each severity is capped (``max_findings_per_severity``; a group counts once), keeping
   detector-backed and rule-citing findings first among equals; the output is ordered by
   severity, path and line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Protocol

from reviewer.codex import DETECTOR_AGENT
from reviewer.fingerprint import FINGERPRINT_VERSION, anchor_text, fingerprint, title_key
from reviewer.log import get_logger
from reviewer.models import (
    Category, DroppedFinding, FileDiff, Finding, MergeRequest, Occurrence, PriorThread, Severity, Side,
)
from reviewer.preexisting import drop_preexisting
from reviewer.reconcile import is_dismissed
from reviewer.settings import Settings

log = get_logger("judge")

GROUP_LINES_OVER = 3
"""One rule firing on more lines than this in one file gives one grouped finding for that file."""
GROUP_FILES_OVER = 5
"""One rule firing in more files than this gives one grouped finding for the whole change."""
NOT_IN_CHANGE = "names a file that is not part of this change"


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
    preexisting: list[tuple[Finding, str]] = field(default_factory=list)
    """Findings the change did not introduce, with why (``reviewer.preexisting``)."""
    groups: int = 0
    grouped: int = 0
    """Grouped findings made, and the findings folded into them (occurrences past the first)."""

    def dropped_findings(self) -> list[DroppedFinding]:
        """What the judge removed, in the report's ``dropped`` shape (stage judge or preexisting)."""
        out = [DroppedFinding(stage="judge", reason=NOT_IN_CHANGE, agent=f.agent, finding=f.to_public())
               for f in self.dropped]
        out += [DroppedFinding(stage="preexisting", reason=why, agent=f.agent, finding=f.to_public())
                for f, why in self.preexisting]
        return out

    def notices(self) -> list[str]:
        """Plain-language sentences about findings the reader will not see as reported."""
        out = []
        if self.dropped:
            paths = ", ".join(sorted({f.path for f in self.dropped})[:5])
            out.append(
                f"{len(self.dropped)} finding(s) were dropped because they named files that are not "
                f"part of this change ({paths})."
            )
        if self.preexisting:
            out.append(
                f"{len(self.preexisting)} finding(s) were left out because the change did not introduce them "
                "(the line was only moved, re-indented, reformatted or re-wrapped, or only its comment or "
                "suppression marker changed); the JSON report lists them under dropped."
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
    placed, old = drop_preexisting(placed, rules if callable(getattr(rules, "for_path", None))
                                   else None)  # type: ignore[arg-type]
    report.preexisting = [(_stamp(f, file), why) for f, file, why in old]
    merged = _merge_duplicates(placed, report)
    stamped = [(_stamp(f, file), file) for f, file in merged]
    grouped = _group(stamped, mr.prior_threads, report)
    kept = [f for f, _ in _cap(grouped, settings.repo.max_findings_per_severity, report)]
    inline = sorted((f for f in kept if f.line is not None), key=_output_order)
    file_level = sorted((f for f in kept if f.line is None), key=_output_order)
    if report.dropped or report.unknown_rules or report.capped or report.merged or report.preexisting \
            or report.groups:
        log.info(
            "judge",
            dropped_not_in_change=len(report.dropped),
            preexisting=len(report.preexisting),
            moved_to_file_level=report.moved_to_file_level,
            clamped=report.clamped,
            unknown_rules=sorted(set(report.unknown_rules)),
            merged=report.merged,
            groups=report.groups,
            grouped=report.grouped,
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


def group_fingerprint(rule_id: str, category: Category, path: str | None) -> str:
    """The identity of a grouped finding: its rule and category, and its file (None: the group
    of the whole change). Neither lines nor the set of occurrences go in: the group's thread
    stays the same while the rule keeps firing there, whatever is fixed or added meanwhile."""
    parts = (FINGERPRINT_VERSION, "group", path if path is not None else "*", category.value,
             "rule:" + rule_id.strip().upper())
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _continued(prior: Iterable[PriorThread]) -> set[str]:
    """Fingerprints of earlier threads a group keeps speaking through: open or dismissed ones.

    A group once posted stays a group while its rule fires there, even on fewer lines, so its
    thread is not joined by single threads for the same problem (and a dismissal still holds).
    """
    return {t.fingerprint for t in prior if not t.resolved or is_dismissed(t)}


def _group(items: list[tuple[Finding, FileDiff]], prior: Iterable[PriorThread],
           report: JudgeReport) -> list[tuple[Finding, FileDiff]]:
    """Fold the inline detector findings of one rule into grouped findings (module docstring, 7).

    Per rule: the files with an earlier group thread of their own keep it; the rest form one
    group for the whole change when they are more than ``GROUP_FILES_OVER`` files (or an earlier
    change-wide thread exists), else one group per file of more than ``GROUP_LINES_OVER`` lines.
    """
    continued = _continued(prior)
    by_rule: dict[str, list[int]] = {}
    for index, (finding, _) in enumerate(items):
        if is_detector(finding) and finding.rule_id and finding.line is not None and not finding.occurrences:
            by_rule.setdefault(finding.rule_id, []).append(index)
    groups: list[tuple[list[int], str]] = []
    for rule_id, indexes in by_rule.items():
        category = items[indexes[0]][0].category
        by_path: dict[str, list[int]] = {}
        for index in indexes:
            by_path.setdefault(items[index][0].path, []).append(index)
        rest: dict[str, list[int]] = {}
        for path, members in by_path.items():
            own = group_fingerprint(rule_id, category, path)
            if own in continued:
                groups.append((members, own))
            else:
                rest[path] = members
        whole = group_fingerprint(rule_id, category, None)
        if rest and (len(rest) > GROUP_FILES_OVER or whole in continued):
            groups.append(([i for members in rest.values() for i in members], whole))
            continue
        for path, members in rest.items():
            if len(members) > GROUP_LINES_OVER:
                groups.append((members, group_fingerprint(rule_id, category, path)))
    if not groups:
        return items
    folded: set[int] = set()
    firsts: dict[int, tuple[Finding, FileDiff]] = {}
    for members, fp in groups:
        ordered = sorted(members, key=lambda i: (items[i][0].path, items[i][0].line or 0))
        firsts[ordered[0]] = (_grouped([items[i][0] for i in ordered], fp), items[ordered[0]][1])
        folded.update(ordered[1:])
        report.groups += 1
        report.grouped += len(ordered) - 1
    return [firsts.get(i, item) for i, item in enumerate(items) if i not in folded]


def _grouped(members: list[Finding], fp: str) -> Finding:
    """One finding on the first of ``members`` standing for all of them."""
    first = members[0]
    others: list[str] = list(first.also_reported_by)
    for member in members:
        for agent in (member.agent, *member.also_reported_by):
            if agent != first.agent and agent not in others:
                others.append(agent)
    return first.model_copy(update={
        "fingerprint": fp,
        "severity": max((m.severity for m in members), key=lambda s: s.rank),
        "also_reported_by": others,
        "occurrences": [Occurrence(path=m.path, line=m.line, end_line=m.end_line, fingerprint=m.fingerprint)
                        for m in members],
    })


def _stamp(finding: Finding, file: FileDiff) -> Finding:
    """Set the finding's anchor code and fingerprint."""
    stamped = finding.model_copy(update={"anchor": anchor_text(file, finding)})
    return stamped.model_copy(update={"fingerprint": fingerprint(stamped, file)})


def _output_order(f: Finding) -> tuple:
    return (-f.severity.rank, f.path, f.line or 0, f.end_line or 0, f.title, f.agent)
