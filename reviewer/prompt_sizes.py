"""Token sizes of a prompt's parts, measured on the real templates, and cutting a file to fit.

``PromptSizer`` is what ``reviewer.planning`` asks how big each file, hunk and Codex rule is in
an agent's prompt (cached for one review), and how to cut a file too big for one call.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from typing import TypeVar

from reviewer.agents import AgentSpec
from reviewer.llm import count_tokens
from reviewer.models import FileDiff, Hunk
from reviewer.prompting import RuleSource, prompt_rules, render

PER_LINE_TOKENS = 2  # number and marker of one line, when a huge hunk is cut line by line
HUNK_TOKENS = 4  # the ``@@`` line of a hunk piece
EXACT_CHARS = 100_000  # rendered diff tokenised exactly per model and file kind; beyond, estimated
ESTIMATE_MARGIN = 1.03  # on estimated sizes: files tokenise a little differently from the sample

_T = TypeVar("_T")


class PromptSizer:
    """Token sizes of the prompt's parts, measured on the real templates and cached per review."""

    def __init__(self, rules: RuleSource | None) -> None:
        self._rules = rules
        self._files: dict[tuple[str, int], int] = {}
        self._rule_ids: dict[tuple[str, str], frozenset[str]] = {}
        self._rule_values: dict[str, dict[str, str]] = {}
        self._rule_tokens: dict[tuple[str, str], int] = {}
        self._rule_sets: dict[tuple[str, frozenset[str]], int] = {}
        self._empty: dict[str, tuple[int, int]] = {}
        self._calibration: dict[tuple[str, str], tuple[int, int]] = {}  # (model, extension) -> chars, tokens

    def _base(self, model: str) -> tuple[int, int]:
        """Tokens of the diff block without files, and of the rules block's header."""
        if model not in self._empty:
            none = count_tokens(model, render("_rules.j2", rules=[]))
            sample = {"id": "X-001", "severity": "note", "text": "x"}
            one = count_tokens(model, render("_rules.j2", rules=[sample]))
            two = count_tokens(model, render("_rules.j2", rules=[sample, sample]))
            self._empty[model] = (count_tokens(model, render("_diff.j2", files=[])), max(0, one - (two - one) - none))
        return self._empty[model]

    def rules_header(self, model: str) -> int:
        """Tokens the rules block's header adds once a chunk lists any rule."""
        return self._base(model)[1] if self._rules is not None else 0

    def file_tokens(self, model: str, f: FileDiff) -> int:
        """Tokens one of the change's files adds to a prompt (cached: ``f`` lives as long as the plan)."""
        key = (model, id(f))
        if key not in self._files:
            self._files[key] = self.measure(model, f)
        return self._files[key]

    def measure(self, model: str, f: FileDiff) -> int:
        """Tokens ``f`` adds to a prompt, as ``_diff.j2`` renders it.

        The first ``EXACT_CHARS`` of rendered diff of each kind of file (by extension) are
        tokenised exactly; beyond that (a huge change) sizes come from the characters-per-token
        ratio seen for that kind, plus a margin.
        """
        return max(1, self._tokens(model, f.path, render("_diff.j2", files=[f])) - self._base(model)[0])

    def _tokens(self, model: str, path: str, text: str) -> int:
        """Tokens of rendered diff ``text`` of ``path``: exact, or estimated once enough was seen."""
        kind = (model, posixpath.splitext(path)[1].lower())
        seen_chars, seen_tokens = self._calibration.get(kind, (0, 0))
        if seen_chars < EXACT_CHARS or not seen_tokens:
            tokens = count_tokens(model, text)
            self._calibration[kind] = (seen_chars + len(text), seen_tokens + tokens)
            return tokens
        return int(len(text) * seen_tokens / seen_chars * ESTIMATE_MARGIN) + 1

    def hunk_tokens(self, model: str, f: FileDiff) -> list[int]:
        """Tokens each hunk of ``f`` adds to its file's block, from one rendering of the file.

        In ``_diff.j2`` every diff line starts with a line number or ``-``, so the lines that
        start with ``@@`` are exactly the hunk headers: the text between two of them is one hunk.
        """
        text = render("_diff.j2", files=[f])
        starts = [m.start() + 1 for m in _HUNK_START.finditer(text)]
        if len(starts) != len(f.hunks):  # a template that renders differently: one rendering per hunk
            header = self.measure(model, f.model_copy(update={"hunks": []}))
            return [self.measure(model, f.model_copy(update={"hunks": [h]})) - header for h in f.hunks]
        ends = [*starts[1:], _block_end(text, starts[-1])] if starts else []
        return [max(1, self._tokens(model, f.path, text[a:b])) for a, b in zip(starts, ends, strict=True)]

    def rule_ids(self, spec: AgentSpec, f: FileDiff) -> frozenset[str]:
        """The Codex rules ``spec``'s prompt shows for ``f``."""
        if self._rules is None or spec.rules == "none":
            return frozenset()
        key = (spec.rules if spec.rules == "all" else spec.category.value, f.path)
        if key not in self._rule_ids:
            values = prompt_rules(self._rules, [f], spec)
            for v in values:
                self._rule_values.setdefault(v["id"], v)
            self._rule_ids[key] = frozenset(v["id"] for v in values)
        return self._rule_ids[key]

    def rules_tokens(self, model: str, ids: frozenset[str]) -> int:
        """Tokens the rules ``ids`` add to a prompt (cached per set: many files share one)."""
        key = (model, ids)
        total = self._rule_sets.get(key)
        if total is None:
            total = self._rule_sets[key] = sum(self._rule_tokens_one(model, rid) for rid in ids)
        return total

    def _rule_tokens_one(self, model: str, rid: str) -> int:
        key = (model, rid)
        if key not in self._rule_tokens:
            v = self._rule_values[rid]
            one = count_tokens(model, render("_rules.j2", rules=[v]))
            self._rule_tokens[key] = max(1, count_tokens(model, render("_rules.j2", rules=[v, v])) - one)
        return self._rule_tokens[key]

    def split(self, f: FileDiff, model: str, room: int) -> tuple[list[tuple[FileDiff, int]], bool]:
        """Cut ``f`` into runs of hunks (or of lines, for a huge hunk) that each fit ``room``.

        Returns the parts with their tokens, and whether some line was too big to fit alone.
        """
        header = self.measure(model, f.model_copy(update={"hunks": []}))
        units: list[tuple[Hunk, int]] = []
        too_big = False
        for hunk, tokens in zip(f.hunks, self.hunk_tokens(model, f), strict=True):
            if header + tokens <= room:
                units.append((hunk, tokens))
                continue
            for piece, piece_tokens in _split_hunk(hunk, model, room - header):
                if header + piece_tokens <= room:
                    units.append((piece, piece_tokens))
                else:
                    too_big = True
        parts = [(f.model_copy(update={"hunks": hunks}), used) for hunks, used in _fill_runs(units, header, room)]
        return parts, too_big


_HUNK_START = re.compile(r"\n@@")


def _block_end(text: str, start: int) -> int:
    """Where the last hunk of a rendered file ends: before the closing fence."""
    end = text.find("\n</untrusted>", start)
    return end + 1 if end != -1 else len(text)


def _split_hunk(hunk: Hunk, model: str, room: int) -> list[tuple[Hunk, int]]:
    """Runs of a hunk's lines that fit ``room`` (sizes estimated line by line)."""
    sized = [(ln, count_tokens(model, ln.content) + PER_LINE_TOKENS) for ln in hunk.lines]
    return [(hunk.model_copy(update={"lines": lines}), used) for lines, used in _fill_runs(sized, HUNK_TOKENS, room)]


def _fill_runs(sized: Sequence[tuple[_T, int]], start: int, room: int) -> list[tuple[list[_T], int]]:
    """Group ``sized`` items, in order, into runs whose tokens (from ``start``) stay within ``room``.

    Each run comes with its tokens; an item too big on its own still gets a run of its own.
    """
    runs: list[tuple[list[_T], int]] = []
    current: list[_T] = []
    used = start
    for item, tokens in sized:
        if current and used + tokens > room:
            runs.append((current, used))
            current, used = [], start
        current.append(item)
        used += tokens
    if current:
        runs.append((current, used))
    return runs
