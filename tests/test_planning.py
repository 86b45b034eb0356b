"""Planning: agents by tier and model, files by scope and risk, chunks by context, the budget."""

from __future__ import annotations

from reviewer.prompting import build_messages
from reviewer.agents import AgentSpec, load_agents
from reviewer.llm import count_tokens
from reviewer.models import Category, FileDiff, MergeRequest, RiskAssessment, RiskTier
from reviewer.planning import ReviewPlan, plan_review
from reviewer.settings import Environment, Settings, parse_repo_config
from tests.support.diff_builder import file_diff

MODEL = "openai/gpt-4o-mini"
FULL = RiskAssessment(tier=RiskTier.FULL)


def settings(repo_yaml: str = "", **env) -> Settings:
    return Settings(env=Environment(**{"model": MODEL, **env}), repo=parse_repo_config(repo_yaml))


def agent(name: str = "security", **kw) -> AgentSpec:
    base = {"name": name, "description": "d", "category": Category.SECURITY, "tiers": [RiskTier.FULL],
            "prompt": "security.md.j2"}
    return AgentSpec(**{**base, **kw})


def source(path: str, lines: int, width: int = 6) -> FileDiff:
    """A new file of ``lines`` lines, each about ``width`` tokens."""
    text = "\n".join(f"value_{i} = compute({i}, 'x' * {width})" for i in range(lines))
    return file_diff(path, "", text)


def seen(plan: ReviewPlan, agent_name: str) -> list[str]:
    return [f.path for c in plan.chunks_for(agent_name) for f in c.reviewed]


def assert_nothing_dropped(plan: ReviewPlan, mr: MergeRequest, spec: AgentSpec) -> None:
    missed = {n.path for n in plan.not_reviewed if spec.name in n.reason}
    for f in mr.files:
        if f.reviewable and spec.in_scope(f.path):
            assert f.path in seen(plan, spec.name) or f.path in missed, f.path


def test_tier_decides_which_shipped_agents_run():
    mr = MergeRequest(files=[source("src/app.py", 5), source("README.md", 3)])
    trivial = plan_review(mr, RiskAssessment(tier=RiskTier.TRIVIAL), load_agents(), settings())
    assert [a.name for a in trivial.agents] == ["codex"]
    skipped = {r.name: r for r in trivial.skipped}
    assert set(skipped) == {"security", "quality", "docs", "performance", "release"}
    assert all(r.status == "skipped" and r.error == "not run for trivial changes" for r in skipped.values())
    full = plan_review(mr, FULL, load_agents(), settings())
    assert {a.name for a in full.agents} == {"security", "quality", "codex", "docs", "performance", "release"}
    assert seen(full, "docs") == ["README.md"] and seen(full, "performance") == ["src/app.py"]


def test_no_model_skips_every_agent_and_says_how_to_configure_one():
    mr = MergeRequest(files=[source("src/app.py", 5)])
    plan = plan_review(mr, FULL, load_agents(), Settings())
    assert plan.agents == [] and plan.chunks == []
    assert len(plan.skipped) == 6
    assert all("REVIEWER_MODEL" in r.error and r.model is None for r in plan.skipped)


def test_alias_without_its_own_model_falls_back_to_the_default():
    plan = plan_review(MergeRequest(files=[source("README.md", 3)]), FULL, load_agents(), settings())
    docs_chunk = plan.chunks_for("docs")
    assert docs_chunk and "docs" in [a.name for a in plan.agents]


def test_disabled_agent_and_agent_without_files_are_skipped():
    mr = MergeRequest(files=[source("src/app.py", 5)])
    specs = [agent("security", enabled=False), agent("docs", category=Category.DOCS, prompt="docs.md.j2",
                                                   files={"include": ["**/*.md"]})]
    plan = plan_review(mr, FULL, specs, settings())
    assert {r.name: r.error for r in plan.skipped} == {
        "security": "disabled in the configuration", "docs": "no changed files in its scope"}


def test_filtered_file_is_listed_once_with_its_reason():
    lock = source("poetry.lock", 40).model_copy(update={"skip_reason": "lock file"})
    mr = MergeRequest(files=[lock, source("src/app.py", 5)])
    plan = plan_review(mr, FULL, load_agents(), settings())
    assert [n.model_dump() for n in plan.not_reviewed] == [{"path": "poetry.lock", "reason": "lock file"}]
    assert all("poetry.lock" not in seen(plan, a.name) for a in plan.agents)


def test_budget_overflow_goes_to_not_reviewed_riskiest_first():
    files = [source(f"src/mod_{i:02}.py", 40) for i in range(30)] + [source("src/auth/session.py", 10)]
    mr = MergeRequest(files=files)
    spec = agent()
    plan = plan_review(mr, FULL, [spec], settings(token_budget=12_000))
    reviewed = seen(plan, "security")
    assert reviewed[0] == "src/auth/session.py"  # security-sensitive path ranked first
    assert 0 < len(reviewed) < len(files)
    assert sum(c.est_tokens for c in plan.chunks) <= 12_000
    missed = [n for n in plan.not_reviewed]
    assert missed and all(n.reason == "token budget exhausted for security" for n in missed)
    assert len(reviewed) + len(missed) == len(files)
    assert_nothing_dropped(plan, mr, spec)


def test_budget_is_shared_fairly_between_agents():
    files = [source(f"src/mod_{i:02}.py", 40) for i in range(30)]
    mr = MergeRequest(files=files)
    specs = [agent("security"), agent("quality", category=Category.QUALITY, prompt="quality.md.j2")]
    plan = plan_review(mr, FULL, specs, settings(token_budget=20_000))
    spent = {name: sum(c.est_tokens for c in plan.chunks_for(name)) for name in ("security", "quality")}
    assert all(0 < v <= 10_000 for v in spent.values()), spent
    reasons = {n.path: n.reason for n in plan.not_reviewed}
    assert "token budget exhausted for security, quality" in reasons.values()
    for spec in specs:
        assert_nothing_dropped(plan, mr, spec)


def test_chunks_fit_the_model_context():
    repo = "models:\n  default: {context_window: 6000, max_output_tokens: 500}\n"
    files = [source(f"src/mod_{i:02}.py", 30) for i in range(20)]
    mr = MergeRequest(files=files)
    plan = plan_review(mr, FULL, [agent()], settings(repo))
    chunks = plan.chunks_for("security")
    assert len(chunks) >= 3
    assert all(c.est_tokens <= 6000 - 500 for c in chunks)
    for c in chunks:  # the prompt actually rendered fits too
        messages = build_messages(agent(), c.files, mr, None, Settings(), FULL)
        assert count_tokens(MODEL, "\n".join(m["content"] for m in messages)) <= c.est_tokens
    assert sorted(seen(plan, "security")) == sorted(f.path for f in files)
    assert plan.not_reviewed == []


class Rules:
    """A stand-in Codex: every Python file has its own long rule, shared rules apply everywhere."""

    class Rule:
        def __init__(self, rid: str, title: str) -> None:
            self.id, self.severity, self.title, self.category = rid, "important", title, "security"

    def for_path(self, path: str) -> list:
        n = int(path.rsplit("_", 1)[-1].split(".")[0])
        own = self.Rule(f"PY-{n:03}", "Module %d API changed without notice" % n)
        return [self.Rule("SEC-001", "SQL built by string formatting"), own]


def test_chunks_count_their_codex_rules():
    repo = "models:\n  default: {context_window: 6000, max_output_tokens: 500}\n"
    files = [source(f"src/mod_{i:02}.py", 30) for i in range(20)]
    mr = MergeRequest(files=files)
    rules = Rules()
    with_rules = plan_review(mr, FULL, [agent()], settings(repo), rules=rules)
    without = plan_review(mr, FULL, [agent()], settings(repo))
    assert len(with_rules.chunks) >= 3 and with_rules.not_reviewed == []
    for c in with_rules.chunks:
        messages = build_messages(agent(), c.files, mr, rules, Settings(), FULL)
        text = "\n".join(m["content"] for m in messages)
        assert text.count("SEC-001") == 1 and text.count("PY-0") == len(c.files)
        assert count_tokens(MODEL, text) <= c.est_tokens <= 6000 - 500
    assert sum(len(c.files) for c in without.chunks) == len(files)


def test_chunks_respect_the_agent_input_limit():
    files = [source(f"src/mod_{i:02}.py", 60) for i in range(40)]
    plan = plan_review(MergeRequest(files=files), FULL, [agent(limits={"max_input_tokens": 3000})], settings())
    chunks = plan.chunks_for("security")
    assert len(chunks) > 5
    for c in chunks:
        diff_tokens = sum(count_tokens(MODEL, "\n".join(ln.content for ln in f.iter_lines())) for f in c.files)
        assert diff_tokens <= 3000


def test_a_file_too_big_for_one_call_is_split_by_hunks():
    old = "\n".join(f"line_{i} = {i}" for i in range(400))
    new = "\n".join(f"line_{i} = {i + (1 if i % 20 == 0 else 0)}  # changed" if i % 20 == 0 else f"line_{i} = {i}"
                    for i in range(400))
    big = file_diff("src/big.py", old, new)
    assert len(big.hunks) == 20
    plan = plan_review(MergeRequest(files=[big]), FULL, [agent(limits={"max_input_tokens": 1000})], settings())
    parts = [f for c in plan.chunks_for("security") for f in c.files]
    assert len(parts) > 1 and {p.path for p in parts} == {"src/big.py"}
    assert [h for p in parts for h in p.hunks] == big.hunks
    assert plan.not_reviewed == []


def test_a_line_too_big_for_any_call_is_reported():
    huge = file_diff("src/blob.py", "", "DATA = '" + "ab " * 6000 + "'\nX = 1\n")
    repo = "models:\n  default: {context_window: 4096, max_output_tokens: 500}\n"
    plan = plan_review(MergeRequest(files=[huge]), FULL, [agent()], settings(repo))
    assert [n.reason for n in plan.not_reviewed] == ["partly reviewed: lines too long for the context of security"]
    assert [f.path for c in plan.chunks for f in c.files] == ["src/blob.py"]  # the small rest still goes
    assert sum(len(h.lines) for c in plan.chunks for f in c.files for h in f.hunks) == 1


def test_a_file_that_cannot_fit_at_all_is_reported_and_the_agent_skipped():
    huge = file_diff("src/blob.py", "", "DATA = '" + "ab " * 6000 + "'\n")
    repo = "models:\n  default: {context_window: 4096, max_output_tokens: 500}\n"
    plan = plan_review(MergeRequest(files=[huge]), FULL, [agent()], settings(repo))
    assert [n.reason for n in plan.not_reviewed] == ["file larger than the context of security"]
    assert plan.chunks == [] and [r.error for r in plan.skipped] == ["none of its files fit the model's context"]


def test_a_deleted_file_costs_only_its_summary_line():
    gone = source("src/old_module.py", 3000).model_copy(update={"deleted_file": True})
    repo = "models:\n  default: {context_window: 4096, max_output_tokens: 500}\n"
    plan = plan_review(MergeRequest(files=[gone]), FULL, [agent()], settings(repo))
    [chunk] = plan.chunks
    assert chunk.files == [gone] and plan.not_reviewed == []
    messages = build_messages(agent(), chunk.files, MergeRequest(files=[gone]), None, Settings(), FULL)
    assert count_tokens(MODEL, "\n".join(m["content"] for m in messages)) <= chunk.est_tokens


def test_a_large_change_plans_quickly():
    files = [source(f"src/pkg{i % 20}/mod_{i}.py", 50) for i in range(1000)]
    mr = MergeRequest(files=files)
    plan = plan_review(mr, FULL, load_agents(), settings())
    assert plan.chunks and plan.not_reviewed
    assert all(c.est_tokens <= 60_000 + 5_000 for c in plan.chunks)
    for spec in plan.agents:
        assert_nothing_dropped(plan, mr, spec)


def test_when_the_whole_change_fits_every_agent_sees_it_with_its_own_files_as_focus():
    mr = MergeRequest(files=[source("src/app.py", 5), source("README.md", 3), source("src/db.py", 4)])
    plan = plan_review(mr, FULL, load_agents(), settings())
    files = {tuple(f.path for f in c.files) for c in plan.chunks}
    assert len(files) == 1 and set(next(iter(files))) == {"src/app.py", "README.md", "src/db.py"}
    by_agent = {c.agent: c for c in plan.chunks}
    assert by_agent["docs"].focus == frozenset({"README.md"})
    assert by_agent["codex"].focus is None  # it reviews every file shown
    assert [f.path for f in by_agent["docs"].reviewed] == ["README.md"]


def test_in_a_small_window_each_chunk_holds_only_files_its_agents_review():
    repo = "models:\n  default: {context_window: 6000, max_output_tokens: 500}\n"
    files = [source(f"src/mod_{i:02}.py", 60) for i in range(10)] + [source("README.md", 200)]
    plan = plan_review(MergeRequest(files=files), FULL, load_agents(), settings(repo))
    assert all(c.focus is None for c in plan.chunks)
    assert "README.md" not in seen(plan, "security") and seen(plan, "docs") == ["README.md"]


def _by_files(plan: ReviewPlan) -> dict[tuple, list]:
    """The plan's chunks grouped by the files they show (a shared chunk is one entry)."""
    groups: dict[tuple, list] = {}
    for c in plan.chunks:
        groups.setdefault(tuple((f.path, tuple(h.new_start for h in f.hunks)) for f in c.files), []).append(c)
    return groups


BIG_WINDOW = "models:\n  default: {context_window: 24000, max_output_tokens: 500}\n  fast: {context_window: 24000, max_output_tokens: 500}\n"


def big_change() -> MergeRequest:
    return MergeRequest(files=[source(f"src/mod_{i:02}.py", 60) for i in range(30)]
                        + [source(f"docs/page_{i}.md", 40) for i in range(4)])


def test_a_change_too_big_for_one_call_is_cut_into_chunks_every_agent_of_the_model_shares():
    mr = big_change()
    plan = plan_review(mr, FULL, load_agents(), settings(BIG_WINDOW, token_budget=2_000_000))
    groups = _by_files(plan)
    assert len(groups) > 1  # more than one call's worth
    assert len(plan.chunks) > len(groups)  # chunks are shown to several agents
    first = plan.chunks_for("codex")[0]
    sharing = {c.agent for c in groups[next(iter(groups))]}
    assert sharing == {a.name for a in plan.agents}  # the first chunk has work for every agent
    for chunks in groups.values():
        for c in chunks:
            spec = next(a for a in plan.agents if a.name == c.agent)
            assert c.reviewed and all(spec.in_scope(f.path) for f in c.reviewed)
    assert first.files == groups[next(iter(groups))][0].files
    for spec in plan.agents:
        assert_nothing_dropped(plan, mr, spec)
    assert plan.not_reviewed == []


def test_agents_on_another_model_pack_chunks_of_their_own_files():
    mr = big_change()
    plan = plan_review(mr, FULL, load_agents(), settings(BIG_WINDOW, token_budget=2_000_000,
                                                         alias_models={"fast": "openai/gpt-4o"}))
    docs = plan.chunks_for("docs")
    assert docs and all(c.focus is None for c in docs)
    assert {f.path for c in docs for f in c.files} == {f"docs/page_{i}.md" for i in range(4)}
    shown_to_codex = {f.path for c in plan.chunks_for("codex") for f in c.files}
    assert shown_to_codex == {f.path for f in mr.files}


def test_a_budget_smaller_than_one_shared_chunk_cuts_the_chunks_so_every_agent_still_reviews():
    mr = big_change()
    specs = [a for a in load_agents() if a.name in ("security", "quality", "codex")]
    plan = plan_review(mr, FULL, specs, settings(BIG_WINDOW, token_budget=30_000))
    assert {c.agent for c in plan.chunks} == {"security", "quality", "codex"}
    assert sum(c.limit for c in plan.chunks) <= 30_000  # a chunk's limit counts its context room
    assert plan.not_reviewed and all(n.reason.startswith("token budget exhausted for ") for n in plan.not_reviewed)
    assert len(_by_files(plan)) * 3 == len(plan.chunks)  # every chunk reviewed by all three
    for spec in specs:
        assert_nothing_dropped(plan, mr, spec)


def test_every_chunk_keeps_room_for_its_code_context():
    mr = big_change()
    config = Settings().repo.context
    plan = plan_review(mr, FULL, load_agents(), settings(BIG_WINDOW))
    for c in plan.chunks:
        if len(c.files) > 1:  # a file alone goes whatever is left
            room = c.limit - c.est_tokens
            assert room >= min(config.allowance(c.diff_tokens), (c.limit - c.est_tokens + c.diff_tokens) // 2) - 50
    off = plan_review(mr, FULL, load_agents(), settings(BIG_WINDOW + "context: {enabled: false}\n"))
    assert len(_by_files(off)) < len(_by_files(plan))  # without context, more diff fits each call
