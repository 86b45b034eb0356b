"""The code-context stage: each chunk's "code context" section, filled within its allowance.

For every distinct set of files among the plan's chunks (agents sharing a chunk share its
context, so their prompts keep one byte-identical prefix) the engine (``reviewer.context``)
lists the enclosing code, the definitions the change uses and the call sites of what it
changed, in that priority order; items are taken in that order while they fit the chunk's
allowance (``ContextConfig.allowance`` of its diff tokens, and never more than the room left in
the smallest call of the group). What did not fit is counted as dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from reviewer.context import ContextItem, Repository, SourceReader, code_context
from reviewer.diff.filters import path_skip_reason, text_skip_reason
from reviewer.log import get_logger
from reviewer.models import FileDiff
from reviewer.settings import ContextConfig, Settings

log = get_logger("context")

KIND_LABELS = {"enclosing": "around the change", "definition": "used by the change",
               "call_site": "depends on the change"}


@dataclass(frozen=True)
class ChunkContext:
    """The context section of one chunk: its text (unfenced) and what went into it."""

    text: str = ""
    items: int = 0
    tokens: int = 0
    dropped: int = 0


EMPTY = ChunkContext()


class ContextChunk(Protocol):
    """What the stage reads of a planning ``Chunk`` (a dataclass with a ``context`` field)."""

    files: list[FileDiff]
    diff_tokens: int
    est_tokens: int
    limit: int


_C = TypeVar("_C", bound=ContextChunk)


def files_key(files: Sequence[FileDiff]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """What identifies a chunk's files for context: each path and the hunks it carries."""
    return tuple((f.path, tuple(h.new_start for h in f.hunks)) for f in files)


def add_context(chunks: Sequence[_C], reader: SourceReader, settings: Settings) -> list[_C]:
    """``chunks`` with their ``context`` set; chunks showing the same files get the same one."""
    from reviewer.llm import count_tokens

    config = settings.repo.context
    model = settings.env.model or ""
    prefetch = getattr(reader, "prefetch", None)  # a git reader reads many files in one call
    if callable(prefetch):
        prefetch(dict.fromkeys(f.path for c in chunks for f in c.files))
    groups: dict[Any, list[_C]] = {}
    for chunk in chunks:
        groups.setdefault(files_key(chunk.files), []).append(chunk)
    built: dict[Any, ChunkContext] = {}
    shared = context_repository(reader, settings.repo.ignore)  # texts and parses reused by every chunk
    for key, members in groups.items():
        room = min(c.limit - c.est_tokens for c in members)
        allowance = min(config.allowance(members[0].diff_tokens), max(0, room))
        built[key] = build_context(members[0].files, shared, config, allowance, lambda t: count_tokens(model, t))
    return [replace(c, context=built[files_key(c.files)]) for c in chunks]


def context_repository(reader: SourceReader, ignore: Sequence[str] = ()) -> Repository:
    """The engine's view of ``reader``: its texts and parses cached, and only files that may be
    read into context (see ``_readable``)."""
    return Repository(reader, _readable(reader, ignore))


def build_context(files: Sequence[FileDiff], repository: Repository, config: ContextConfig, allowance: int,
                  count: Callable[[str], int],
                  first: Callable[[], Sequence[ContextItem]] | None = None) -> ChunkContext:
    """The context section for ``files`` within ``allowance`` tokens (``count`` measures text);
    ``first`` gives items that go before the engine's (the verifier's code at base)."""
    if allowance <= 0:
        return EMPTY
    try:
        items = [*(first() if first else ()),
                 *code_context(files, repository.reader, call_sites=config.call_sites, repository=repository)]
    except Exception as exc:  # noqa: BLE001 - context is an aid: never fail the review for it
        log.warning("context_failed", error=f"{type(exc).__name__}: {exc}"[:300])
        return EMPTY
    return fill(items, allowance, count)


def fill(items: Sequence[ContextItem], allowance: int, count: Callable[[str], int]) -> ChunkContext:
    """Take ``items`` in order while they fit ``allowance``; count the ones that did not."""
    blocks: list[str] = []
    used = dropped = 0
    for item in items:
        block = render_item(item)
        tokens = count(block)
        if used + tokens > allowance:
            dropped += 1
            continue
        blocks.append(block)
        used += tokens
    return ChunkContext(text="\n\n".join(blocks), items=len(blocks), tokens=used, dropped=dropped)


def render_item(item: ContextItem) -> str:
    """One item as the prompt shows it: a header naming the file, the symbol and why, then its
    lines numbered as in the version shown, head unless the note says base (a marker line for
    what was left out)."""
    why = KIND_LABELS.get(item.kind, item.kind) + (f"; {item.note}" if item.note else "")
    lines = [f"#### {item.path}: {item.symbol} ({why})"]
    for line in item.lines:
        lines.append(f"{line.number} | {line.text}" if line.number is not None else f"  {line.text}")
    return "\n".join(lines)


def _readable(reader: SourceReader, ignore: Sequence[str]) -> Callable[[str], bool]:
    """Whether a path may be read into context: not ignored, lock, vendored, generated or binary."""
    def readable(path: str) -> bool:
        if path_skip_reason(path, ignore):
            return False
        text = reader.head_text(path)
        return text is None or text_skip_reason(text) is None
    return readable
