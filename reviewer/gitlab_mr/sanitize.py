"""Make model-written text safe to post on GitLab.

Model output is untrusted input to GitLab (design.md, "Trust boundaries"):

- **Quick actions**: a line starting with ``/word`` would run as a command with the bot's
  permissions. Outside code fences the slash is backslash-escaped (renders the same); inside
  a model's own fences a zero-width space goes before it (GitLab already ignores fenced
  commands; this also covers fences GitLab and we might read differently).
- **Mentions**: ``@all``, ``@here``, ``@group/...`` and any ``@name`` outside code are wrapped
  in backticks, so nobody is pinged.
- **HTML**: ``<`` outside code becomes ``&lt;``: no raw HTML, no comments, no markers.
- **Forged markers**: anything that opens like one of our markers is defused everywhere.

The reviewer adds its own markers and suggestion fences after sanitising.
"""

from __future__ import annotations

import re

from reviewer.gitlab_mr.markers import strip_forgeries

ZWSP = "\u200b"
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_QUICK_ACTION_RE = re.compile(r"^(\s*)/(?=[A-Za-z0-9_])")
_CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1", re.S)
# A mention: "@" not preceded by a word char (so e-mail addresses stay), then a GitLab name.
_MENTION_RE = re.compile(r"(?<![\w`])@[A-Za-z0-9_](?:[A-Za-z0-9_.\-/]*[A-Za-z0-9_])?")


def sanitize_markdown(text: str | None) -> str:
    """Sanitise a multi-line Markdown text written by a model."""
    if not text:
        return ""
    text = strip_forgeries(text.replace("\r\n", "\n").replace("\r", "\n"))
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        match = _FENCE_RE.match(line)
        if fence is None:
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                fence = match.group(1)
                out.append(line)
                continue
            out.append(_sanitize_prose_line(line))
        else:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                    and not match.group(2).strip():
                fence = None
                out.append(line)
                continue
            out.append(_QUICK_ACTION_RE.sub(lambda m: f"{m.group(1)}{ZWSP}/", line))
    if fence is not None:
        out.append(fence)  # close a fence the model left open, so nothing after it is swallowed
    return "\n".join(out)


def sanitize_inline(text: str | None) -> str:
    """Sanitise a one-line text (a title): newlines collapse to spaces."""
    return sanitize_markdown(" ".join((text or "").split()))


def _sanitize_prose_line(line: str) -> str:
    """One line outside code fences: code spans kept, the rest made inert."""
    parts: list[str] = []
    pos = 0
    for match in _CODE_SPAN_RE.finditer(line):
        parts.append(_sanitize_text(line[pos:match.start()]))
        parts.append(match.group(0))
        pos = match.end()
    parts.append(_sanitize_text(line[pos:]))
    result = "".join(parts)
    return _QUICK_ACTION_RE.sub(lambda m: f"{m.group(1)}\\/", result)


def _sanitize_text(segment: str) -> str:
    """Text outside any code: escape HTML openers and wrap mentions in backticks."""
    segment = segment.replace("<", "&lt;")
    return _MENTION_RE.sub(lambda m: f"`{m.group(0)}`", segment)


def fence_for(content: str) -> str:
    """A backtick fence longer than any backtick run in ``content`` (at least three)."""
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    return "`" * max(3, longest + 1)
