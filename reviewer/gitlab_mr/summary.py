"""The summary note: one plain (non-resolvable) note per MR, edited in place on every run."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from reviewer import __version__
from reviewer.gitlab_mr import markers
from reviewer.gitlab_mr.sanitize import sanitize_inline, sanitize_markdown
from reviewer.incremental import file_state
from reviewer.models import Category, Finding, MergeRequest, ReviewResult, Severity

TITLE = "## AI review summary"
MAX_RUNS = 10
MAX_LISTED_BODY = 1500
MAX_LISTED_KEPT = 50  # summary-only findings remembered in the marker for the next run
LISTED_KEY = "listed"
_LISTED_FIELDS = {"path", "line", "end_line", "side", "severity", "category", "rule_id", "title", "fingerprint"}


@dataclass
class SummaryInput:
    """What publishing learned that the summary must tell."""

    inline_posted: int = 0
    inline_existing: int = 0
    not_inline: list[tuple[Finding, str]] = field(default_factory=list)
    current_head_sha: str | None = None
    #: Extra ``(title, Markdown lines)`` sections, already sanitised by their producer.
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    #: Extra per-run counts kept in the history (e.g. new / still open / fixed / dismissed).
    run_counts: dict[str, int] = field(default_factory=dict)
    #: Severities of every finding open after this run, earlier ones included (iterative runs);
    #: when set, the headline counts these instead of this run's findings.
    open_severities: list[Severity] | None = None
    #: Categories of the same open findings, for the "By area" line (iterative runs).
    open_categories: list[Category] | None = None
    #: Earlier threads kept open although their file was not reviewed again.
    threads_kept: int = 0
    #: Summary-only findings of earlier runs on files not reviewed again, with the reason.
    carried: list[tuple[Finding, str]] = field(default_factory=list)
    #: A rerun on the already reviewed head that found nothing new: leave the summary as it is.
    rerun_without_news: bool = False


def code(text: str) -> str:
    """``text`` as an inline code span that nothing inside can break out of."""
    text = " ".join(str(text).split())
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _cell(text: str) -> str:
    return sanitize_inline(text).replace("|", "\\|")


def build_marker(mr: MergeRequest, result: ReviewResult, previous: markers.SummaryMarker | None,
                 counts: dict[str, int], listed: list[Finding] | None = None) -> markers.SummaryMarker:
    """The state this run leaves behind: reviewed head, file states, bounded run history.

    A file's state is recorded only when it was really reviewed (reviewable, not listed as not
    reviewed, and no agent failed); otherwise its earlier state is kept if still current, so
    the next run looks at it again. ``listed`` (findings shown in the summary only) are kept,
    without their body, so a later run that skips their unchanged file can list them again.
    """
    refs = mr.diff_refs
    head = result.head_sha or (refs.head_sha if refs else None)
    history = list(previous.history) if previous else []
    history.append(markers.RunEntry(head_sha=head or "", tier=result.risk.tier.value, counts=counts))
    skipped = {n.path for n in [*mr.not_reviewed, *result.not_reviewed]}
    # Files count as reviewed unless an agent failed or every agent was skipped (e.g. no model).
    agents_ok = all(run.status != "failed" for run in result.agents) and not (
        result.agents and all(run.status == "skipped" for run in result.agents))
    earlier = previous.file_states if previous else {}
    states: dict[str, str] = {}
    for file in mr.files:
        state = file_state(file)
        if agents_ok and file.reviewable and file.path not in skipped:
            states[file.path] = state
        elif earlier.get(file.path) == state:
            states[file.path] = state
    return markers.SummaryMarker(
        head_sha=head, base_sha=refs.base_sha if refs else None, start_sha=refs.start_sha if refs else None,
        version=__version__, file_states=states, history=history[-MAX_RUNS:],
        extra=(dict(previous.extra) if previous else {}) | {
            LISTED_KEY: [f.model_dump(mode="json", include=_LISTED_FIELDS) for f in (listed or [])[:MAX_LISTED_KEPT]]},
    )


def render_summary(mr: MergeRequest, result: ReviewResult, info: SummaryInput,
                   previous: markers.SummaryMarker | None = None) -> str:
    """The full summary note body, hidden state marker last."""
    findings = result.all_findings()
    by_sev = Counter(f.severity for f in findings)
    lines: list[str] = [TITLE, ""]
    head = result.head_sha or (mr.diff_refs.head_sha if mr.diff_refs else None)
    if head:
        lines += [f"**Reviewed head:** {code(head)}", ""]
    lines.append(f"**Tier: {result.risk.tier.value}**" + (", because:" if result.risk.reasons else ""))
    lines += [f"- {sanitize_inline(r)}" for r in result.risk.reasons]
    if head and info.current_head_sha and info.current_head_sha != head:
        lines.append(
            f"\n> **Note:** the merge request moved on to {code(info.current_head_sha[:12])} while this "
            f"review ran; the comments are anchored to the reviewed commit {code(head[:12])}. "
            "The next pipeline reviews the new changes."
        )
    if info.open_severities is None:
        lines += ["", _counts_line(findings, by_sev)]
    else:
        lines += ["", _counts_line(info.open_severities, Counter(info.open_severities), "Open findings",
                                   "No open findings.")]
    if info.open_categories is not None:
        if info.open_categories:
            lines.append(_category_line(info.open_categories))
    elif findings:
        lines.append(_category_line([f.category for f in findings]))
    lines.append(
        f"Inline threads: {info.inline_posted} posted this run"
        + (f", {info.inline_existing} already open from earlier runs" if info.inline_existing else "")
        + f"; {len(info.not_inline) + len(info.carried)} listed below."
    )
    if info.not_inline or info.carried:
        lines += ["", "### Findings not posted inline", ""]
        for finding, reason in [*info.not_inline, *info.carried]:
            lines += _finding_item(finding, reason)
    for title, body in info.sections:
        lines += ["", f"### {sanitize_inline(title)}", "", *body]
    if result.agents:
        lines += ["", "### Agents", "", "| agent | model | status | tokens in/out | cost | time |",
                  "|---|---|---|---|---|---|"]
        for run in result.agents:
            status = run.status + (f": {run.error}" if run.error else "")
            lines.append(
                f"| {_cell(run.name)} | {_cell(run.model or '-')} | {_cell(status)} | "
                f"{run.prompt_tokens}/{run.completion_tokens} | ${run.cost_usd:.4f} | {run.seconds:.1f}s |"
            )
    not_reviewed = _dedupe_not_reviewed(mr, result)
    if not_reviewed:
        lines += ["", "### Not reviewed", ""]
        lines += [f"- {code(path)}: {sanitize_inline(reason)}" for path, reason in not_reviewed]
    if result.notices:
        lines += ["", "### Notices", ""]
        lines += [f"- {sanitize_inline(n)}" for n in result.notices]
    counts = {s.value: by_sev.get(s, 0) for s in Severity} | info.run_counts
    marker = build_marker(mr, result, previous, counts, [f for f, _ in [*info.not_inline, *info.carried]])
    lines += ["", f"<sub>reviewer {__version__}</sub>", "", markers.encode("summary", marker)]
    return "\n".join(lines)


def _counts_line(findings: list, by_sev: Counter, label: str = "Findings", empty: str = "No findings.") -> str:
    if not findings:
        return f"**{empty}**"
    parts = [f"{s.icon} {s.label}: {by_sev[s]}" for s in Severity if by_sev.get(s)]
    return f"**{label} ({len(findings)}):** " + " · ".join(parts)


def _category_line(categories: list[Category]) -> str:
    by_cat = Counter(categories)
    return "By area: " + " · ".join(f"{c.label}: {by_cat[c]}" for c in Category if by_cat.get(c))


def _finding_item(finding: Finding, reason: str) -> list[str]:
    where = finding.path if finding.line is None else (
        f"{finding.path}:{finding.line}" + (f"-{finding.end_line}" if finding.end_line and finding.end_line != finding.line else "")
    )
    rule = f" · {sanitize_inline(finding.rule_id)}" if finding.rule_id else ""
    out = [f"- {finding.severity.icon} **{finding.severity.label} · {finding.category.label}{rule}** "
           f"{code(where)}: {sanitize_inline(finding.title)} _({sanitize_inline(reason)})_"]
    body = sanitize_markdown(finding.body).strip()
    if body:
        if len(body) > MAX_LISTED_BODY:
            body = body[:MAX_LISTED_BODY].rstrip() + " …"
        out += ["", *[f"  {ln}" if ln else "" for ln in body.split("\n")], ""]
    return out


def _dedupe_not_reviewed(mr: MergeRequest, result: ReviewResult) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for item in [*mr.not_reviewed, *result.not_reviewed]:
        seen.setdefault(item.path, item.reason)
    return list(seen.items())
