"""Hidden HTML-comment markers that let the reviewer recognise its own comments.

A marker is ``<!-- reviewer:<kind> <payload> -->`` where the payload is base64url-encoded JSON
(no ``--`` and no ``>`` can appear in it). Summary markers, which can carry the state of thousands
of files, are compact: ``z.`` then the unpadded standard base64 of the zlib-compressed JSON. That
alphabet has no ``-``, so compressed bytes cannot spell ``--`` as base64url would, and ``.`` is in
neither alphabet, so the form cannot be mistaken for the plain one (which always starts ``ey``).
Both forms, and plain JSON payloads without ``--`` (a hand-edited marker), are read. Kinds:

- ``finding``: one per inline thread, in its first note (:class:`FindingMarker`).
- ``summary``: in the summary note (:class:`SummaryMarker`): the reviewed head and what each
  file looked like, so a later run can review incrementally.
- ``reply``: in the reviewer's own replies (e.g. "Fixed in abc1234."), so a rerun does not
  acknowledge twice.

The reviewer always appends its marker *after* sanitised model text, so the last marker of a
body is the trusted one (:func:`last_marker`); model text is stripped of marker look-alikes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer import __version__

MarkerKind = Literal["finding", "summary", "reply"]
_M = TypeVar("_M", bound=BaseModel)
MARKER_RE = re.compile(r"<!--\s*reviewer:(finding|summary|reply)\s+(.*?)\s*-->", re.S)
# Anything a model could use to forge a marker: an HTML comment opening with our prefix.
FORGERY_RE = re.compile(r"<!--\s*reviewer:", re.I)
_MAX_ANCHOR = 300
COMPACT_PREFIX = "z."
#: Largest JSON a compact payload may inflate to (a hand-made marker must not exhaust memory).
MAX_INFLATED = 16_000_000


class FindingMarker(BaseModel):
    """What the reviewer remembers about a finding it posted (issue 4 reconciles on this)."""

    model_config = ConfigDict(extra="ignore")

    fp: str = Field(description="Finding fingerprint (never contains a line number)")
    sev: str = Field(description="Severity value at the time of posting")
    cat: str | None = Field(default=None, description="Category value")
    rule: str | None = Field(default=None, description="Codex rule ID, if any")
    path: str | None = None
    line: int | None = Field(default=None, description="Anchor line when posted (informational)")
    side: str | None = None
    anchor: str | None = Field(default=None, description="Normalised anchored code (truncated)")
    title: str | None = Field(default=None, description="The finding's title as posted (truncated)")
    head: str | None = Field(default=None, description="Head SHA the finding was posted against")
    v: str = Field(default=__version__, description="Reviewer version that posted it")


class RunEntry(BaseModel):
    """One line of the bounded run history kept in the summary marker."""

    model_config = ConfigDict(extra="ignore")

    head_sha: str
    tier: str
    counts: dict[str, int] = Field(default_factory=dict)


class SummaryMarker(BaseModel):
    """State kept in the summary note between runs (read back as ``PriorReviewState``)."""

    model_config = ConfigDict(extra="ignore")

    head_sha: str | None = None
    base_sha: str | None = None
    start_sha: str | None = None
    version: str = __version__
    file_states: dict[str, str] = Field(
        default_factory=dict, description="Path → digest of the reviewed change (reviewer.incremental)"
    )
    history: list[RunEntry] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict, description="Room for later state")


class ReplyMarker(BaseModel):
    """A reply the reviewer wrote in one of its threads."""

    model_config = ConfigDict(extra="ignore")

    fp: str
    kind: str = Field(description="e.g. 'fixed'")
    head: str | None = None
    v: str = __version__


def encode(kind: MarkerKind, payload: BaseModel | dict[str, Any], *, compact: bool | None = None) -> str:
    """The marker text for ``payload`` (an HTML comment, invisible in GitLab).

    ``compact`` (default: for summary markers only) zlib-compresses the JSON first.
    """
    data = payload.model_dump(exclude_none=True) if isinstance(payload, BaseModel) else payload
    if kind == "finding":
        for key in ("anchor", "title"):
            if isinstance(data.get(key), str):
                data[key] = data[key][:_MAX_ANCHOR]
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
    if compact is None:
        compact = kind == "summary"
    if compact:
        token = COMPACT_PREFIX + base64.b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
    else:
        token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"<!-- reviewer:{kind} {token} -->"


def _padded(text: str) -> bytes:
    """Unpadded base64 ``text`` with its ``=`` padding back."""
    return (text + "=" * (-len(text) % 4)).encode("ascii")


def _inflate(data: bytes) -> bytes:
    """zlib-decompress ``data``, refusing more than ``MAX_INFLATED`` bytes of output."""
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, MAX_INFLATED)
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("compact marker too large or truncated")
    return out


def _payload_json(text: str) -> str | None:
    """The JSON text a marker payload carries (plain JSON, base64url, or compact), or None."""
    if text.startswith("{"):
        return text
    try:
        if text.startswith(COMPACT_PREFIX):
            return _inflate(base64.b64decode(_padded(text[len(COMPACT_PREFIX):]), validate=True)).decode()
        return base64.urlsafe_b64decode(_padded(text)).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError, zlib.error):
        return None


def _decode_payload(text: str) -> dict[str, Any] | None:
    raw = _payload_json(text.strip())
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def find_markers(body: str | None) -> list[tuple[str, dict[str, Any]]]:
    """Every well-formed marker in ``body`` as ``(kind, payload)``, in order."""
    out: list[tuple[str, dict[str, Any]]] = []
    for match in MARKER_RE.finditer(body or ""):
        data = _decode_payload(match.group(2))
        if data is not None:
            out.append((match.group(1), data))
    return out


def last_marker(body: str | None) -> tuple[str, dict[str, Any]] | None:
    """The trusted marker of a body: the last one (the reviewer appends it after all text)."""
    markers = find_markers(body)
    return markers[-1] if markers else None


def last_marker_text(body: str | None) -> str | None:
    """The trusted marker of a body as written (the whole HTML comment), or None."""
    found = [m.group(0) for m in MARKER_RE.finditer(body or "") if _decode_payload(m.group(2)) is not None]
    return found[-1] if found else None


def finding_marker(body: str | None) -> FindingMarker | None:
    """The finding marker of a reviewer thread's first note, or None."""
    return _typed_marker(body, "finding", FindingMarker)


def summary_marker(body: str | None) -> SummaryMarker | None:
    """The summary marker of the reviewer's summary note, or None."""
    return _typed_marker(body, "summary", SummaryMarker)


def reply_marker(body: str | None) -> ReplyMarker | None:
    """The marker of a reviewer reply, or None."""
    return _typed_marker(body, "reply", ReplyMarker)


def _typed_marker(body: str | None, kind: MarkerKind, model: type[_M]) -> _M | None:
    """The body's trusted marker read as ``model`` when it is of ``kind`` and valid, else None."""
    found = last_marker(body)
    if not found or found[0] != kind:
        return None
    try:
        return model.model_validate(found[1])
    except ValidationError:
        return None


def strip_forgeries(text: str) -> str:
    """Defuse anything in untrusted text that looks like the opening of one of our markers."""
    return FORGERY_RE.sub("<!-- reviewer\u200b:", text)
