"""GitLab-flavoured Markdown report: tier, counts table, findings, agents, skipped files.

Model-written text is untrusted: single-line fields are HTML-escaped, and bodies keep their
Markdown but lose raw HTML outside code.
"""

from __future__ import annotations

import html
import re

from reviewer.models import AgentRun, Finding, ReviewResult
from reviewer.output.grouping import CATEGORIES, SEVERITIES, grouped, listed_others, location, others_heading
from reviewer.output.safe import strip_controls

LONG_BODY_CHARS = 600
LONG_BODY_LINES = 8
"""Bodies longer than either limit fold into a ``<details>`` block."""

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def render_markdown(result: ReviewResult) -> str:
    """The whole report as GitLab-flavoured Markdown."""
    out = [f"## Review: {result.risk.tier.value} risk", ""]
    out += [f"- {_inline(r)}" for r in result.risk.reasons]
    if result.notices:
        out.append("")
        out += [f"> ⚠️ {_inline(n)}" for n in result.notices]
    out += ["", "### Summary", "", *_counts_table(result.all_findings())]
    if result.findings:
        out += ["", "### Findings", *_findings(result.findings)]
    if result.file_findings:
        out += ["", "### File-level findings", *_findings(result.file_findings)]
    if result.agents:
        out += ["", "### Agents", "", *_agents_table(result.agents)]
    if result.not_reviewed:
        out += ["", "### Not reviewed", ""]
        out += [f"- `{_code(n.path)}`: {_inline(n.reason)}" for n in result.not_reviewed]
    return "\n".join(out) + "\n"


def _counts_table(findings: list[Finding]) -> list[str]:
    if not findings:
        return ["No findings."]
    categories = [c for c in CATEGORIES if any(f.category is c for f in findings)]
    out = [
        "| Severity | " + " | ".join(c.label for c in categories) + " | Total |",
        "|---|" + "---:|" * (len(categories) + 1),
    ]
    for severity in SEVERITIES:
        row = [sum(f.severity is severity and f.category is c for f in findings) for c in categories]
        out.append(f"| {severity.icon} {severity.label} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    totals = [sum(f.category is c for f in findings) for c in categories]
    out.append("| **Total** | " + " | ".join(map(str, totals)) + f" | **{len(findings)}** |")
    return out


def _findings(findings: list[Finding]) -> list[str]:
    out: list[str] = []
    for severity, categories in grouped(findings):
        out += ["", f"#### {severity.icon} {severity.label}"]
        for _category, members in categories:
            for finding in members:
                out += ["", *_finding(finding)]
    return out


def _finding(f: Finding) -> list[str]:
    label = f"{f.severity.icon} {f.severity.label} · {f.category.label}"
    if f.rule_id:
        label += f" · {_inline(f.rule_id)}"
    out = [f"**{label}** — `{_code(location(f))}`", "", f"**{_inline(f.title)}**"]
    body = _body(f.body)
    if body:
        out.append("")
        if len(body) > LONG_BODY_CHARS or body.count("\n") >= LONG_BODY_LINES:
            out += ["<details><summary>Details</summary>", "", body, "", "</details>"]
        else:
            out.append(body)
    if f.occurrences[1:]:
        shown, more = listed_others(f)
        out += ["", others_heading(f), "", *(f"- `{_code(where)}`" for where in shown)]
        if more:
            out.append(f"- … and {more} more (see the JSON report)")
    if f.suggestion:
        fence = "`" * max(3, _longest_backtick_run(f.suggestion) + 1)
        out += ["", "Suggested change:", "", fence, strip_controls(f.suggestion).strip("\n"), fence]
    out += ["", f"<sub>{_inline(f.agent)}</sub>"]
    return out


def _agents_table(agents: list[AgentRun]) -> list[str]:
    out = [
        "| Agent | Model | Status | Tokens in / out | Cost | Time | Error |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for a in agents:
        out.append(
            f"| {_cell(a.name)} | {_cell(a.model or '—')} | {a.status} | "
            f"{a.prompt_tokens:,} / {a.completion_tokens:,} | ${a.cost_usd:.4f} | {a.seconds:.1f}s | "
            f"{_cell(a.error or '—')} |"
        )
    return out


def _inline(text: str) -> str:
    """A single line of plain text, HTML-escaped."""
    return html.escape(" ".join(strip_controls(text).split()), quote=False)


def _cell(text: str) -> str:
    """Plain text safe inside a table cell."""
    return _inline(text).replace("|", "\\|")


def _code(text: str) -> str:
    """Text for an inline code span (no backticks, one line)."""
    return " ".join(strip_controls(text).split()).replace("`", "'")


def _body(text: str) -> str:
    """A Markdown body with raw HTML neutralised outside fenced blocks and code spans."""
    out, fence = [], None
    for line in strip_controls(text).strip("\n").splitlines():
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
            out.append(line)
        elif fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            out.append(line)
        else:
            out.append(_escape_outside_spans(line))
    if fence is not None:
        out.append(fence)  # an unclosed fence must not swallow the rest of the report
    return "\n".join(out)


def _escape_outside_spans(line: str) -> str:
    parts, last = [], 0
    for m in _CODE_SPAN.finditer(line):
        parts += [_escape_html(line[last:m.start()]), m.group(0)]
        last = m.end()
    parts.append(_escape_html(line[last:]))
    return "".join(parts)


def _escape_html(text: str) -> str:
    """Escaping ``<`` is enough to stop a tag; ``>`` stays so block quotes still work."""
    return text.replace("<", "&lt;")


def _longest_backtick_run(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)
