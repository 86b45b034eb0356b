"""The summary note: one plain (non-resolvable) note per MR, edited in place on every run.

The note stays under ``MAX_SUMMARY_CHARS`` whatever the change: long lists are cut with a line
pointing to the job's ``gl-reviewer.json`` artifact, and a state marker over ``MAX_MARKER_CHARS``
drops its file states (the next run then reviews every file again)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from reviewer import __version__
from reviewer.gitlab_mr import markers
from reviewer.gitlab_mr.sanitize import sanitize_inline, sanitize_markdown
from reviewer.incremental import STATES_DROPPED, file_state
from reviewer.short_text import shorten
from reviewer.models import VERIFY_AGENT, AgentRun, Category, Finding, MergeRequest, ReviewResult, Severity
from reviewer.output.grouping import listed_others, others_heading

TITLE = "## AI review summary"
MAX_RUNS = 10
MAX_LISTED_BODY = 1500
MAX_LISTED_OCCURRENCES = 20  # other places of a grouped finding named in its summary line
MAX_LISTED_KEPT = 50  # summary-only findings remembered in the marker for the next run
LISTED_KEY = "listed"
#: The whole note, marker included: far below GitLab's 1,000,000-character limit on a note.
MAX_SUMMARY_CHARS = 200_000
#: The encoded state marker; a larger one loses its file states (see ``fitted_marker``).
MAX_MARKER_CHARS = 150_000
MAX_REASONS_CHARS = 5_000  # the tier's reasons, in the headline
MAX_REASON_CHARS = 300  # why GitLab refused the full summary
ARTIFACT = "gl-reviewer.json"  # the CI component's artifact with the whole review
#: Most characters one section other than the findings takes (a few hundred paths, say).
SECTION_CAP = 30_000
# Shares of the room left under the headline, when the sections do not all fit (others weigh 1).
WEIGHT_FINDINGS = 6
WEIGHT_NOT_REVIEWED = 2
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
    agents = [run for run in result.agents if run.name != VERIFY_AGENT]  # verification reviews no file
    agents_ok = all(run.status != "failed" for run in agents) and not (
        agents and all(run.status == "skipped" for run in agents))
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
    """The summary note body, hidden state marker last, never over ``MAX_SUMMARY_CHARS``.

    The headline (head, tier, counts) always shows. Below it each list is cut with a line pointing
    to the job's artifact when it exceeds its own cap (``SECTION_CAP``, none for the findings) or
    when the sections together do not fit; the room is then shared out by ``_allocate``.
    """
    findings = result.all_findings()
    by_sev = Counter(f.severity for f in findings)
    listed = [*info.not_inline, *info.carried]
    counts = {s.value: by_sev.get(s, 0) for s in Severity} | info.run_counts
    marker, dropped = fitted_marker(build_marker(mr, result, previous, counts, [f for f, _ in listed]))
    footer = ["", f"<sub>reviewer {__version__}</sub>", "", marker]
    head = _headline(mr, result, info, findings, by_sev, dropped)
    sections = _sections(mr, result, listed, info.sections)
    sizes = [s.size() for s in sections]
    budgets = _allocate([min(size, s.cap) for s, size in zip(sections, sizes)], [s.weight for s in sections],
                        MAX_SUMMARY_CHARS - _size(head) - _size(footer))
    lines = [*head]
    for section, size, budget in zip(sections, sizes, budgets):
        lines += section.lines(None if size <= budget else budget)
    return _guarded("\n".join(lines), "\n".join(footer))


def fitted_marker(marker: markers.SummaryMarker) -> tuple[str, int]:
    """``marker`` encoded within ``MAX_MARKER_CHARS``, and how many file states were dropped for it.

    Too large, it loses its file states (its own history entry then counts them under
    ``STATES_DROPPED``, so the next run reviews every file), then its other extra state, then
    the older history; what is left is a few hundred characters.
    """
    text = markers.encode("summary", marker)
    if len(text) <= MAX_MARKER_CHARS:
        return text, 0
    dropped = len(marker.file_states)
    history = list(marker.history)
    if dropped and history:
        history[-1] = history[-1].model_copy(update={"counts": {**history[-1].counts, STATES_DROPPED: dropped}})
    slim = marker.model_copy(update={"file_states": {}, "history": history})
    for candidate in (slim, slim.model_copy(update={"extra": {}}),
                      slim.model_copy(update={"extra": {}, "history": history[-1:]})):
        text = markers.encode("summary", candidate)
        if len(text) <= MAX_MARKER_CHARS:
            break
    return text, dropped


def render_minimal_summary(full_body: str, reason: str) -> str:
    """A short stand-in for a summary GitLab refused: the title, why, where the whole review is,
    and the full summary's state marker, so the next run does not pay for this one again."""
    marker = markers.last_marker_text(full_body) or ""
    return "\n".join([
        TITLE, "",
        f"**The full summary could not be posted** ({sanitize_inline(shorten(reason, MAX_REASON_CHARS))}); "
        f"the whole review is in the job's `{ARTIFACT}` artifact.",
        "", marker,
    ])


@dataclass
class _Section:
    """A titled part of the note: ``head`` lines always shown, ``items`` (groups of lines) cut to fit
    in its share of the room (``weight``) and never over ``cap`` characters."""

    title: str
    items: list[list[str]]
    head: list[str] = field(default_factory=list)
    weight: int = 1
    cap: int = SECTION_CAP

    def lines(self, budget: int | None = None) -> list[str]:
        """The section's lines, all of them or as many items as fit in ``budget`` characters."""
        top = ["", f"### {self.title}", "", *self.head]
        if budget is None:
            return [*top, *(line for item in self.items for line in item)]
        return [*top, *fit_items(self.items, budget - _size(top))]

    def size(self) -> int:
        """Characters the whole section takes."""
        return _size(self.lines())


def _headline(mr: MergeRequest, result: ReviewResult, info: SummaryInput, findings: list[Finding],
              by_sev: Counter, dropped: int) -> list[str]:
    """Title, reviewed head, tier and reasons, counts: the part of the note that always shows."""
    lines: list[str] = [TITLE, ""]
    head = result.head_sha or (mr.diff_refs.head_sha if mr.diff_refs else None)
    if head:
        lines += [f"**Reviewed head:** {code(head)}", ""]
    lines.append(f"**Tier: {result.risk.tier.value}**" + (", because:" if result.risk.reasons else ""))
    lines += fit_items([[f"- {sanitize_inline(r)}"] for r in result.risk.reasons], MAX_REASONS_CHARS)
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
    if dropped:
        lines.append(f"\n> **Note:** the state of the {dropped} files reviewed is too large to keep in this "
                     "note, so the next run reviews every file again.")
    lines += _model_review_lines(result)
    return lines


def _model_review_lines(result: ReviewResult) -> list[str]:
    """A warning under the counts when model calls failed, with each distinct cause (bounded)."""
    status = result.model_review
    if status not in ("failed", "partial"):
        return []
    if status == "failed":
        head = ("\n> **The model review did not happen:** every model call failed, so only the deterministic "
                "checks ran. The next pipeline tries again. Why:")
    else:
        failed = ", ".join(a.name for a in result.agents if a.status == "failed")
        head = f"\n> **Part of the model review failed** ({sanitize_inline(failed)}). Why:"
    causes = [[f"> - {sanitize_inline(cause)}"] for cause in result.failure_causes()]
    return [head, *fit_items(causes, MAX_REASONS_CHARS)]


def _sections(mr: MergeRequest, result: ReviewResult, listed: list[tuple[Finding, str]],
              extra: list[tuple[str, list[str]]]) -> list[_Section]:
    """Everything below the headline, in the order shown; the findings get the largest share."""
    out: list[_Section] = []
    if listed:
        ordered = sorted(listed, key=lambda item: -item[0].severity.rank)  # most severe first, if cut
        out.append(_Section("Findings not posted inline", [_finding_item(f, why) for f, why in ordered],
                            weight=WEIGHT_FINDINGS, cap=MAX_SUMMARY_CHARS))
    for title, body in extra:
        head, rows = _table_head(body)
        out.append(_Section(sanitize_inline(title), [[row] for row in rows], head=head))
    if result.agents:
        out.append(_Section("Agents", [[_agent_row(run)] for run in result.agents], head=[
            "| agent | model | status | tokens in/out | cost | time |", "|---|---|---|---|---|---|"]))
    not_reviewed = _dedupe_not_reviewed(mr, result)
    if not_reviewed:
        out.append(_Section("Not reviewed", [[f"- {code(path)}: {sanitize_inline(reason)}"]
                                             for path, reason in not_reviewed], weight=WEIGHT_NOT_REVIEWED))
    if result.notices:
        out.append(_Section("Notices", [[f"- {sanitize_inline(n)}"] for n in result.notices]))
    return out


def fit_items(items: list[list[str]], budget: int) -> list[str]:
    """The lines of ``items`` (each a group of lines), in order, while they fit in ``budget``
    characters; the rest replaced by one "… and N more" line."""
    if sum(_size(item) for item in items) <= budget:
        return [line for item in items for line in item]
    room = budget - _size(more_lines(len(items)))
    out: list[str] = []
    used = 0
    for taken, item in enumerate(items):
        used += _size(item)
        if used > room:
            return [*out, *more_lines(len(items) - taken)]
        out += item
    return out


def more_lines(n: int) -> list[str]:
    """What stands for ``n`` items left out of a list."""
    return ["", f"… and {n} more (see the job's `{ARTIFACT}` artifact)"]


def _allocate(needs: list[int], weights: list[int], room: int) -> list[int]:
    """Split ``room`` characters between parts needing ``needs``: a part needing no more than its
    weighted share gets what it needs, the others share what is left by weight."""
    budgets = list(needs)
    pending = [i for i, need in enumerate(needs) if need > 0]
    left = max(0, room)
    while pending:
        weight = sum(weights[i] for i in pending)
        met = [i for i in pending if needs[i] * weight <= left * weights[i]]
        if not met:
            for i in pending:
                budgets[i] = left * weights[i] // weight
            break
        left -= sum(needs[i] for i in met)
        pending = [i for i in pending if i not in met]
    return budgets


def _guarded(body: str, footer: str) -> str:
    """``body`` then ``footer``, the body cut at a line end when both would exceed the limit."""
    if len(body) + 1 + len(footer) <= MAX_SUMMARY_CHARS:
        return f"{body}\n{footer}"
    cut_line = f"\n\n… the rest is cut (see the job's `{ARTIFACT}` artifact)"
    keep = body[:max(0, MAX_SUMMARY_CHARS - len(footer) - 1 - len(cut_line))]
    keep = keep[:keep.rfind("\n")] if "\n" in keep else ""
    return f"{keep}{cut_line}\n{footer}"


def _size(lines: list[str]) -> int:
    """Characters ``lines`` take in the note, a newline each."""
    return sum(len(line) + 1 for line in lines)


def _table_head(lines: list[str]) -> tuple[list[str], list[str]]:
    """A Markdown table's header and rule, then its rows; ``([], lines)`` for anything else."""
    if len(lines) >= 2 and lines[0].startswith("|") and re.fullmatch(r"\|(?:\s*:?-+:?\s*\|)+", lines[1]):
        return lines[:2], lines[2:]
    return [], lines


def _agent_row(run: AgentRun) -> str:
    status = run.status + (f": {run.error}" if run.error else "")
    return (f"| {_cell(run.name)} | {_cell(run.model or '-')} | {_cell(status)} | "
            f"{run.prompt_tokens}/{run.completion_tokens} | ${run.cost_usd:.4f} | {run.seconds:.1f}s |")


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
    if finding.occurrences[1:]:
        shown, more = listed_others(finding, MAX_LISTED_OCCURRENCES)
        out.append(f"  {others_heading(finding)} " + ", ".join(code(w) for w in shown)
                   + (f" and {more} more" if more else ""))
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
