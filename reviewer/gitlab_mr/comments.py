"""One finding rendered as the body of its inline thread (design.md, "What a comment looks like")."""

from __future__ import annotations

import re

from reviewer import __version__
from reviewer.gitlab_mr import markers
from reviewer.gitlab_mr.sanitize import ZWSP, fence_for, sanitize_inline, sanitize_markdown
from reviewer.gitlab_mr.summary import code
from reviewer.models import Finding
from reviewer.output.grouping import listed_others, others_heading

MAX_BODY_CHARS = 30_000
_QUICK_ACTION = re.compile(r"^(\s*)/(?=[A-Za-z0-9_])")


def heading(finding: Finding) -> str:
    """``**🔴 Critical · Security · SEC-003**``."""
    parts = [f"{finding.severity.icon} {finding.severity.label}", finding.category.label]
    if finding.rule_id:
        parts.append(sanitize_inline(finding.rule_id))
    return f"**{' · '.join(parts)}**"


def finding_marker(finding: Finding, *, head_sha: str | None = None) -> str:
    """The hidden marker that identifies this finding's thread on later runs."""
    return markers.encode("finding", markers.FindingMarker(
        fp=finding.fingerprint, sev=finding.severity.value, cat=finding.category.value,
        rule=finding.rule_id, path=finding.path, line=finding.end_line or finding.line,
        side=finding.side, anchor=finding.anchor or None,
        title=" ".join(finding.title.split()) or None, head=head_sha, v=__version__,
    ))


def suggestion_is_safe(code: str) -> bool:
    """False when GitLab's quick-action scanner could see a ``/command`` line in this code.

    GitLab finds code blocks with a lazy ```` ```…\n``` ```` match, so a line starting with
    three backticks inside the code ends the protected block early, exposing later lines.
    """
    lines = code.split("\n")
    return not (any(ln.startswith("```") for ln in lines) and any(_QUICK_ACTION.match(ln) for ln in lines))


def suggestion_block(code: str, *, lines_above: int, lines_below: int = 0) -> str:
    """A GitLab suggestion the author applies with one click (content is code, kept verbatim)."""
    code = markers.strip_forgeries(code.replace("\r\n", "\n").rstrip("\n"))
    fence = fence_for(code)
    return f"{fence}suggestion:-{lines_above}+{lines_below}\n{code}\n{fence}"


def code_block(code: str) -> str:
    """A plain fenced block for a proposed fix that cannot be a one-click suggestion.

    ``/command`` lines get a zero-width space in front, as inside any model-written fence.
    """
    code = markers.strip_forgeries(code.replace("\r\n", "\n").rstrip("\n"))
    code = "\n".join(_QUICK_ACTION.sub(lambda m: f"{m.group(1)}{ZWSP}/", ln) for ln in code.split("\n"))
    fence = fence_for(code)
    return f"{fence}\n{code}\n{fence}"


def occurrences_section(finding: Finding) -> str:
    """The other places of a grouped finding, as a list of ``path:line`` (one thread for all)."""
    shown, more = listed_others(finding)
    lines = [f"**{others_heading(finding)}**", ""]
    lines += [f"- {code(where)}" for where in shown]
    if more:
        lines.append(f"- … and {more} more (see the job's JSON report)")
    return "\n".join(lines)


def render_finding(finding: Finding, *, suggestion_above: int | None, head_sha: str | None = None) -> str:
    """The thread body: heading, title, explanation, suggestion, then the hidden marker.

    ``suggestion_above`` is how many lines above the anchor (end) line the suggestion replaces;
    None when no one-click suggestion is possible (removed lines, deleted files).
    """
    parts = [f"{heading(finding)}\n{sanitize_inline(finding.title)}"]
    body = sanitize_markdown(finding.body).strip()
    if body:
        parts.append(body)
    if finding.occurrences[1:]:
        parts.append(occurrences_section(finding))
    if finding.suggestion is not None and finding.suggestion.strip():
        if suggestion_above is not None and suggestion_is_safe(finding.suggestion):
            parts.append(suggestion_block(finding.suggestion, lines_above=suggestion_above))
        else:
            parts.append("Suggested change:\n\n" + code_block(finding.suggestion))
    text = "\n\n".join(parts)
    if len(text) > MAX_BODY_CHARS:
        text = text[:MAX_BODY_CHARS].rstrip() + "\n\n… (truncated)"
    return f"{text}\n\n{finding_marker(finding, head_sha=head_sha)}"
