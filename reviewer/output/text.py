"""Terminal report: tier and reasons, findings by severity then category, agents, skipped files."""

from __future__ import annotations

from reviewer.models import AgentRun, Finding, ReviewResult, Severity
from reviewer.output.grouping import grouped, listed_others, location, others_heading, severity_counts
from reviewer.output.safe import strip_controls

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_SEVERITY_COLOR = {
    Severity.CRITICAL: "\x1b[1;31m",
    Severity.IMPORTANT: "\x1b[1;33m",
    Severity.SUGGESTION: "\x1b[36m",
    Severity.NOTE: "\x1b[34m",
}
_FAILED = "\x1b[31m"

INDENT = "  "


def render_text(result: ReviewResult, *, color: bool = False) -> str:
    """The whole terminal report; ANSI colours only when ``color`` is set."""
    paint = _painter(color)
    out: list[str] = [paint(_BOLD, f"Risk: {result.risk.tier.value}")]
    out += [f"{INDENT}- {_line(r)}" for r in result.risk.reasons]
    if result.notices:
        out += ["", paint(_BOLD, "Notices")]
        out += [f"{INDENT}! {_line(n)}" for n in result.notices]
    out += ["", _summary_line(result)]
    out += _findings_section(result.findings, paint)
    if result.file_findings:
        out += ["", paint(_BOLD, "File-level findings")]
        out += _findings_section(result.file_findings, paint)
    if result.agents:
        out += ["", paint(_BOLD, "Agents")]
        out += _agents_table(result.agents, paint)
    if result.not_reviewed:
        out += ["", paint(_BOLD, "Not reviewed")]
        out += [f"{INDENT}{_line(n.path)}: {_line(n.reason)}" for n in result.not_reviewed]
    return "\n".join(out) + "\n"


def _summary_line(result: ReviewResult) -> str:
    everything = result.all_findings()
    if not everything:
        return "No findings."
    counts = f"{len(result.findings)} inline, {len(result.file_findings)} file-level"
    return f"Findings: {counts} ({severity_counts(everything)})"


def _findings_section(findings: list[Finding], paint) -> list[str]:
    out: list[str] = []
    for severity, categories in grouped(findings):
        out += ["", paint(_SEVERITY_COLOR[severity], f"{severity.icon} {severity.label}")]
        for category, members in categories:
            out.append(f"{INDENT}{category.label}")
            for finding in members:
                out += _finding(finding)
    return out


def _finding(finding: Finding) -> list[str]:
    pad = INDENT * 2
    rule = f" [{_line(finding.rule_id)}]" if finding.rule_id else ""
    out = [f"{pad}{_line(location(finding))}{rule} {_line(finding.title)}"]
    body_pad = pad + INDENT
    out += [f"{body_pad}{ln}".rstrip() for ln in _block(finding.body)]
    if finding.occurrences[1:]:
        shown, more = listed_others(finding)
        out.append(f"{body_pad}{others_heading(finding)}")
        out += [f"{body_pad}{INDENT}{_line(where)}" for where in shown]
        if more:
            out.append(f"{body_pad}{INDENT}… and {more} more (see the JSON report)")
    if finding.suggestion:
        out.append(f"{body_pad}Suggested change:")
        out += [f"{body_pad}{INDENT}{ln}".rstrip() for ln in _block(finding.suggestion)]
    out.append(f"{body_pad}({_line(finding.agent)})")
    return out


def _agents_table(agents: list[AgentRun], paint) -> list[str]:
    header = ("NAME", "MODEL", "STATUS", "TOKENS IN/OUT", "COST", "TIME", "ERROR")
    rows = [
        (
            _line(a.name),
            _line(a.model or "-"),
            a.status,
            f"{a.prompt_tokens:,}/{a.completion_tokens:,}",
            f"${a.cost_usd:.4f}",
            f"{a.seconds:.1f}s",
            _line(a.error or "-"),
        )
        for a in agents
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]

    def fmt(row: tuple[str, ...]) -> str:
        cells = [cell.ljust(w) for cell, w in zip(row, widths)]
        return (INDENT + "  ".join([*cells, row[-1]])).rstrip()

    out = [fmt(header)]
    for agent, row in zip(agents, rows):
        out.append(paint(_FAILED, fmt(row)) if agent.status == "failed" else fmt(row))
    return out


def _painter(color: bool):
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    return paint


def _line(text: str) -> str:
    """One terminal-safe line: no control characters, newlines folded to spaces."""
    return " ".join(strip_controls(text).split())


def _block(text: str) -> list[str]:
    """Terminal-safe lines of a multi-line text; tabs kept as four spaces."""
    if not text.strip():
        return []
    return strip_controls(text).strip("\n").replace("\t", "    ").splitlines()
