"""Plan a review: which agents run, which files each sees, in which chunks, within the budget.

Nothing is silently dropped: every file an agent should have seen but will not is listed in
``ReviewPlan.not_reviewed`` with the reason, and every agent that will not run is an
``AgentRun(status="skipped")`` with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reviewer import llm
from reviewer.agents import AgentSpec, path_matches
from reviewer.models import AgentRun, FileDiff, Hunk, MergeRequest, NotReviewed, RiskAssessment
from reviewer.settings import NO_MODEL_HELP, ModelCall, Settings

SAFETY_MARGIN = 0.9  # share of the computed room actually filled: token estimates are not exact
RULES_ALLOWANCE = 1500  # prompt tokens reserved for the Codex rules of one chunk (at most 1/8 of the context)
PER_LINE_TOKENS = 2  # the line number and marker the prompt adds to each diff line
PER_FILE_TOKENS = 12  # the file header the prompt adds


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


def count_tokens(model: str, text: str) -> int:
    """Token estimate used for planning (one place to switch the tokenizer)."""
    return llm.count_tokens(model, text)


@dataclass
class _Piece:
    """A file, or a run of its hunks when the whole file does not fit one call."""

    file: FileDiff
    tokens: int
    part: bool = False


@dataclass
class _AgentWork:
    spec: AgentSpec
    call: ModelCall
    overhead: int
    pieces: list[_Piece]
    chunks: list[Chunk] = field(default_factory=list)


def plan_review(
    mr: MergeRequest, risk: RiskAssessment, agents: Sequence[AgentSpec], settings: Settings
) -> ReviewPlan:
    """Decide what every agent reviews for a change of ``risk.tier``.

    Files are ranked by risk (security-sensitive paths and migrations first, then by size),
    packed into chunks that fit each agent's context and ``max_input_tokens``, and sent only
    while the review's token budget lasts; the budget is shared fairly between the agents.
    Files the source could not load (``mr.not_reviewed``) are left to the caller.
    """
    plan = ReviewPlan()
    misses = _Misses()
    for f in mr.files:
        if not f.reviewable:
            plan.not_reviewed.append(NotReviewed(path=f.path, reason=f.skip_reason or "not reviewable"))
    ranked = _rank([f for f in mr.files if f.reviewable], settings)
    tokens_cache: dict[tuple[str, int], int] = {}

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
        room = _room(spec, call, overhead)
        pieces: list[_Piece] = []
        for f in scoped:
            tokens = _file_tokens(call.model, f, tokens_cache)
            if tokens <= room:
                pieces.append(_Piece(f, tokens))
                continue
            parts, too_big = _split(f, call.model, room)
            pieces.extend(parts)
            if too_big:
                misses.add(f.path, "too_big", spec.name)
        work.append(_AgentWork(spec, call, overhead, pieces))

    allowance = _fair_shares(
        {w.spec.name: sum(p.tokens for p in w.pieces) + w.overhead * _min_chunks(w) for w in work},
        settings.token_budget,
    )
    for w in work:
        _pack(w, _room(w.spec, w.call, w.overhead), allowance[w.spec.name], misses)
        if w.chunks:
            plan.agents.append(w.spec)
            plan.chunks.extend(w.chunks)
        else:
            plan.skipped.append(AgentRun(name=w.spec.name, model=w.call.model, status="skipped",
                                         error="token budget exhausted before any of its files"))
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
        sensitive = path_matches(f.path, risk.sensitive_paths)
        migration = path_matches(f.path, risk.migration_paths)
        return (0 if sensitive else 1, 0 if migration else 1, -(f.added + f.removed), f.path)

    return sorted(files, key=key)


def _overhead_tokens(spec: AgentSpec, call: ModelCall, mr: MergeRequest, risk: RiskAssessment,
                    settings: Settings) -> int:
    """Prompt tokens of one call without its diff: instructions, MR text, AGENTS.md, rules."""
    from reviewer.agent_runner import MAX_AGENTS_MD_CHARS, build_messages  # the runner imports Chunk

    messages = build_messages(spec, [], mr, None, settings, risk)
    text = "\n".join(m["content"] for m in messages)
    nested_md = sum(min(len(v), MAX_AGENTS_MD_CHARS) for k, v in mr.agents_md.items() if k)
    instructions = sum(len(pi.instructions) for pi in settings.repo.path_instructions)
    rules = min(RULES_ALLOWANCE, llm.context_window(call) // 8)
    return count_tokens(call.model, text) + (nested_md + instructions) // 3 + rules


def _room(spec: AgentSpec, call: ModelCall, overhead: int) -> int:
    """Diff tokens one call of ``spec`` may carry."""
    context = llm.context_window(call) - call.max_output_tokens - overhead
    return max(0, int(min(context, spec.limits.max_input_tokens) * SAFETY_MARGIN))


def _file_text(f: FileDiff) -> str:
    return "\n".join(ln.content for ln in f.iter_lines())


def _file_tokens(model: str, f: FileDiff, cache: dict[tuple[str, int], int]) -> int:
    if f.deleted_file:  # the prompt shows a deleted file as one summary line
        return PER_FILE_TOKENS + 8
    key = (model, id(f))
    if key not in cache:
        lines = sum(len(h.lines) for h in f.hunks)
        cache[key] = count_tokens(model, _file_text(f)) + PER_LINE_TOKENS * lines + PER_FILE_TOKENS
    return cache[key]


def _split(f: FileDiff, model: str, room: int) -> tuple[list[_Piece], bool]:
    """Cut ``f`` into runs of hunks (or of lines, for a huge hunk) that each fit ``room``.

    Returns the parts and whether some line was too big to fit even alone.
    """
    units: list[tuple[Hunk, int]] = []
    too_big = False
    for hunk in f.hunks:
        tokens = count_tokens(model, "\n".join(ln.content for ln in hunk.lines)) + PER_LINE_TOKENS * len(hunk.lines)
        if tokens <= room:
            units.append((hunk, tokens))
            continue
        for piece, piece_tokens in _split_hunk(hunk, model, room):
            if piece_tokens <= room:
                units.append((piece, piece_tokens))
            else:
                too_big = True
    parts: list[_Piece] = []
    current: list[Hunk] = []
    used = PER_FILE_TOKENS
    for hunk, tokens in units:
        if current and used + tokens > room:
            parts.append(_Piece(f.model_copy(update={"hunks": current}), used, part=True))
            current, used = [], PER_FILE_TOKENS
        current.append(hunk)
        used += tokens
    if current:
        parts.append(_Piece(f.model_copy(update={"hunks": current}), used, part=True))
    return parts, too_big


def _split_hunk(hunk: Hunk, model: str, room: int) -> list[tuple[Hunk, int]]:
    out: list[tuple[Hunk, int]] = []
    lines: list = []
    used = 0
    for ln in hunk.lines:
        tokens = count_tokens(model, ln.content) + PER_LINE_TOKENS
        if lines and used + tokens > room:
            out.append((hunk.model_copy(update={"lines": lines}), used))
            lines, used = [], 0
        lines.append(ln)
        used += tokens
    if lines:
        out.append((hunk.model_copy(update={"lines": lines}), used))
    return out


def _min_chunks(w: _AgentWork) -> int:
    room = _room(w.spec, w.call, w.overhead) or 1
    return max(1, -(-sum(p.tokens for p in w.pieces) // room))


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


def _pack(w: _AgentWork, room: int, allowance: int, misses: _Misses) -> None:
    """First-fit the pieces, in rank order, into chunks; stop spending at ``allowance``."""
    loads: list[list[_Piece]] = []
    sizes: list[int] = []
    spent = 0
    for piece in w.pieces:
        target = next((i for i, size in enumerate(sizes) if size + piece.tokens <= room), None)
        cost = piece.tokens + (w.overhead if target is None else 0)
        if spent + cost > allowance:
            misses.add(piece.file.path, "budget_part" if piece.part else "budget", w.spec.name)
            continue
        spent += cost
        if target is None:
            loads.append([piece])
            sizes.append(piece.tokens)
        else:
            loads[target].append(piece)
            sizes[target] += piece.tokens
    w.chunks = [
        Chunk(agent=w.spec.name, files=[p.file for p in load], est_tokens=size + w.overhead)
        for load, size in zip(loads, sizes, strict=True)
    ]


_MISS_REASONS = {
    "too_big": "file larger than the context of {agents}",
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
