"""Model-written text is untrusted: what must go before it reaches a terminal or a page."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters (ANSI escapes, carriage returns) and bidi overrides; newline and tab stay."""


def strip_controls(text: str) -> str:
    """``text`` without control or bidi-override characters (newlines and tabs are kept)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n"))
