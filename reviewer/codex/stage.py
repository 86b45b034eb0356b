"""The Codex's deterministic stage of a review: detectors and analyzers, once per review.

``run_codex(files, rules, reader)``:

1. reads the head text of the changed files a tree detector or an analyzer needs (through
   ``reader``, else rebuilt from the diff: ``reviewer.codex.sources``);
2. runs the detectors (``run_detectors``) with those texts;
3. runs each analyzer (ruff, shellcheck) once over the files its rules cover, and turns its
   results on added lines into findings of the rules that map their codes;
4. drops a detector finding where an analyzer finding of the same rule covers that line.

Analyzer trouble (not installed, timed out, failed, only fragments of a file known) becomes a
sentence in ``notices``; it never fails the review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewer.codex.analyzers import TIMEOUT_SECONDS, AnalyzerRun, analyzer_codes, reads, run_tool
from reviewer.codex.detectors import rule_finding, run_detectors, uses_tree
from reviewer.codex.loader import RuleSet
from reviewer.codex.schema import ANALYZER_TOOLS, Rule
from reviewer.codex.sources import added_lines, file_sources
from reviewer.codex.tree import reported_line
from reviewer.log import get_logger
from reviewer.models import FileDiff, Finding

__all__ = ["CodexRun", "run_codex"]

log = get_logger("codex")

_WHAT = {"ruff": "Python file", "shellcheck": "shell script"}
_INSTALL = {
    "ruff": "it is a dependency of the reviewer package; reinstall the package",
    "shellcheck": "install the shellcheck system package; the reviewer's image has it",
}


@dataclass
class CodexRun:
    """What the deterministic stage found, and what the reader should know about how it ran."""

    findings: list[Finding] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    analyzers: list[AnalyzerRun] = field(default_factory=list)


def run_codex(files: Sequence[FileDiff], rules: RuleSet, reader: Any | None = None, *,
              timeout: float = TIMEOUT_SECONDS) -> CodexRun:
    """Run the detectors and the analyzers over ``files`` (see the module docstring)."""
    wanted = [f for f in files if f.reviewable and not f.deleted_file]
    needs_text = [f for f in wanted if _needs_text(f, rules)]
    sources = file_sources(needs_text, reader)
    detected = run_detectors(files, rules, sources)
    outcome = CodexRun()
    found: list[Finding] = []
    covered: set[tuple[str, str, int]] = set()  # (path, rule, line) an analyzer result spans
    by_path = {f.path: f for f in wanted}
    for tool in ANALYZER_TOOLS:
        scoped = {f.path: _mapped(rules.for_path(f.path), tool) for f in needs_text if reads(tool, f.path)}
        scoped = {path: mapped for path, mapped in scoped.items() if mapped}
        if not scoped:
            continue
        texts = {p: sources[p].text for p in scoped if sources[p].exact}
        partial = sorted(p for p in scoped if not sources[p].exact)
        codes = {c for mapped in scoped.values() for r in mapped for a in r.analyzer if a.tool == tool for c in a.codes}
        run = run_tool(tool, texts, codes, timeout)
        outcome.analyzers.append(run)
        outcome.notices.extend(_notices(tool, run, scoped, partial, timeout))
        if run.ran:
            found.extend(_analyzer_findings(run, scoped, by_path, covered))
    kept = [f for f in detected if (f.path, f.rule_id, f.line) not in covered]
    outcome.findings = [*kept, *found]
    log.info("codex_done", detector_findings=len(kept), analyzer_findings=len(found),
             replaced=len(detected) - len(kept), analyzers={r.tool: r.problem or "ok" for r in outcome.analyzers})
    return outcome


def _needs_text(file: FileDiff, rules: RuleSet) -> bool:
    scoped = rules.for_path(file.path)
    return any(uses_tree(r, file.path) for r in scoped) or any(
        reads(a.tool, file.path) for r in scoped for a in r.analyzer)


def _mapped(rules: Sequence[Rule], tool: str) -> list[Rule]:
    return [r for r in rules if any(a.tool == tool for a in r.analyzer)]


def _analyzer_findings(run: AnalyzerRun, scoped: dict[str, list[Rule]], files: dict[str, FileDiff],
                       covered: set[tuple[str, str, int]]) -> list[Finding]:
    """The run's results on added lines, as findings of the rules mapping their codes."""
    findings: dict[tuple[str, str, int], Finding] = {}
    added: dict[str, set[int]] = {}
    for hit in sorted(run.hits, key=lambda h: (h.path, h.line, h.code)):
        rules = analyzer_codes(scoped.get(hit.path, []), run.tool).get(hit.code, [])
        if not rules:
            continue
        if hit.path not in added:
            added[hit.path] = added_lines(files[hit.path])
        line = reported_line(hit.line, hit.end_line, added[hit.path])
        for rule in rules:
            covered.update((hit.path, rule.id, n) for n in range(hit.line, hit.end_line + 1))
            if line is None:
                continue
            covered.add((hit.path, rule.id, line))
            key = (hit.path, rule.id, line)
            if key not in findings:
                named = f"{hit.code} {hit.name}" if hit.name else hit.code
                extra = f"Found by {run.tool} ({named}): {hit.message}"
                findings[key] = rule_finding(rule, hit.path, line, rule.evidence, extra)
    return list(findings.values())


def _notices(tool: str, run: AnalyzerRun, scoped: dict[str, list[Rule]], partial: list[str],
             timeout: float) -> list[str]:
    """Sentences for the summary about files ``tool`` did not check."""
    notices = []
    checked = [p for p in scoped if p not in partial]
    if run.problem and checked:
        if run.problem == "missing":
            why = f"{tool} is not installed ({_INSTALL[tool]})"
        elif run.problem == "timeout":
            why = f"{tool} did not finish within {timeout:g} s"
        else:
            why = f"{tool} failed ({run.problem})"
        were = "was" if len(checked) == 1 else "were"
        notices.append(f"{why}, so {_count(len(checked), _WHAT[tool])} {were} not checked by it; "
                       f"{_unchecked(scoped, checked)}")
    if partial:
        notices.append(f"{tool} was not run on {_count(len(partial), 'changed ' + _WHAT[tool])} whose full text "
                       f"was not available (only the diff); {_unchecked(scoped, partial)}")
    return notices


def _unchecked(scoped: dict[str, list[Rule]], paths: Sequence[str]) -> str:
    """The end of a notice: the detectors ran, and the rules nothing checked (no detector of their own)."""
    alone = sorted({r.id for p in paths for r in scoped[p] if r.detector is None})
    if not alone:
        return "the Codex detectors still ran."
    return f"the Codex detectors still ran, but {', '.join(alone)} {'has' if len(alone) == 1 else 'have'} none."


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"

