"""Benchmark: review a synthetic 1,000-file / 50,000-line change with a scripted model (not a timed test).

    python benchmarks/bench_review.py                       # the issue's change, zero-latency model
    python benchmarks/bench_review.py --concurrency-check   # 30 files, 2 s model: wall ≈ slowest agent?
    python benchmarks/bench_review.py --profile             # add a cProfile of the reviewer's process
    python benchmarks/bench_review.py --files 100 --lines 5000 --latency 0.5 --keep /tmp/bench-repo

The parent builds the repository (not timed), serves the scripted OpenAI-compatible model on
loopback and runs the review in a child process (this script with ``--child``), so the child's
peak memory is the reviewer's alone. The reviewer's own time is the child's wall time minus
the time at least one model request was in flight (the union of the server's busy intervals).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent

TARGET_OWN_S = 10.0
TARGET_RSS_MB = 500.0
TARGET_RATIO = 1.3
TARGET_PREFIX_SHARE = 0.70
CHARS_PER_TOKEN = 4  # the scripted server counts prompt tokens as len(message text) // 4
AGENT_LINE = re.compile(r"You are the (.+?) reviewer\. Report at most")
DIFF_HEADER = re.compile(r"^### (\S+)", re.M)
ADDED_LINE = re.compile(r"^(\d+)\+\S", re.M)


# -- time accounting ----------------------------------------------------------------------------
def union_seconds(intervals: list[tuple[float, float]], start: float, end: float) -> float:
    """Seconds within ``[start, end]`` covered by at least one of ``intervals``."""
    clipped = sorted((max(a, start), min(b, end)) for a, b in intervals if b > start and a < end)
    total, cur_a, cur_b = 0.0, None, None
    for a, b in clipped:
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += cur_b - cur_a
    return total


# -- the model server (parent) ------------------------------------------------------------------
def start_model(latency: float, findings: bool):
    """The scripted model, recording when each request was in flight (``server.busy``)."""
    sys.path.insert(0, str(ROOT))
    from tests.support.scripted_model import ScriptedModel, json_reply, messages_text, reply_from, slow_reply

    def answer(body: dict) -> Any:
        text = messages_text(body)
        header = DIFF_HEADER.search(text)
        line = ADDED_LINE.search(text, header.end()) if header else None
        if not findings or line is None:
            return json_reply({"findings": []})
        return json_reply({"findings": [{
            "path": header.group(1), "line": int(line.group(1)), "end_line": None, "severity": "suggestion",
            "rule_id": None, "title": "Result of the call is not checked",
            "body": "The value returned here is used without checking for an empty result; guard it.",
            "suggestion": None,
        }]})

    class TimedModel(ScriptedModel):
        """ScriptedModel whose handler records (start, end) of every chat request."""

        def start(self) -> TimedModel:
            self.busy: list[tuple[float, float]] = []
            super().start()
            assert self._server is not None
            handler, busy = self._server.RequestHandlerClass, self.busy

            class Timed(handler):  # type: ignore[misc, valid-type]
                def do_POST(self) -> None:  # noqa: N802
                    started = time.monotonic()
                    try:
                        super().do_POST()
                    finally:
                        busy.append((started, time.monotonic()))

            self._server.RequestHandlerClass = Timed
            return self

    server = TimedModel().start()
    reply = reply_from(answer)
    server.default(slow_reply(latency, reply) if latency else reply)
    return server, messages_text


# -- the review (child) -------------------------------------------------------------------------
def child(args: argparse.Namespace) -> int:
    """Run the review in this process and write the figures to ``args.out`` as JSON."""
    import resource

    t_start = time.monotonic()
    import asyncio

    import structlog

    from reviewer.graph import run_graph
    from reviewer.graph.services import default_services
    from reviewer.local_source import load_local_mr
    from reviewer.git_cli import Git
    from reviewer.repo_files import GitFiles
    from reviewer.settings import Environment, Settings, parse_repo_config

    if os.environ.get("REVIEWER_MODEL"):
        import litellm  # noqa: F401 - the reviewer imports it on first use; count it with the imports

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    t_imported, cpu_imported = time.monotonic(), time.process_time()
    stages: list[tuple[str, float, float]] = []
    captured: dict[str, Any] = {}
    profiler = _Profiler() if args.profile else None

    def timed(name: str, func):
        def wrapper(*a, **kw):
            t0, c0 = time.monotonic(), time.thread_time()
            try:
                return profiler.call(func, *a, **kw) if profiler else func(*a, **kw)
            finally:
                stages.append((name, t0, time.monotonic(), time.thread_time() - c0))
        return wrapper

    def recording_plan(mr, risk, agents, settings, **kw):
        plan = timed("plan", services.plan_review)(mr, risk, agents, settings, **kw)
        captured.update(mr=mr, plan=plan)
        return plan

    def recording_context(chunks, reader, settings):
        chunks = timed("context", services.add_context)(chunks, reader, settings)
        captured.update(chunks=chunks)
        return chunks

    async def timed_chunk(spec, chunk, *rest):
        t0 = time.monotonic()
        try:
            return await services.run_chunk(spec, chunk, *rest)
        finally:
            stages.append((f"chunk:{spec.name}", t0, time.monotonic(), 0.0))

    services = default_services()
    wrapped = default_services(
        mark_files=timed("mark_files", services.mark_files), classify=timed("classify", services.classify),
        load_rules=timed("load_rules", services.load_rules),
        run_detectors=timed("run_detectors", services.run_detectors),
        run_codex=timed("codex", services.run_codex) if services.run_codex else None,
        load_agents=timed("load_agents", services.load_agents), plan_review=recording_plan,
        add_context=recording_context, run_chunk=timed_chunk, judge=timed("judge", services.judge),
    )
    if profiler:
        profiler.start()
    t_load, c_load = time.monotonic(), time.thread_time()
    mr = load_local_mr(Path(args.repo), args.base, args.head)
    t_loaded = time.monotonic()
    stages.insert(0, ("source", t_load, t_loaded, time.thread_time() - c_load))
    cpu_graph = time.process_time()
    settings = Settings(env=Environment.read(), repo=parse_repo_config(mr.repo_config_text))
    reader = GitFiles(Git(Path(args.repo)), mr.diff_refs.base_sha, mr.diff_refs.head_sha) if mr.diff_refs else None
    result = asyncio.run(run_graph(mr, settings, services=wrapped, reader=reader))
    t_done, cpu_done = time.monotonic(), time.process_time()
    if profiler:
        profiler.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    git_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {
        "t_start": t_start, "t_imported": t_imported, "t_load": t_load, "t_loaded": t_loaded, "t_done": t_done,
        "stages": stages, "cpu_imported": cpu_imported, "cpu_graph": cpu_done - cpu_graph,
        "maxrss_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime, "git_cpu_s": git_usage.ru_utime + git_usage.ru_stime,
        "files": len(mr.files), "diff_chars": sum(len(f.diff_text) for f in mr.files),
        "report": result.to_public(),
        "calls": {a.name: a.calls for a in result.agents},
        "given": _given(captured.get("chunks") or (captured["plan"].chunks if captured.get("plan") else None),
                        captured.get("mr")),
        "profile": profiler.report() if profiler else None,
    }
    out["t_written"] = time.monotonic()
    Path(args.out).write_text(json.dumps(out), encoding="utf-8")
    gc.freeze()  # as ``reviewer.cli.main`` does once the work is done: a faster interpreter exit
    return 0


def file_text_given(f, original) -> str:
    """The unified diff text of ``f`` as a chunk carries it: ``---``/``+++`` lines and its hunks.

    ``f`` may be a whole file or a run of its hunks (a big file split across calls). A deleted
    file is shown to agents as one summary line, so only its header counts.
    """
    header = f"--- a/{f.old_path}\n+++ b/{f.new_path}\n"
    if f.deleted_file:
        return header
    whole = original is not None and sum(len(h.lines) for h in original.hunks) == sum(len(h.lines) for h in f.hunks)
    if whole and f.diff_text:
        return header + f.diff_text
    prefix = {"added": "+", "removed": "-", "context": " "}
    parts = [header]
    for h in f.hunks:
        section = f" {h.section}" if h.section else ""
        parts.append(f"@@ -{h.old_start},{h.old_count} +{h.new_start},{h.new_count} @@{section}\n")
        parts.extend(prefix[ln.kind] + ln.content + "\n" for ln in h.lines)
    return "".join(parts)


def _given(chunks, mr) -> dict[str, dict[str, int]]:
    """Per agent: chunks, diff characters and tokens, and code-context tokens (server counter)
    of what it was sent."""
    if chunks is None or mr is None:
        return {}
    originals = {f.path: f for f in mr.files}
    given: dict[str, dict[str, int]] = defaultdict(lambda: {"chunks": 0, "files": 0, "diff_chars": 0,
                                                            "diff_tokens": 0, "context_tokens": 0, "est_tokens": 0})
    for chunk in chunks:
        chars = sum(len(file_text_given(f, originals.get(f.path))) for f in chunk.files)
        g = given[chunk.agent]
        g["chunks"] += 1
        g["files"] += len(chunk.files)
        g["diff_chars"] += chars
        g["diff_tokens"] += chars // CHARS_PER_TOKEN
        context = getattr(chunk, "context", None)
        g["context_tokens"] += len(context.text) // CHARS_PER_TOKEN if context is not None else 0
        g["est_tokens"] += chunk.est_tokens
    return dict(given)


class _Profiler:
    """cProfile of the main thread plus one per stage call that runs in a worker thread."""

    def __init__(self) -> None:
        import cProfile
        import threading

        self._new = cProfile.Profile
        self._threading = threading
        self.main = cProfile.Profile()
        self.others: list = []

    def start(self) -> None:
        self.main.enable()

    def stop(self) -> None:
        self.main.disable()

    def call(self, func, *a, **kw):
        if self._threading.current_thread() is self._threading.main_thread():
            return func(*a, **kw)
        prof = self._new()
        self.others.append(prof)
        return prof.runcall(func, *a, **kw)

    def report(self, top: int = 30) -> dict[str, list]:
        import pstats

        stats = pstats.Stats(self.main)
        for other in self.others:
            stats.add(other)
        rows = []
        for (path, line, name), (_cc, ncalls, tottime, cumtime, callers) in stats.stats.items():
            best = sorted(callers.items(), key=lambda kv: -kv[1][2])[:2]
            via = ", ".join(f"{_short(p)}:{ln}:{fn}" for (p, ln, fn), _v in best)
            rows.append((_short(path), line, name, ncalls, tottime, cumtime, via))
        return {
            "by_tottime": sorted(rows, key=lambda r: -r[4])[:top],
            "by_cumtime_reviewer": sorted((r for r in rows if r[0].startswith("reviewer/")),
                                          key=lambda r: -r[5])[:top],
        }


def _short(path: str) -> str:
    marker = "/reviewer/"
    if marker in path and "site-packages" not in path:
        return "reviewer/" + path.split(marker, 1)[1]
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    return path.rsplit("/lib/python3", 1)[-1] if "/lib/python3" in path else path


# -- the parent ---------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    """Build the change, serve the model, review in a child, print the figures and the verdicts."""
    sys.path.insert(0, str(HERE))
    from synthetic_change import build_change

    args.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="reviewer-bench-"))
    try:
        t0 = time.monotonic()
        change = build_change(workdir, args.files, args.lines, seed=args.seed, repo_config=repo_config(args))
        print(f"built {change.repo} in {time.monotonic() - t0:.1f}s (not timed): "
              f"{dict(change.by_kind)} {dict(change.by_change)}")
        server, messages_text = start_model(args.latency, not args.no_findings)
        try:
            data, process_s = _review_in_child(args, change, server.base_url)
            bodies, busy = server.requests, list(server.busy)
        finally:
            server.stop()
        return report(args, change, data, process_s, bodies, busy, messages_text)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def repo_config(args: argparse.Namespace) -> str | None:
    """The reviewed repository's ``.reviewer.yml``: the context window of the model aliases agents
    use, and code context off with ``--no-context``."""
    lines = ["context: {enabled: false}"] if args.no_context else []
    if args.context_window:
        lines += ["models:", *(f"  {alias}: {{context_window: {args.context_window}}}" for alias in ("default", "fast"))]
    return "\n".join(lines) + "\n" if lines else None


def _review_in_child(args: argparse.Namespace, change, base_url: str) -> tuple[dict, float]:
    out = Path(tempfile.mkstemp(prefix="reviewer-bench-", suffix=".json")[1])
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("REVIEWER_", "CI"))},
           "REVIEWER_MODEL": args.model, "REVIEWER_API_BASE": base_url, "REVIEWER_API_KEY": "x",
           "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    if args.token_budget:
        env["REVIEWER_TOKEN_BUDGET"] = str(args.token_budget)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--repo", str(change.repo),
           "--base", change.base, "--head", change.head, "--out", str(out)]
    if args.profile:
        cmd.append("--profile")
    try:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        t_exit = time.monotonic()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"the review process failed with exit code {proc.returncode}")
        data = json.loads(out.read_text(encoding="utf-8"))
        data.update(t_spawn=t0, t_exit=t_exit, process_cpu_s=usage.ru_utime + usage.ru_stime,
                    process_maxrss_mb=usage.ru_maxrss / 1024)
        return data, t_exit - t0
    finally:
        out.unlink(missing_ok=True)


def report(args, change, data: dict, process_s: float, bodies: list[dict], busy: list, messages_text) -> int:
    """Print the figures and PASS/FAIL per target; return 1 when a target failed."""
    from reviewer.models import Category

    label_to_category = {c.label: c.value for c in Category}
    diff_tokens = data["diff_chars"] // CHARS_PER_TOKEN
    model_s = union_seconds(busy, data["t_spawn"], data["t_exit"])
    own = process_s - model_s
    review_wall = data["t_done"] - data["t_load"]
    own_review = review_wall - union_seconds(busy, data["t_load"], data["t_done"])
    startup = data["t_imported"] - data["t_spawn"]
    rest = data["t_exit"] - data["t_done"]
    exit_s = data["t_exit"] - data["t_written"]
    stages = data["stages"]

    print()
    print(f"change: {change.files} files ({data['files']} in the review), {change.changed_lines:,} changed lines "
          f"(+{change.added_lines:,} -{change.removed_lines:,}), diff {data['diff_chars']:,} chars ≈ "
          f"{diff_tokens:,} tokens (chars/{CHARS_PER_TOKEN}); model {args.model}, context window "
          f"{f'{args.context_window:,} (.reviewer.yml)' if args.context_window else 'not configured'}, latency "
          f"{args.latency:g}s; tier {data['report']['risk']['tier']}")
    print(f"time: reviewer process wall {process_s:.2f}s = start + imports {startup:.2f}s + source "
          f"{data['t_loaded'] - data['t_load']:.2f}s + graph {data['t_done'] - data['t_loaded']:.2f}s + "
          f"report and exit {rest:.2f}s (of which interpreter exit {exit_s:.2f}s)")
    print(f"      model requests in flight (union) {model_s:.2f}s → reviewer's own time {own:.2f}s "
          f"(source + graph alone: {own_review:.2f}s)")
    print(f"      CPU of the reviewer's process {data['process_cpu_s']:.2f}s spawn to exit (git subprocesses "
          f"{data['git_cpu_s']:.2f}s); load average before the run {args.load_before}")
    print(f"      CPU: start + imports {data['cpu_imported']:.2f}s, graph {data['cpu_graph']:.2f}s, report and exit "
          f"≈ {data['process_cpu_s'] - data['cpu_imported'] - data['cpu_graph'] - _stage_cpu(stages, 'source'):.2f}s")
    print("      stages (wall / CPU of the thread that ran it): "
          + ", ".join(f"{n} {w:.2f}/{c:.2f}s" if c is not None else f"{n} {w:.2f}s"
                      for n, (w, c) in _stage_totals(stages).items()))
    print(f"memory: peak RSS of the reviewer's process {data['process_maxrss_mb']:.0f} MB "
          f"(at the end of the review {data['maxrss_mb']:.0f} MB)")

    per_agent = defaultdict(lambda: {"calls": 0, "chars": 0})
    for body in bodies:
        text = messages_text(body)
        m = AGENT_LINE.search(text)
        name = label_to_category.get(m.group(1), m.group(1)) if m else "(other)"
        per_agent[name]["calls"] += 1
        per_agent[name]["chars"] += len(text)
    print(f"model calls: {len(bodies)} (server), {sum(data['calls'].values())} (reviewer)")
    print(f"{'agent':<12}{'status':<9}{'calls':>6}{'chunks':>7}{'files':>7}{'prompt tok':>12}{'diff tok':>10}"
          f"{'context tok':>12}{'ratio':>7}{'seconds':>9}")
    ratios_ok = True
    by_name = {a["name"]: a for a in data["report"]["agents"]}
    for name, a in by_name.items():
        g = data["given"].get(name, {})
        given_tokens = g.get("diff_tokens", 0) + g.get("context_tokens", 0)  # the ratio limits the overhead
        ratio = a["prompt_tokens"] / given_tokens if given_tokens else None
        if ratio is not None and ratio > TARGET_RATIO:
            ratios_ok = False
        shown = f"{ratio:.2f}" if ratio is not None else "-"
        print(f"{name:<12}{a['status']:<9}{per_agent[name]['calls']:>6}{g.get('chunks', 0):>7}{g.get('files', 0):>7}"
              f"{a['prompt_tokens']:>12,}{g.get('diff_tokens', 0):>10,}{g.get('context_tokens', 0):>12,}{shown:>7}"
              f"{a['seconds']:>9.2f}"
              + (f"  ({a['error']})" if a["status"] != "ok" and a.get("error") else ""))
    not_reviewed = data["report"]["not_reviewed"]
    reasons = Counter(_reason_kind(n["reason"]) for n in not_reviewed)
    print(f"not reviewed: {len(not_reviewed)} entries ({len({n['path'] for n in not_reviewed})} paths): "
          + ("; ".join(f"{k} ×{v}" for k, v in reasons.most_common()) or "none"))
    print(f"findings: {len(data['report']['findings'])} inline, {len(data['report']['file_findings'])} file-level")

    share, reused_chars, all_chars = prefix_share(bodies)
    print(f"prompt prefix already sent by an earlier call of this review: {share:.1%} "
          f"({reused_chars // CHARS_PER_TOKEN:,} of {all_chars // CHARS_PER_TOKEN:,} prompt tokens; whole messages "
          "from the start, in the order the server received the calls)")
    verdicts = [
        ("own time", own < TARGET_OWN_S, f"{own:.2f}s wall (whole process, imports included) < {TARGET_OWN_S:g}s"),
        ("own CPU time", data["process_cpu_s"] < TARGET_OWN_S,
         f"{data['process_cpu_s']:.2f}s CPU < {TARGET_OWN_S:g}s (what the wall time would be on an idle machine)"),
        ("peak memory", data["process_maxrss_mb"] < TARGET_RSS_MB,
         f"{data['process_maxrss_mb']:.0f} MB < {TARGET_RSS_MB:g} MB"),
        ("prompt/diff", ratios_ok, f"every agent ≤ {TARGET_RATIO}× its diff tokens"),
        ("cacheable prefix", share >= TARGET_PREFIX_SHARE,
         f"{share:.1%} of prompt tokens in a prefix an earlier call sent ≥ {TARGET_PREFIX_SHARE:.0%}"),
    ]
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for name, a, b, _cpu in stages:
        if name.startswith("chunk:"):
            spans[name[len("chunk:"):]].append((a, b))
    if args.latency and spans:
        graph_wall = data["t_done"] - data["t_loaded"]
        busy_by_agent = {n: union_seconds(iv, float("-inf"), float("inf")) for n, iv in spans.items()}
        slowest_name = max(busy_by_agent, key=busy_by_agent.get)
        slowest = busy_by_agent[slowest_name]
        summed = sum(busy_by_agent.values())
        serial = len(bodies) * args.latency
        print(f"concurrency: graph wall {graph_wall:.2f}s; slowest agent ({slowest_name}) busy {slowest:.2f}s "
              f"(union of its calls); sum over agents {summed:.2f}s; all {len(bodies)} calls one after another "
              f"≥ {serial:.0f}s; agents' summed call seconds (JSON) max "
              f"{max(a['seconds'] for a in data['report']['agents']):.2f}s")
        cap = _concurrency_cap()
        if cap and len(bodies) > cap:
            waves = -(-len(bodies) // cap)
            print(f"             the graph allows {cap} calls in flight: {len(bodies)} calls need {waves} waves, "
                  f"≥ {waves * args.latency:.0f}s however the agents are scheduled")
        verdicts.append(("concurrent agents", graph_wall <= 1.25 * slowest + 0.5,
                         f"graph wall {graph_wall:.2f}s ≤ 1.25 × slowest agent {slowest:.2f}s + 0.5s "
                         f"(sum over agents {summed:.2f}s)"))
    if data.get("profile"):
        _print_profile(data["profile"])
    print()
    for name, ok, detail in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
    print("method: own time = the reviewer process's wall time (spawn to exit) − the union of the intervals in "
          "which the scripted server had at least one request in flight (one monotonic clock for both processes). "
          f"Tokens: chars/{CHARS_PER_TOKEN}, the scripted server's prompt-token counter, for prompts and diffs alike.")
    return 0 if all(ok for _n, ok, _d in verdicts) else 1


def prefix_share(bodies: list[dict]) -> tuple[float, int, int]:
    """The share of prompt characters that lie in a prefix of whole messages an earlier request
    already sent (what a provider's prefix cache can serve), with the reused and total counts."""
    seen: set[tuple[str, ...]] = set()
    reused = total = 0
    for body in bodies:
        texts = [_message_text(m) for m in body.get("messages") or []]
        total += sum(len(t) for t in texts)
        shared = 0
        while shared < len(texts) and tuple(texts[: shared + 1]) in seen:
            shared += 1
        reused += sum(len(t) for t in texts[:shared])
        seen.update(tuple(texts[:i]) for i in range(1, len(texts) + 1))
    return (reused / total if total else 0.0), reused, total


def _message_text(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


def _stage_totals(stages: list) -> dict[str, tuple[float, float | None]]:
    """Wall and thread-CPU seconds per stage; agent chunks as the union of their runs."""
    totals: dict[str, tuple[float, float | None]] = {}
    for name, a, b, cpu in stages:
        if not name.startswith("chunk:"):
            wall, used = totals.get(name, (0.0, 0.0))
            totals[name] = (wall + b - a, (used or 0.0) + cpu)
    chunk_intervals = [(a, b) for n, a, b, _c in stages if n.startswith("chunk:")]
    if chunk_intervals:
        totals["agent calls (union)"] = (union_seconds(chunk_intervals, float("-inf"), float("inf")), None)
    return totals


def _concurrency_cap() -> int | None:
    """The graph's limit on model calls in flight, if it has one."""
    try:
        from reviewer.graph.graph import MAX_CONCURRENT_AGENT_CALLS
    except ImportError:
        return None
    return int(MAX_CONCURRENT_AGENT_CALLS)


def _stage_cpu(stages: list, name: str) -> float:
    return sum(cpu for n, _a, _b, cpu in stages if n == name)


def _reason_kind(reason: str) -> str:
    """A reason without its agent list, so entries group (e.g. "token budget exhausted")."""
    return reason.split(" for ", 1)[0] if " for " in reason else reason


def _print_profile(profile: dict) -> None:
    print("profile (cProfile; times inflated by profiling) — top by own time:")
    for path, line, name, ncalls, tottime, cumtime, via in profile["by_tottime"][:20]:
        print(f"  {tottime:7.2f}s own {cumtime:7.2f}s cum {ncalls:>9}×  {path}:{line}:{name}  ← {via}")
    print("reviewer functions by cumulative time:")
    for path, line, name, ncalls, tottime, cumtime, _via in profile["by_cumtime_reviewer"][:25]:
        print(f"  {cumtime:7.2f}s cum {tottime:7.2f}s own {ncalls:>9}×  {path}:{line}:{name}")


def main(argv: list[str] | None = None) -> int:
    """Parse flags; run as the benchmark (parent) or as the review (``--child``)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=None, help="changed files (default 1000)")
    parser.add_argument("--lines", type=int, default=None, help="changed lines, added + removed (default 50000)")
    parser.add_argument("--latency", type=float, default=None, help="seconds the model waits per call (default 0)")
    parser.add_argument("--concurrency-check", action="store_true",
                        help="30 files / 1,500 lines with a 2 s model: is the wall near the slowest agent?")
    parser.add_argument("--no-findings", action="store_true", help="the model answers {\"findings\": []}")
    parser.add_argument("--model", default="openai/bench", help="litellm model name sent to the scripted server")
    parser.add_argument("--token-budget", type=int, help="REVIEWER_TOKEN_BUDGET for the review")
    parser.add_argument("--context-window", type=int, default=128_000,
                        help="context window the reviewed repository's .reviewer.yml gives the model aliases "
                             "(default 128000; 0: no .reviewer.yml, so litellm's figure or the 8,192 fallback)")
    parser.add_argument("--no-context", action="store_true", help="review without code context (the diff only)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile the review and print the hot spots")
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--repo", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--head", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    small = args.concurrency_check
    args.files = args.files or (30 if small else 1000)
    args.lines = args.lines or (1500 if small else 50_000)
    args.latency = args.latency if args.latency is not None else (2.0 if small else 0.0)
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
