"""Only what the change introduces: findings on lines that merely carry old code are dropped.

An added line *carries old code* when the old side of the same file had that code and the change
only moved it within the file, re-indented it, reformatted it (spacing, quote style, a trailing
``,``/``;``), re-wrapped it (a run of added lines whose code, joined, is the code of a run of
removed lines), or changed its comment or a suppression marker (``# noqa``, ``# type: ignore``,
``// eslint-disable-line``, ``//nolint``…). Lines are compared on a normalised form of their
code: comments (outside string literals) and whitespace out, quotes unified. Every removed line
stands for at most one added line (two added copies of one removed line: one is new).

A finding on such a line is *pre-existing*, and dropped, when the problem was already there:

- **detector findings**: the same rule fires on the old code. This is decided by the Codex
  detectors themselves (``run_detectors``) run over the reversed diff of the file, with the
  removed lines as the added ones (in their old context and under the file's old path), and
  their trailing suppression markers taken out: a ``# noqa`` silences a linter, not the problem.
  So a line moved into an ``async def`` still fires when the rule asks for one, and a comment
  rule (``TODO`` without a ticket) fires when only the comment is new. When the detectors
  cannot tell (no rule set, a rule only an analyzer such as shellcheck implements, a detector
  failure), the fallback is: same rule, and the two lines are equal once whitespace and
  suppression markers are out (comments kept). Tree detectors read the old side from the
  diff's fragments (``run_detectors`` without head texts); analyzers are not run on it.
- **model findings** (conservative): the finding cites a rule that fires on the old code, as
  above; or every added line of its range was moved, re-indented or reformatted (not
  re-wrapped, not a comment change) and stands where it stood: the same enclosing line (the
  nearest less-indented line above it) and the same non-blank lines before and after it as on
  the old side. A line moved into another block, or reordered among its neighbours, keeps its
  finding: the move itself may be the problem.

Pure: no I/O. ``drop_preexisting`` is called by the judge, before duplicates are merged.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from reviewer.codex import DETECTOR_AGENT, run_detectors
from reviewer.codex.languages import comment_prefixes, language_of
from reviewer.log import get_logger
from reviewer.models import DiffLine, FileDiff, Finding, Hunk

log = get_logger("preexisting")

__all__ = ["Origin", "drop_preexisting", "line_key", "strip_suppression"]

MAX_WRAP_LINES = 12
"""Longest run of lines (either side) a re-wrapped statement is looked for in."""
MAX_WRAP_SEARCH_CHARS = 400_000
"""Removed code of one file above which re-wrapping is not searched (moves still are)."""

_SUPPRESSION = re.compile(
    r"(?:#|//|/\*|--)\s*(?:noqa\b|nosec\b|type:\s*ignore\b|pyright:\s*ignore\b|mypy:\s*ignore|"
    r"pylint:\s*disable|pragma:\s*no\s*(?:cover|branch)\b|eslint-disable(?:-next)?-line\b|"
    r"nolint\b|NOSONAR\b|rubocop:\s*disable\b|phpcs:ignore\b|jshint\s+ignore\b|"
    r"(?:istanbul|c8)\s+ignore\b|fmt:\s*(?:skip|off|on)\b)",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
_COMMA_BEFORE_CLOSE = re.compile(r",(?=[)\]}])")
_TOP = "\x00top"


class RuleSource(Protocol):
    """What the detectors need from the Codex: the rules that apply to a path."""

    def for_path(self, path: str) -> list:
        """The rules that apply to ``path``."""
        ...


# --------------------------------------------------------------------------- normalising
@dataclass(frozen=True)
class _Style:
    """How a language writes comments inside a line."""

    line: tuple[str, ...] = ()
    block: bool = False

    @property
    def known(self) -> bool:
        return bool(self.line or self.block)


def _style(path: str) -> _Style:
    prefixes = comment_prefixes(language_of(path))
    return _Style(line=tuple(p for p in ("//", "#", "--") if p in prefixes), block="/*" in prefixes)


def _split(text: str, style: _Style) -> tuple[str, str, int | None]:
    """``(code, comment, start)``: the line without its comments (outside string literals), the
    comments, and where the first comment starts (None when there is none)."""
    if not style.known:
        return text, "", None
    code: list[str] = []
    comment: list[str] = []
    start: int | None = None
    quote: str | None = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quote is not None:
            code.append(ch)
            if ch == "\\" and i + 1 < n:
                code.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = None
            i += 1
            continue
        if ch in "\"'`":
            quote = ch
            code.append(ch)
            i += 1
            continue
        if style.block and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            stop = n if end == -1 else end + 2
            start = i if start is None else start
            comment.append(text[i:stop])
            i = stop
            continue
        if any(text.startswith(opener, i) for opener in style.line):
            start = i if start is None else start
            comment.append(text[i:])
            break
        code.append(ch)
        i += 1
    return "".join(code), "".join(comment), start


def _squeeze(text: str) -> str:
    return _SPACE.sub("", text.replace("'", '"'))


def line_key(text: str, path: str) -> str:
    """The normalised code of one line of ``path``: comments and whitespace out, quotes unified,
    a trailing ``,``/``;`` (and a ``,`` before a closing bracket) dropped. A comment-only line keys
    on its comment text instead (marked, so it never equals a code line)."""
    code, comment, _ = _split(text, _style(path))
    key = _join([_squeeze(code)])
    if key:
        return key
    return "\x00#" + _squeeze(comment) if comment.strip() else ""


def strip_suppression(text: str, path: str) -> str:
    """``text`` without a trailing suppression comment (``x = 1  # noqa: E501`` → ``x = 1``).

    Only a marker that follows code on the same line is removed; a comment line is kept whole.
    """
    style = _style(path)
    if not style.known:
        return text
    _, comment, start = _split(text, style)
    if start is None or not text[:start].strip():
        return text
    match = _SUPPRESSION.search(text, start)
    if match is None:
        return text
    newline = text[len(text.rstrip("\r\n")):]
    return text[:match.start()].rstrip() + newline


def _loose_key(text: str, path: str) -> str:
    """The fallback comparison: whitespace and a suppression marker out, comments kept."""
    return _join([_squeeze(strip_suppression(text, path))])


def _is_trivial(key: str) -> bool:
    """Keys that identify nothing (``)``, ``}``, blank): never paired on their own."""
    return sum(ch.isalnum() for ch in key) < 3


# --------------------------------------------------------------------------- one file's moves
@dataclass(frozen=True)
class Origin:
    """Where the code of an added line (or run of lines) stood on the old side."""

    old_start: int
    old_end: int
    change: str
    """What changed besides the place: ``""`` (nothing), ``re-indented``, ``reformatted``,
    ``comment`` (a comment or suppression marker) or ``re-wrapped``."""
    moved: bool = False
    """The code stood in another part of the file (not in the change block it is in now)."""

    @property
    def how(self) -> str:
        """``moved``, ``re-indented``, ``moved and re-wrapped``, ``changed only in a comment or
        suppression marker``…"""
        change = {"comment": "changed only in a comment or suppression marker"}.get(self.change, self.change)
        if self.moved and self.change == "comment":
            change = "its comment or suppression marker changed"
        parts = [p for p in ("moved" if self.moved else "", change) if p]
        return " and ".join(parts) if len(parts) < 2 or self.change != "comment" else ", ".join(parts)

    def where(self) -> str:
        """``old line 12`` or ``old lines 12-14``."""
        if self.old_end == self.old_start:
            return f"old line {self.old_start}"
        return f"old lines {self.old_start}-{self.old_end}"


@dataclass
class _Side:
    """The lines of one side of one hunk (context plus added, or context plus removed)."""

    numbers: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


class FileMoves:
    """The added lines of one file that carry old code, and where that code stood."""

    def __init__(self, file: FileDiff) -> None:
        self.file = file
        self.path = file.path
        self.added: dict[int, str] = {}
        self.removed: dict[int, str] = {}
        self.new_sides: list[_Side] = []
        self.old_sides: list[_Side] = []
        self.new_at: dict[int, tuple[int, int]] = {}  # new line → (hunk, index in its new side)
        self.old_at: dict[int, tuple[int, int]] = {}
        self.added_runs: list[list[int]] = []  # consecutive added lines (new numbers)
        self.removed_runs: list[list[int]] = []
        self.run_of_added: dict[int, int] = {}
        self.block_of_new: dict[int, int] = {}  # changed line → its change block (a run of non-context lines)
        self.block_of_old: dict[int, int] = {}
        self._blocks = 0
        for h, hunk in enumerate(file.hunks):
            self._read_hunk(h, hunk)
        self._keys: dict[tuple[str, int], str] = {}
        self.pairs: dict[int, int] = self._pair()
        self._wrapped: dict[int, Origin | None] = {}
        self._removed_joined: list[tuple[str, list[int], list[int]]] | None = None
        self._used_old: set[int] = set(self.pairs.values())

    def _read_hunk(self, h: int, hunk: Hunk) -> None:
        new, old = _Side(), _Side()
        run: list[int] = []
        removed_run: list[int] = []
        in_block = False
        for line in hunk.lines:
            text = line.content.rstrip("\r\n")
            if line.kind == "context":
                in_block = False
            elif not in_block:
                in_block = True
                self._blocks += 1
            if line.kind != "added" and run:
                self._end_added(run)
                run = []
            if line.kind != "removed" and removed_run:
                self.removed_runs.append(removed_run)
                removed_run = []
            if line.kind != "removed" and line.new_line is not None:
                self.new_at[line.new_line] = (h, len(new.numbers))
                new.numbers.append(line.new_line)
                new.texts.append(text)
            if line.kind != "added" and line.old_line is not None:
                self.old_at[line.old_line] = (h, len(old.numbers))
                old.numbers.append(line.old_line)
                old.texts.append(text)
            if line.kind == "added" and line.new_line is not None:
                self.added[line.new_line] = text
                self.block_of_new[line.new_line] = self._blocks
                run.append(line.new_line)
            elif line.kind == "removed" and line.old_line is not None:
                self.removed[line.old_line] = text
                self.block_of_old[line.old_line] = self._blocks
                removed_run.append(line.old_line)
        if run:
            self._end_added(run)
        if removed_run:
            self.removed_runs.append(removed_run)
        self.new_sides.append(new)
        self.old_sides.append(old)

    def _end_added(self, run: list[int]) -> None:
        for number in run:
            self.run_of_added[number] = len(self.added_runs)
        self.added_runs.append(run)

    def key(self, side: str, number: int) -> str:
        """The normalised code of a line (``side`` ``new`` or ``old``)."""
        cached = self._keys.get((side, number))
        if cached is None:
            text = (self.added if side == "new" else self.removed).get(number)
            if text is None:
                h, i = (self.new_at if side == "new" else self.old_at)[number]
                text = (self.new_sides if side == "new" else self.old_sides)[h].texts[i]
            cached = self._keys[(side, number)] = line_key(text, self.path)
        return cached

    def _pair(self) -> dict[int, int]:
        """Each added line to the first unused removed line with the same key, in file order."""
        by_key: dict[str, deque[int]] = defaultdict(deque)
        for number in sorted(self.removed):
            key = self.key("old", number)
            if key and not _is_trivial(key):
                by_key[key].append(number)
        pairs: dict[int, int] = {}
        if not by_key:
            return pairs
        for number in sorted(self.added):
            queue = by_key.get(self.key("new", number))
            if queue:
                pairs[number] = queue.popleft()
        return pairs

    def origin(self, new_line: int) -> Origin | None:
        """Where the code of added line ``new_line`` stood on the old side, or None when it is new."""
        if new_line not in self.added:
            return None
        old = self.pairs.get(new_line)
        if old is not None:
            return Origin(old, old, _change(self.removed[old], self.added[new_line], self.path),
                          moved=self.block_of_new.get(new_line) != self.block_of_old.get(old))
        if new_line not in self._wrapped:
            self._wrapped[new_line] = self._rewrapped(new_line)
        return self._wrapped[new_line]

    def carriers(self, origin: Origin) -> list[int]:
        """The added lines whose code stood at ``origin``."""
        if origin.change != "re-wrapped":
            return [n for n, old in self.pairs.items() if old == origin.old_start]
        return sorted(n for n, o in self._wrapped.items() if o == origin)

    def _free(self, side: str, number: int) -> bool:
        """A line a re-wrapped run may use: not paired on its own (or identifying nothing)."""
        taken = number in self.pairs if side == "new" else number in self._used_old
        return not taken or _is_trivial(self.key(side, number))

    def _rewrapped(self, new_line: int) -> Origin | None:
        """A run of added lines holding ``new_line`` whose joined code is the joined code of a run
        of removed lines, one side at least two lines long."""
        if self._removed_joined is None:
            big = sum(len(t) for t in self.removed.values()) > MAX_WRAP_SEARCH_CHARS
            self._removed_joined = [] if big else [self._joined_run(r) for r in self.removed_runs]
        removed = self._removed_joined
        if not removed:
            return None
        run = self.added_runs[self.run_of_added[new_line]]
        at = run.index(new_line)
        for length in range(1, MAX_WRAP_LINES + 1):
            for start in range(max(0, at - length + 1), min(at, len(run) - length) + 1):
                lines = run[start:start + length]
                if not all(self._free("new", n) for n in lines):
                    continue
                joined = _join([self.key_raw("new", n) for n in lines])
                if _is_trivial(joined):
                    continue
                for old_run, (text, starts, ends) in zip(self.removed_runs, removed):
                    found = _find_run(joined, text, starts, ends)
                    if found is None:
                        continue
                    first, last = found
                    olds = old_run[first:last + 1]
                    if (length > 1 or len(olds) > 1) and len(olds) <= MAX_WRAP_LINES \
                            and all(self._free("old", n) for n in olds):
                        self._used_old.update(olds)
                        origin = Origin(olds[0], olds[-1], "re-wrapped",
                                        moved=self.block_of_new.get(new_line) != self.block_of_old.get(olds[0]))
                        for n in lines:
                            self._wrapped[n] = origin
                        return origin
        return None

    def key_raw(self, side: str, number: int) -> str:
        """The line's code for joining: comments and whitespace out, nothing else dropped."""
        text = (self.added if side == "new" else self.removed)[number]
        code, _, _ = _split(text, _style(self.path))
        return _squeeze(code)

    def _joined_run(self, run: list[int]) -> tuple[str, list[int], list[int]]:
        """A removed run's code joined, with where each line starts and ends in it."""
        parts = [self.key_raw("old", n) for n in run]
        starts, ends, at = [], [], 0
        for part in parts:
            starts.append(at)
            at += len(part)
            ends.append(at)
        return "".join(parts), starts, ends

    # -- the surroundings of a line, for model findings -----------------------------------------
    def surroundings(self, side: str, number: int) -> tuple[str, str, str] | None:
        """The keys of the enclosing line, and of the non-blank lines before and after, on
        ``side``; None when the hunk does not show them."""
        at = (self.new_at if side == "new" else self.old_at).get(number)
        if at is None:
            return None
        h, i = at
        lines = (self.new_sides if side == "new" else self.old_sides)[h]
        keys = [self.key(side, n) for n in lines.numbers]
        before = next((keys[j] for j in range(i - 1, -1, -1) if keys[j]), None)
        after = next((keys[j] for j in range(i + 1, len(keys)) if keys[j]), None)
        parent = _enclosing(lines.texts, keys, i, self.file.hunks[h].section, self.path)
        if before is None or after is None or parent is None:
            return None
        return parent, before, after


def _join(parts: Sequence[str]) -> str:
    return _COMMA_BEFORE_CLOSE.sub("", "".join(parts)).rstrip(",;")


def _find_run(joined: str, text: str, starts: list[int], ends: list[int]) -> tuple[int, int] | None:
    """The first and last line of a removed run whose code, joined, is ``joined`` (line-aligned,
    a trailing comma before a closing bracket ignored), or None."""
    for first, begin in enumerate(starts):
        if not text.startswith(joined[:1], begin):
            continue
        for last in range(first, min(len(ends), first + MAX_WRAP_LINES)):
            candidate = _join([text[begin:ends[last]]])
            if candidate == joined:
                return first, last
            if len(candidate) > len(joined) + 2:
                break
    return None


def _indent(text: str) -> int:
    return len(text.expandtabs(4)) - len(text.expandtabs(4).lstrip())


def _enclosing(texts: list[str], keys: list[str], i: int, section: str, path: str) -> str | None:
    """The key of the nearest less-indented code line above ``texts[i]``; the top level marker
    at indentation 0; the hunk's section header when the hunk does not reach it; None if unknown."""
    depth = _indent(texts[i])
    if depth == 0:
        return _TOP
    for j in range(i - 1, -1, -1):
        if keys[j] and not keys[j].startswith("\x00#") and _indent(texts[j]) < depth:
            return keys[j]
    return line_key(section, path) or None


def _change(old: str, new: str, path: str) -> str:
    """What changed between two lines of equal code (see ``Origin.change``)."""
    if old == new:
        return ""
    if old.strip() == new.strip():
        return "re-indented"
    style = _style(path)
    if _squeeze(_split(old, style)[1]) == _squeeze(_split(new, style)[1]):
        return "reformatted"
    return "comment"


# --------------------------------------------------------------------------- the old side's hits
def reversed_file(file: FileDiff) -> FileDiff:
    """``file``'s diff read backwards: removed lines become the added ones (their trailing
    suppression markers out), under the old path; context lines stay."""
    hunks = []
    for hunk in file.hunks:
        lines = []
        for line in hunk.lines:
            kind = {"added": "removed", "removed": "added"}.get(line.kind, line.kind)
            content = strip_suppression(line.content, file.path) if line.kind == "removed" else line.content
            lines.append(DiffLine(kind=kind, content=content, old_line=line.new_line, new_line=line.old_line,
                                  old_pos=line.new_pos, new_pos=line.old_pos))
        hunks.append(Hunk(old_start=hunk.new_start, old_count=hunk.new_count, new_start=hunk.old_start,
                          new_count=hunk.old_count, section=hunk.section, lines=lines))
    return file.model_copy(update={
        "old_path": file.new_path, "new_path": file.old_path, "hunks": hunks,
        "new_file": False, "deleted_file": False, "renamed_file": file.renamed_file, "diff_text": "",
    })


def old_side_hits(file: FileDiff, rules: RuleSource) -> set[tuple[str, int]] | None:
    """``(rule ID, old line)`` for every removed line of ``file`` a Codex detector fires on; None
    when the detectors could not be run on it."""
    try:
        found = run_detectors([reversed_file(file)], rules)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - a detector bug must not cost the review; fall back
        log.warning("old_side_detectors_failed", path=file.path, error=f"{type(exc).__name__}: {exc}")
        return None
    return {(f.rule_id, f.line) for f in found if f.rule_id and f.line is not None}


# --------------------------------------------------------------------------- the filter
@dataclass
class _FileState:
    moves: FileMoves
    hits: set[tuple[str, int]] | None = None
    hits_read: bool = False


def drop_preexisting(
    items: Iterable[tuple[Finding, FileDiff]], rules: RuleSource | None,
) -> tuple[list[tuple[Finding, FileDiff]], list[tuple[Finding, FileDiff, str]]]:
    """Split ``(finding, its file)`` pairs into those the change introduces and the pre-existing
    ones, each with the reason it was dropped (see the module docstring)."""
    kept: list[tuple[Finding, FileDiff]] = []
    dropped: list[tuple[Finding, FileDiff, str]] = []
    states: dict[int, _FileState] = {}
    can_detect = rules is not None and callable(getattr(rules, "for_path", None))
    for finding, file in items:
        reason = None
        if finding.line is not None and finding.side == "new":
            state = states.get(id(file))
            if state is None:
                state = states[id(file)] = _FileState(FileMoves(file))
            if state.moves.added and state.moves.removed:
                reason = _reason(finding, file, state, rules if can_detect else None)
        if reason is None:
            kept.append((finding, file))
        else:
            dropped.append((finding, file, reason))
    if dropped:
        log.info("preexisting_dropped", findings=len(dropped))
    return kept, dropped


def _reason(finding: Finding, file: FileDiff, state: _FileState, rules: RuleSource | None) -> str | None:
    """Why ``finding`` is pre-existing, or None when the change may have introduced it."""
    moves = state.moves
    assert finding.line is not None
    last = finding.end_line if finding.end_line and finding.end_line > finding.line else finding.line
    added = [n for n in range(finding.line, last + 1) if n in moves.added]
    if not added:
        return None  # on unchanged lines only: not this filter's business
    origins = [moves.origin(n) for n in added]
    if any(o is None for o in origins):
        return None
    first = origins[0]
    assert first is not None
    what = f"the line was {first.how} ({first.where()})"
    evidence = _rule_fired(finding, file, state, origins, rules)  # type: ignore[arg-type]
    if evidence:
        return f"not introduced by this change: {what}, and {finding.rule_id} already fires there"
    if finding.agent == DETECTOR_AGENT:
        if evidence is None and finding.rule_id and _loosely_equal(moves, added, origins):
            return f"not introduced by this change: {what}, with the same code"
        return None
    if all(o.change in ("", "re-indented", "reformatted") for o in origins) and all(  # type: ignore[union-attr]
            _same_surroundings(moves, n, o.old_start) for n, o in zip(added, origins)):  # type: ignore[union-attr]
        return f"not introduced by this change: {what}, in the same place in its code, unchanged"
    return None


def _rule_fired(finding: Finding, file: FileDiff, state: _FileState, origins: list[Origin],
                rules: RuleSource | None) -> bool | None:
    """True when the finding's rule fires on the old code of every origin; False when it does
    not; None when that cannot be told (no rule cited, no detectors to run)."""
    if not finding.rule_id or rules is None:
        return None
    get = getattr(rules, "get", None)
    rule = get(finding.rule_id) if callable(get) else None
    if rule is not None and getattr(rule, "detector", None) is None:
        return None  # an analyzer-only rule (shellcheck…): its tool is not run on the old side
    if not state.hits_read:
        state.hits, state.hits_read = old_side_hits(file, rules), True
    if state.hits is None:
        return None
    return all(any((finding.rule_id, n) in state.hits for n in range(o.old_start, o.old_end + 1)) for o in origins)


def _loosely_equal(moves: FileMoves, added: list[int], origins: list[Origin | None]) -> bool:
    """The fallback test: each added line equals its removed line once whitespace and
    suppression markers are out (comments kept); runs compare joined."""
    for origin in dict.fromkeys(origins):
        assert origin is not None
        news = moves.carriers(origin)
        olds = range(origin.old_start, origin.old_end + 1)
        new_text = _join([_loose_key(moves.added[n], moves.path) for n in news])
        old_text = _join([_loose_key(moves.removed[n], moves.path) for n in olds if n in moves.removed])
        if new_text != old_text:
            return False
    return True


def _same_surroundings(moves: FileMoves, new_line: int, old_line: int) -> bool:
    new = moves.surroundings("new", new_line)
    return new is not None and new == moves.surroundings("old", old_line)
