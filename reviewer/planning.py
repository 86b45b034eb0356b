"""Plan a review: which agents run, which files each sees, in which chunks, within the budget.

When the whole change (every file some agent reviews) fits one call of every agent and the
budget, every agent gets that same chunk, with its own files as its ``focus``: their calls
then share one byte-identical prefix a provider can cache. A bigger change is cut into chunks
shared the same way by the agents of one model (a provider caches per model): each chunk
shows files in rank order, and every agent with files in it reviews it, within that agent's
fair share of the budget. An agent alone on its model packs its own files.

Every chunk leaves room for its code context (``ContextConfig.allowance`` of its diff), and
the budget counts that room.

Nothing is silently dropped: every file an agent should have seen but will not is listed in
``ReviewPlan.not_reviewed`` with the reason, and every agent that will not run is an
``AgentRun(status="skipped")`` with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    ``limit`` the prompt tokens the call may take at most, its code context included (the
    plan's budget counts them); ``context`` the code context section the context stage gave it.
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

    reserve = _context_reserve(settings)
    shared = _shared_chunks(work, ranked, sizer, settings.token_budget, reserve)
    if shared is not None:
        plan.agents.extend(w.spec for w in work)
        plan.chunks.extend(shared)
        plan.not_reviewed.extend(misses.entries())
        return plan
    groups = [g for g in _model_groups(work) if len(g) > 1]
    grouped = {id(w) for g in groups for w in g}
    packs = [_pack_shared(g, ranked, sizer, reserve, misses) for g in groups]
    wants = {}
    for w in work:
        if id(w) in grouped:
            continue
        wants[w.spec.name] = _pack(w, None, sizer, _Misses(), reserve)  # what it spends on everything
    for pack in packs:
        wants.update(pack.wants())
    allowance = _fair_shares(wants, settings.token_budget)
    for i, pack in enumerate(packs):
        pot = sum(allowance[w.spec.name] for w in pack.group)
        caps = pack.call_caps(pot)
        if caps is not None:  # the pot buys a fraction of a chunk more: cut chunks so it buys whole ones
            packs[i] = _pack_shared(pack.group, ranked, sizer, reserve, misses, caps)
        packs[i].take(pot, misses)
    for w in work:
        if id(w) not in grouped:
            _pack(w, allowance[w.spec.name], sizer, misses, reserve)
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
                   budget: int, reserve: Reserve) -> list[Chunk] | None:
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
        if tokens + reserve(diff, w.room) > w.room:
            return None
        spent += tokens + w.overhead + reserve(diff, w.room)
        chunks.append(Chunk(agent=w.spec.name, files=list(union), est_tokens=tokens + w.overhead,
                            focus=None if focus == scoped else focus, diff_tokens=diff,
                            limit=tokens + w.overhead + reserve(diff, w.room)))
    return chunks if spent <= budget else None


Reserve = Callable[[int, int], int]  # (chunk diff tokens, the call's room) -> context room kept


def _context_reserve(settings: Settings) -> Reserve:
    """The code-context room a chunk keeps: its allowance for the chunk's diff, at most half the
    call's room (a small model still gets diff in every call); none when context is off."""
    config = settings.repo.context
    if not config.enabled:
        return lambda _diff, _room: 0
    return lambda diff, room: min(config.allowance(diff), room // 2)


def _model_groups(work: list[_AgentWork]) -> list[list[_AgentWork]]:
    """The agents by the model (and endpoint) they call: a provider caches prefixes per model."""
    groups: dict[tuple[str, str | None], list[_AgentWork]] = {}
    for w in work:
        groups.setdefault((w.call.model, w.call.api_base), []).append(w)
    return list(groups.values())


@dataclass
class _SharedChunk:
    """A chunk several agents of one model review: its pieces, and each member's rules and files."""

    pieces: list[_Piece] = field(default_factory=list)
    diff: int = 0
    rules: dict[str, frozenset[str]] = field(default_factory=dict)  # member agent -> its rule IDs here
    focus: dict[str, list[_Piece]] = field(default_factory=dict)  # member agent -> its pieces here


class _SharedPack:
    """Chunks shown alike to every agent of one model that has files in them."""

    def __init__(self, group: list[_AgentWork], chunks: list[_SharedChunk], rooms: dict[str, int],
                 sizer: PromptSizer, reserve: Reserve) -> None:
        self.group, self.chunks, self._rooms, self._sizer, self._reserve = group, chunks, rooms, sizer, reserve

    def _context_room(self, w: _AgentWork, chunk: _SharedChunk) -> int:
        return self._reserve(chunk.diff, self._rooms[w.spec.name])

    def cost(self, w: _AgentWork, chunk: _SharedChunk) -> int:
        """Prompt tokens ``w``'s call on ``chunk`` takes from the budget, context room included."""
        rules = self._sizer.rules_tokens(w.call.model, chunk.rules[w.spec.name])
        return chunk.diff + rules + w.overhead + self._context_room(w, chunk)

    def wants(self) -> dict[str, int]:
        """What each agent would spend to review every chunk it has files in."""
        return {w.spec.name: sum(self.cost(w, c) for c in self.chunks if w.spec.name in c.rules)
                for w in self.group}

    def chunk_cost(self, chunk: _SharedChunk) -> int:
        """What every member's call on ``chunk`` takes from the budget together."""
        return sum(self.cost(w, chunk) for w in self.group if w.spec.name in chunk.rules)

    def affordable(self, pot: int) -> tuple[int, int]:
        """How many chunks, in order (skipping those that no longer fit), ``pot`` pays for, and what they cost."""
        taken = spent = 0
        for c in self.chunks:
            cost = self.chunk_cost(c)
            if spent + cost <= pot:
                taken, spent = taken + 1, spent + cost
        return taken, spent

    def call_caps(self, pot: int) -> dict[str, int] | None:
        """Smaller calls for each member when ``pot`` pays for a fraction of a chunk more than
        whole ones (a third or more unspent): chunks then cost about ``pot / (n + 1)``, with
        every member in each. None when the chunks as they are use the pot well."""
        taken, spent = self.affordable(pot)
        if not self.chunks or taken == len(self.chunks):
            return None
        if taken and pot - spent < spent / taken / 3:
            return None
        per_call = pot // (taken + 1) // len(self.group)
        return {w.spec.name: min(w.room, per_call - w.overhead) for w in self.group}

    def take(self, pot: int, misses: _Misses) -> None:
        """Every member reviews each chunk, in order, while the group's ``pot`` lasts; a chunk
        it cannot pay for is a miss for each member's files in it."""
        spent = 0
        for c in self.chunks:
            cost = self.chunk_cost(c)
            if spent + cost > pot:
                for name, pieces in c.focus.items():
                    for piece in pieces:
                        misses.add(piece.file.path, "budget_part" if piece.part else "budget", name)
                continue
            spent += cost
            paths = {p.file.path for p in c.pieces}
            for w in self.group:
                name = w.spec.name
                if name not in c.rules:
                    continue
                focus = frozenset(p.file.path for p in c.focus[name])
                cost = self.cost(w, c)
                w.chunks.append(Chunk(agent=name, files=[p.file for p in c.pieces],
                                      est_tokens=cost - self._context_room(w, c),
                                      focus=None if focus == paths else focus, diff_tokens=c.diff,
                                      limit=min(cost, w.room + w.overhead)))


def _seeded(group: list[_AgentWork], ranked: list[FileDiff], sizer: PromptSizer, room: int) -> list[FileDiff]:
    """``ranked`` with each agent's riskiest file that takes under a quarter of a call moved to
    the front: the first chunk, which the budget always reaches, then has work for every agent."""
    model = group[0].call.model
    first: list[FileDiff] = []
    for w in group:
        paths = {p.file.path for p in w.pieces}
        top = next((f for f in ranked if f.path in paths and sizer.file_tokens(model, f) <= room // 4), None)
        if top is not None and top not in first:
            first.append(top)
    return first + [f for f in ranked if f not in first]


def _pack_shared(group: list[_AgentWork], ranked: list[FileDiff], sizer: PromptSizer,
                 reserve: Reserve, misses: _Misses, caps: dict[str, int] | None = None) -> _SharedPack:
    """Cut the union of ``group``'s files, in rank order, into chunks every member can take.

    A piece joins the first chunk where, for each agent that would then review the chunk, diff,
    rules and context room still fit that agent's call (and its ``caps``: a budget share smaller
    than a call); else it starts a chunk. Files too big for the smallest call among their agents
    are cut into runs of hunks.
    """
    model = group[0].call.model
    wanted = {w.spec.name: {p.file.path for p in w.pieces} for w in group}
    rooms = {w.spec.name: max(0, min(w.room, (caps or {}).get(w.spec.name, w.room))) for w in group}
    by_name = {w.spec.name: w for w in group}
    chunks: list[_SharedChunk] = []
    for f in _seeded(group, ranked, sizer, min(rooms.values())):
        members = [w for w in group if f.path in wanted[w.spec.name]]
        if not members:
            continue
        ids = {w.spec.name: sizer.rule_ids(w.spec, f) for w in members}
        tokens = sizer.file_tokens(model, f)
        room = min(rooms[w.spec.name] - sizer.rules_tokens(model, ids[w.spec.name]) for w in members)
        if tokens <= room:
            pieces = [_Piece(f, tokens)]
        else:
            parts, too_big = sizer.split(f, model, room)
            pieces = [_Piece(part, size, part=True) for part, size in parts]
            if too_big:
                for w in members:
                    misses.add(f.path, "too_big_part" if parts else "too_big", w.spec.name)
        for piece in pieces:
            target = next((c for c in chunks if _fits(c, piece, ids, by_name, rooms, sizer, reserve)), None)
            if target is None:
                target = _SharedChunk()
                chunks.append(target)
            target.pieces.append(piece)
            target.diff += piece.tokens
            for name, rule_ids in ids.items():
                target.rules[name] = target.rules.get(name, frozenset()) | rule_ids
                target.focus.setdefault(name, []).append(piece)
    return _SharedPack(group, chunks, rooms, sizer, reserve)


def _fits(chunk: _SharedChunk, piece: _Piece, ids: dict[str, frozenset[str]], by_name: dict[str, _AgentWork],
          rooms: dict[str, int], sizer: PromptSizer, reserve: Reserve) -> bool:
    """Whether every agent reviewing ``chunk`` once ``piece`` (with its agents' ``ids``) joins
    still has room for diff, rules and context."""
    diff = chunk.diff + piece.tokens
    for name in by_name:  # every agent of the group, not only the chunk's: any of them may join later
        w = by_name[name]
        rules = chunk.rules.get(name, frozenset()) | ids.get(name, frozenset())
        if diff + sizer.rules_tokens(w.call.model, rules) + reserve(diff, rooms[name]) > rooms[name]:
            return False
    return True


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
    tokens: int = 0  # diff and rules
    diff: int = 0
    rules: set[str] = field(default_factory=set)


def _pack(w: _AgentWork, allowance: int | None, sizer: PromptSizer, misses: _Misses, reserve: Reserve) -> int:
    """Place the pieces, in rank order, into chunks; stop spending at ``allowance`` (None: no
    limit); return the tokens spent.

    A piece joins the open chunk where it adds the fewest new Codex rules (files of one
    language end up together, so each prompt lists fewer rules), else starts a new chunk.
    Each chunk keeps ``reserve(diff)`` tokens of room for its code context.
    """
    model = w.call.model
    loads: list[_Load] = []
    spent = 0
    for piece in w.pieces:
        target, cost = None, 0
        for load in loads:
            room = w.room - reserve(load.diff + piece.tokens, w.room)
            if load.tokens + piece.tokens > room or (target is not None and piece.tokens >= cost):
                continue  # cannot fit, or cannot beat the best so far (extra rules cost ≥ 0)
            new = piece.rules - load.rules
            extra = sizer.rules_tokens(model, new) if new else 0
            if load.tokens + piece.tokens + extra <= room and (target is None or piece.tokens + extra < cost):
                target, cost = load, piece.tokens + extra
                if not extra:
                    break
        if target is None:
            cost = piece.tokens + sizer.rules_tokens(model, piece.rules)
        growth = (reserve((target.diff if target else 0) + piece.tokens, w.room)
                  - (reserve(target.diff, w.room) if target else 0))
        if allowance is not None and spent + cost + growth + (w.overhead if target is None else 0) > allowance:
            misses.add(piece.file.path, "budget_part" if piece.part else "budget", w.spec.name)
            continue
        if target is None:
            target = _Load()
            loads.append(target)
            spent += w.overhead
        spent += cost + growth
        target.pieces.append(piece)
        target.tokens += cost
        target.diff += piece.tokens
        target.rules |= piece.rules
    w.chunks = [Chunk(agent=w.spec.name, files=[p.file for p in load.pieces], est_tokens=load.tokens + w.overhead,
                      diff_tokens=load.diff,
                      limit=min(load.tokens + reserve(load.diff, w.room), w.room) + w.overhead)
                for load in loads]
    return spent


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
