"""Quick-action extraction: column-0 `/command` lines outside code fences and `>>>` quotes."""

from __future__ import annotations

import re

KNOWN = frozenset(
    """approve unapprove merge close reopen assign unassign assign_reviewer reviewer request_review
    unassign_reviewer remove_reviewer label unlabel relabel title draft ready wip award react shrug
    tableflip cc due remove_due_date estimate remove_estimate spend remove_time_spent milestone
    remove_milestone lock unlock submit_review rebase target_branch copy_metadata todo done subscribe
    unsubscribe confidential duplicate move clone create_merge_request weight epic iteration
    health_status relate blocks unlink promote publish invite_email severity status
    merge_train checkin_reviewer remove_parent set_parent add_child""".split()
)
_COMMAND = re.compile(r"^/([A-Za-z_][A-Za-z0-9_]*)(?:[ \t]+(.*))?$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def extract(body: str) -> tuple[str, list[tuple[str, str]]]:
    """Split a note body into (body without commands, [(command, args), ...])."""
    kept: list[str] = []
    commands: list[tuple[str, str]] = []
    fence: str | None = None
    in_quote = False
    for line in body.split("\n"):
        if fence is None and not in_quote:
            m = _COMMAND.match(line.rstrip("\r"))
            if m and m.group(1).lower() in KNOWN:
                commands.append((m.group(1).lower(), (m.group(2) or "").strip()))
                continue
        fm = _FENCE.match(line)
        if fm and not in_quote:
            fence = None if fence == fm.group(1) else (fence or fm.group(1))
        elif line.startswith(">>>") and fence is None:
            in_quote = not in_quote
        kept.append(line)
    return "\n".join(kept).strip("\n") if commands else body, commands
