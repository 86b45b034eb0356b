"""Plan a review: which agents run, which files each sees, in which chunks, within the budget.

Nothing is silently dropped: every file an agent should have seen but will not is listed in
``ReviewPlan.not_reviewed`` with the reason, and every agent that will not run is an
``AgentRun(status="skipped")`` with a reason.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from reviewer import llm
from reviewer.agent_runner import MAX_AGENTS_MD_CHARS, RuleSource, build_messages, prompt_rules
from reviewer.agents import AgentSpec
from reviewer.globs import any_match
from reviewer.llm import count_tokens
from reviewer.models import AgentRun, FileDiff, Hunk, MergeRequest, NotReviewed, RiskAssessment
from reviewer.prompting import render
from reviewer.settings import NO_MODEL_HELP, ModelCall, Settings

SAFETY_MARGIN = 0.95  # share of the computed room actually filled: joined texts tokenise a little differently
RULES_ALLOWANCE = 1500  # tokens reserved for Codex rules when the plan is made without them (≤ 1/8 context)
PER_LINE_TOKENS = 2  # number and marker of one line, when a huge hunk is cut line by line
HUNK_TOKENS = 4  # the ``@@`` line of a hunk piece
EXACT_CHARS = 100_000  # rendered diff tokenised exactly per model and file kind; beyond, estimated
ESTIMATE_MARGIN = 1.03  # on estimated sizes: files tokenise a little differently from the sample

_T = TypeVar("_T")


@dataclass
class Chunk:
    """One model call: an agent and the files (or parts of files) it reviews together.

    ``est_tokens`` is the estimated prompt size of the call, instructions included.
    """

    agent: str
    files: list[FileDiff]
    est_tokens: int


@dataclass
class ReviewPlan:
    """The agents that run, their chunks, the agents that don't, and the files nobody sees."""

    agents: list[AgentSpec] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    skipped: list[AgentRun] = field(default_factory=list)
    not_reviewed: list[NotReviewed] = field(default_factory=list)

    def chunks_for(self, agent: str) -> list[Chunk]:
        """The chunks of one agent, in order."""
        return [c for c in self.chunks if c.agent == agent]


@dataclass
class _Piece:
    """A file, or a run of its hunks when the whole file does not fit one call."""

    file: FileDiff
    tokens: int
    rules: frozenset[str] = frozenset()
    part: bool = False


@dataclass
class _AgentWork:
    spec: AgentSpec
    call: ModelCall
    overhead: int
    room: int
    pieces: list[_Piece]
    chunks: list[Chunk] = field(default_factory=list)


def plan_review(
    mr: MergeRequest,
    risk: RiskAssessment,
    agents: Sequence[AgentSpec],
    settings: Settings,
    *,
    rules: RuleSource | None = None,
) -> ReviewPlan:
    """Decide what every agent reviews for a change of ``risk.tier``.

    Files are ranked by risk (security-sensitive paths and migrations first, then by size),
    packed into chunks that fit each agent's context and ``max_input_tokens``, and sent only
    while the review's token budget lasts; the budget is shared fairly between the agents.
    With ``rules`` (the Codex) each chunk's rules are counted exactly; without, a share of
    the context is reserved for them. Files the source could not load (``mr.not_reviewed``)
    are left to the caller.
    """
    plan = ReviewPlan()
    misses = _Misses()
    for f in mr.files:
        if not f.reviewable:
            plan.not_reviewed.append(NotReviewed(path=f.path, reason=f.skip_reason or "not reviewable"))
    ranked = _rank([f for f in mr.files if f.reviewable], settings)
    sizer = _Sizer(rules)

    work: list[_AgentWork] = []
    for spec in agents:
        skip = _skip_reason(spec, risk, settings)
        call = settings.resolve_model(spec.model) if skip is None else None
        if skip is None and call is None:
            skip = f"no model configured for '{spec.model}': {NO_MODEL_HELP}"
        scoped = [f for f in ranked if spec.in_scope(f.path)]
        if skip is None and not scoped:
            skip = "no changed files in its scope"
        if skip is not None or call is None:
            plan.skipped.append(AgentRun(name=spec.name, model=call.model if call else None, status="skipped",
                                         error=skip))
            continue
        overhead = _overhead_tokens(spec, call, mr, risk, settings)
        if rules is None:
            overhead += min(RULES_ALLOWANCE, llm.context_window(call) // 8)
        else:
            overhead += sizer.rules_header(call.model)
        room = _room(spec, call, overhead)
        pieces: list[_Piece] = []
        for f in scoped:
            ids = sizer.rule_ids(spec, f)
            tokens = sizer.file_tokens(call.model, f)
            if tokens + sizer.rules_tokens(call.model, ids) <= room:
                pieces.append(_Piece(f, tokens, ids))
                continue
            parts, too_big = sizer.split(f, call.model, room - sizer.rules_tokens(call.model, ids))
            pieces.extend(_Piece(part, tokens, ids, part=True) for part, tokens in parts)
            if too_big:
                misses.add(f.path, "too_big_part" if parts else "too_big", spec.name)
        work.append(_AgentWork(spec, call, overhead, room, pieces))

    wants = {}
    for w in work:
        diff = sum(p.tokens for p in w.pieces)
        calls = max(1, -(-diff // (w.room or 1)))
        all_rules = frozenset().union(*(p.rules for p in w.pieces))
        wants[w.spec.name] = diff + calls * (w.overhead + sizer.rules_tokens(w.call.model, all_rules))
    allowance = _fair_shares(wants, settings.token_budget)
    for w in work:
        _pack(w, allowance[w.spec.name], sizer, misses)
        if w.chunks:
            plan.agents.append(w.spec)
            plan.chunks.extend(w.chunks)
        else:
            reason = ("token budget exhausted before any of its files" if w.pieces
                      else "none of its files fit the model's context")
            plan.skipped.append(AgentRun(name=w.spec.name, model=w.call.model, status="skipped", error=reason))
    plan.not_reviewed.extend(misses.entries())
    return plan


def _skip_reason(spec: AgentSpec, risk: RiskAssessment, settings: Settings) -> str | None:
    if not spec.enabled:
        return "disabled in the configuration"
    if not spec.runs_in(risk.tier):
        return f"not run for {risk.tier.value} changes"
    return None


def _rank(files: list[FileDiff], settings: Settings) -> list[FileDiff]:
    """Riskiest first: security-sensitive paths, then migrations, then bigger changes, then path."""
    risk = settings.repo.risk

    def key(f: FileDiff) -> tuple[int, int, int, str]:
        sensitive = any_match(f.path, risk.sensitive_paths)
        migration = any_match(f.path, risk.migration_paths)
        return (0 if sensitive else 1, 0 if migration else 1, -(f.added + f.removed), f.path)

    return sorted(files, key=key)


def _overhead_tokens(spec: AgentSpec, call: ModelCall, mr: MergeRequest, risk: RiskAssessment,
                     settings: Settings) -> int:
    """Prompt tokens of one call without its diff and rules: instructions, MR text, AGENTS.md."""
    messages = build_messages(spec, [], mr, None, settings, risk)
    text = "\n".join(m["content"] for m in messages)
    nested_md = sum(min(len(v), MAX_AGENTS_MD_CHARS) for k, v in mr.agents_md.items() if k)
    instructions = sum(len(pi.instructions) for pi in settings.repo.path_instructions)
    return count_tokens(call.model, text) + (nested_md + instructions) // 3


def _room(spec: AgentSpec, call: ModelCall, overhead: int) -> int:
    """Diff and rule tokens one call of ``spec`` may carry."""
    context = llm.context_window(call) - call.max_output_tokens - overhead
    return max(0, int(min(context, spec.limits.max_input_tokens) * SAFETY_MARGIN))


class _Sizer:
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


def _fair_shares(wants: dict[str, int], budget: int) -> dict[str, int]:
    """Split ``budget`` so no agent gets more than it wants and the rest share equally."""
    shares: dict[str, int] = {}
    left = budget
    pending = sorted(wants, key=lambda k: wants[k])
    while pending:
        fair = left // len(pending)
        name = pending[0]
        if wants[name] <= fair:
            shares[name] = wants[name]
            left -= wants[name]
            pending.pop(0)
        else:
            for name in pending:
                shares[name] = fair
            break
    return shares


@dataclass
class _Load:
    pieces: list[_Piece] = field(default_factory=list)
    tokens: int = 0
    rules: set[str] = field(default_factory=set)


def _pack(w: _AgentWork, allowance: int, sizer: _Sizer, misses: _Misses) -> None:
    """Place the pieces, in rank order, into chunks; stop spending at ``allowance``.

    A piece joins the open chunk where it adds the fewest new Codex rules (files of one
    language end up together, so each prompt lists fewer rules), else starts a new chunk.
    """
    model = w.call.model
    loads: list[_Load] = []
    spent = 0
    for piece in w.pieces:
        target, cost = None, 0
        for load in loads:
            if load.tokens + piece.tokens > w.room or (target is not None and piece.tokens >= cost):
                continue  # cannot fit, or cannot beat the best so far (extra rules cost ≥ 0)
            new = piece.rules - load.rules
            extra = sizer.rules_tokens(model, new) if new else 0
            if load.tokens + piece.tokens + extra <= w.room and (target is None or piece.tokens + extra < cost):
                target, cost = load, piece.tokens + extra
                if not extra:
                    break
        if target is None:
            cost = piece.tokens + sizer.rules_tokens(model, piece.rules)
        if spent + cost + (w.overhead if target is None else 0) > allowance:
            misses.add(piece.file.path, "budget_part" if piece.part else "budget", w.spec.name)
            continue
        if target is None:
            target = _Load()
            loads.append(target)
            spent += w.overhead
        spent += cost
        target.pieces.append(piece)
        target.tokens += cost
        target.rules |= piece.rules
    w.chunks = [Chunk(agent=w.spec.name, files=[p.file for p in load.pieces], est_tokens=load.tokens + w.overhead)
                for load in loads]


_MISS_REASONS = {
    "too_big": "file larger than the context of {agents}",
    "too_big_part": "partly reviewed: lines too long for the context of {agents}",
    "budget": "token budget exhausted for {agents}",
    "budget_part": "partly reviewed: token budget exhausted for {agents}",
}


class _Misses:
    """Files an agent will not see, merged per path and reason: one entry names every agent."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], list[str]] = {}

    def add(self, path: str, kind: str, agent: str) -> None:
        agents = self._by_key.setdefault((path, kind), [])
        if agent not in agents:
            agents.append(agent)

    def entries(self) -> list[NotReviewed]:
        return [NotReviewed(path=path, reason=_MISS_REASONS[kind].format(agents=", ".join(agents)))
                for (path, kind), agents in self._by_key.items()]
