"""Plan a review: which agents run, which files each sees, in which chunks, within the budget.

When the whole change (every file some agent reviews) fits one call of every agent and the
budget, every agent gets that same chunk, with its own files as its ``focus``: their calls
then share one byte-identical prefix a provider can cache. Otherwise each agent's files are
packed into chunks of their own.

Nothing is silently dropped: every file an agent should have seen but will not is listed in
``ReviewPlan.not_reviewed`` with the reason, and every agent that will not run is an
``AgentRun(status="skipped")`` with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reviewer import llm
from reviewer.agents import AgentSpec
from reviewer.context_stage import EMPTY as EMPTY_CONTEXT
from reviewer.context_stage import ChunkContext
from reviewer.globs import any_match
from reviewer.llm import count_tokens
from reviewer.models import AgentRun, FileDiff, MergeRequest, NotReviewed, RiskAssessment
from reviewer.prompt_sizes import PromptSizer
from reviewer.prompting import MAX_AGENTS_MD_CHARS, RuleSource, build_messages
from reviewer.settings import NO_MODEL_HELP, ModelCall, Settings

SAFETY_MARGIN = 0.95  # share of the computed room actually filled: joined texts tokenise a little differently
RULES_ALLOWANCE = 1500  # tokens reserved for Codex rules when the plan is made without them (≤ 1/8 context)


@dataclass
class Chunk:
    """One model call: an agent and the files (or parts of files) it is shown together.

    ``focus`` are the paths among ``files`` the agent reviews (None: all of them); the others
    are shown so that agents share one prompt prefix. ``est_tokens`` is the estimated prompt
    size of the call, instructions included; ``diff_tokens`` the part of it that is the diff;
    ``limit`` the prompt tokens the call may take at most; ``context`` the code context section
    the context stage gave it.
    """

    agent: str
    files: list[FileDiff]
    est_tokens: int
    focus: frozenset[str] | None = None
    diff_tokens: int = 0
    limit: int = 0
    context: ChunkContext = EMPTY_CONTEXT

    @property
    def reviewed(self) -> list[FileDiff]:
        """The files the agent reviews in this call."""
        return self.files if self.focus is None else [f for f in self.files if f.path in self.focus]


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
    sizer = PromptSizer(rules)

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

    shared = _shared_chunks(work, ranked, sizer, settings.token_budget)
    if shared is not None:
        plan.agents.extend(w.spec for w in work)
        plan.chunks.extend(shared)
        plan.not_reviewed.extend(misses.entries())
        return plan
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


def _shared_chunks(work: list[_AgentWork], ranked: list[FileDiff], sizer: PromptSizer,
                   budget: int) -> list[Chunk] | None:
    """One chunk per agent, all showing the same files (the union of their scopes, in rank
    order), when that fits every agent's call and the budget; else None."""
    if not work or any(not w.pieces or any(p.part for p in w.pieces) for w in work):
        return None
    scoped = {p.file.path for w in work for p in w.pieces}
    union = [f for f in ranked if f.path in scoped]
    chunks: list[Chunk] = []
    spent = 0
    for w in work:
        focus = frozenset(p.file.path for p in w.pieces)
        diff = sum(sizer.file_tokens(w.call.model, f) for f in union)
        rules = frozenset().union(*(p.rules for p in w.pieces))
        tokens = diff + sizer.rules_tokens(w.call.model, rules)
        if tokens > w.room:
            return None
        spent += tokens + w.overhead
        chunks.append(Chunk(agent=w.spec.name, files=list(union), est_tokens=tokens + w.overhead,
                            focus=None if focus == scoped else focus, diff_tokens=diff,
                            limit=w.room + w.overhead))
    return chunks if spent <= budget else None


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


def _pack(w: _AgentWork, allowance: int, sizer: PromptSizer, misses: _Misses) -> None:
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
    w.chunks = [Chunk(agent=w.spec.name, files=[p.file for p in load.pieces], est_tokens=load.tokens + w.overhead,
                      diff_tokens=sum(p.tokens for p in load.pieces), limit=w.room + w.overhead)
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
