"""Deterministic Codex detectors: patterns over added lines and queries over the syntax tree.

A line detector fires on an added line when its ``pattern`` is found in the line, its
``not_pattern`` is absent from the line's whole statement (the line plus the continuation
lines that close its brackets, or up to ``;`` in SQL), and its ``enclosing`` condition, if
any, holds for the block around the line.

A rule with ``detector.tree`` reads files in the languages its queries are written for through
their syntax tree instead (``reviewer.codex.tree``), parsed from the file's head text when the
caller has it (``sources``) or from the diff's lines otherwise; its ``pattern`` then decides
only the added lines inside syntax errors. A tree that cannot be read never fails the review:
the rule falls back to its pattern for that file.

A finding's severity follows its evidence: the rule's severity when the rule (or the query)
says ``evidence: proof``, at most ``suggestion`` otherwise, and ``note`` on ``scope.note`` paths.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from reviewer.codex.languages import comment_prefixes, language_of
from reviewer.codex.loader import RuleSet
from reviewer.codex.schema import Detector, Enclosing, Evidence, Rule
from reviewer.codex.sources import FileSource, diff_source
from reviewer.codex.tree import ParsedSource, TreeHit, grammar_for, parse_source, tree_hits
from reviewer.globs import any_match
from reviewer.log import get_logger
from reviewer.models import FileDiff, Finding, Hunk, Severity

__all__ = [
    "DETECTOR_AGENT", "SourceLine", "finding_severity", "matching_lines", "rule_finding", "run_detectors",
    "snippet_fires", "uses_tree",
]

log = get_logger("codex")

DETECTOR_AGENT = "codex-detector"
_MAX_STATEMENT_LINES = 12
_CLOSING_ONLY = re.compile(r"^[\s)\]}]+[\s,;)\]}]*$")
_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`(?:\\.|[^`\\])*`')


@dataclass(frozen=True)
class SourceLine:
    """One new-side line of a hunk: its text, whether it was added, and its new line number."""

    text: str
    added: bool
    line: int | None = None


def run_detectors(
    files: Sequence[FileDiff], rules: RuleSet, sources: Mapping[str, FileSource] | None = None,
) -> list[Finding]:
    """Return one finding per (added line, rule) where a rule's detector fires.

    ``sources`` holds head texts by path for the tree detectors (``reviewer.codex.sources``);
    a file without one is parsed from its diff. Files marked not-for-review (``skip_reason``)
    and deleted files are never searched.
    """
    findings: list[Finding] = []
    for file in files:
        if not file.reviewable or file.deleted_file:
            continue
        active = [r for r in rules.for_path(file.path) if r.detector is not None]
        if active:
            findings.extend(_file_findings(file, active, (sources or {}).get(file.path)))
    return findings


def uses_tree(rule: Rule, path: str) -> bool:
    """True when ``rule``'s detector reads ``path`` through its syntax tree."""
    detector = rule.detector
    return (detector is not None and bool(detector.tree_for(language_of(path)))
            and grammar_for(language_of(path), path) is not None)


def _file_findings(file: FileDiff, active: Sequence[Rule], source: FileSource | None) -> list[Finding]:
    """The detector findings of one file, in hunk, rule, line order (as ``matching_lines`` per hunk)."""
    language = language_of(file.path)
    prefixes = comment_prefixes(language)
    added = [(h, i, d) for h, hunk in enumerate(file.hunks)
             for i, d in enumerate(x for x in hunk.lines if x.kind != "removed") if d.kind == "added"]
    texts = [d.content.rstrip("\r\n") for _, _, d in added]
    comment = [bool(prefixes) and t.lstrip().startswith(prefixes) for t in texts]
    searched = {
        "any": _Lines(texts, range(len(texts))),
        "code": _Lines(texts, [k for k, c in enumerate(comment) if not c]),
        "comment": _Lines(texts, [k for k, c in enumerate(comment) if c]),
    }
    index_of = {d.new_line: k for k, (_, _, d) in enumerate(added) if d.new_line is not None}
    parsed: list[ParsedSource | None] = []  # parsed once, on first use
    hunk_lines: dict[int, list[SourceLine]] = {}
    hits: list[tuple[int, int, int, Evidence]] = []
    for order, rule in enumerate(active):
        detector = rule.detector
        assert detector is not None  # run_detectors passes detector rules only
        only: set[int] | None = None  # the added-line indexes the pattern may decide (None: all)
        if uses_tree(rule, file.path):
            if not parsed:
                parsed.append(_parse(file, language, source))
            tree = parsed[0]
            found = _tree_findings(rule, tree, set(index_of), file.path) if tree is not None else None
            if tree is not None and found is not None:
                queries = detector.tree_for(language)
                for hit in found:
                    k = index_of[hit.line]
                    hits.append((added[k][0], order, k, queries[hit.query_index].evidence or rule.evidence))
                only = {index_of[n] for n in tree.error_lines if n in index_of}
        if detector.pattern is None or only == set():
            continue
        flags = re.IGNORECASE if detector.ignore_case else 0
        pattern = _regex(detector.pattern, flags)
        for k in searched[detector.lines].candidates(detector.pattern, flags):
            if only is not None and k not in only:
                continue
            if not pattern.search(texts[k]):
                continue
            h, i, _ = added[k]
            if detector.not_pattern or detector.enclosing:
                if h not in hunk_lines:
                    hunk_lines[h] = _source_lines(file.hunks[h])
                if not _fires(detector, hunk_lines[h], i, language, file.hunks[h].section, flags, prefixes):
                    continue
            hits.append((h, order, k, rule.evidence))
    hits.sort(key=lambda hit: hit[:3])
    unique = {(order, k): evidence for _, order, k, evidence in reversed(hits)}  # one per rule and line
    ordered = dict.fromkeys((order, k) for _, order, k, _ in hits)
    return [rule_finding(active[order], file.path, added[k][2].new_line, unique[(order, k)])
            for order, k in ordered]


def _parse(file: FileDiff, language: str | None, source: FileSource | None) -> ParsedSource | None:
    """The file's syntax tree, from its head text or else its diff; None when it cannot be parsed."""
    grammar = grammar_for(language, file.path)
    if grammar is None:
        return None
    try:
        return parse_source(grammar, (source or diff_source(file)).text)
    except Exception as exc:  # noqa: BLE001 - a parser failure must not cost the review: patterns decide
        log.warning("codex_parse_failed", path=file.path, error=f"{type(exc).__name__}: {exc}")
        return None


def _tree_findings(rule: Rule, tree: ParsedSource, added: set[int], path: str) -> list[TreeHit] | None:
    """The rule's tree hits in the file; None when the queries could not run (patterns decide)."""
    assert rule.detector is not None
    try:
        return tree_hits(rule.detector.tree_for(language_of(path)), tree, added)
    except Exception as exc:  # noqa: BLE001 - a query failure must not cost the review
        log.warning("codex_tree_query_failed", rule=rule.id, path=path, error=f"{type(exc).__name__}: {exc}")
        return None


def _source_lines(hunk: Hunk) -> list[SourceLine]:
    return [SourceLine(d.content.rstrip("\r\n"), d.kind == "added", d.new_line) for d in hunk.lines if d.kind != "removed"]


class _Lines:
    """Some of a file's added lines, joined, so a substring search can skip most of them."""

    def __init__(self, texts: list[str], indexes: Sequence[int]) -> None:
        self.indexes = list(indexes)
        self.text = "\n".join(texts[k] for k in self.indexes)
        self.starts = list(accumulate((len(texts[k]) + 1 for k in self.indexes[:-1]), initial=0))
        self._folded: str | None = None

    def candidates(self, pattern: str, flags: int) -> list[int]:
        """Indexes (into the file's added lines) of the lines that may match ``pattern``.

        Every line with a match is among them: a match always contains one of the pattern's
        required substrings (``_required``), so lines without any of them are skipped.
        """
        if not self.indexes:
            return []
        required = _required(pattern, flags)
        if required is None:
            return self.indexes
        needles, folded = required
        if folded:
            if not self.text.isascii():  # lower() is exact for case-insensitive matching of ASCII only
                return self.indexes
            if self._folded is None:
                self._folded = self.text.lower()
            text = self._folded
        else:
            text = self.text
        found: set[int] = set()
        for needle in needles:
            at = text.find(needle)
            while at != -1:
                line = bisect_right(self.starts, at) - 1
                found.add(line)
                if line + 1 >= len(self.starts):
                    break
                at = text.find(needle, self.starts[line + 1])
        return [self.indexes[n] for n in sorted(found)]


def snippet_fires(rule: Rule, snippet: str) -> bool:
    """Return True when ``rule``'s detector fires on ``snippet`` read as a new file of added lines.

    The snippet is tried as each of the rule's languages (they differ in comment syntax and in
    whether a tree query reads them): it fires when it fires as any of them. Among the languages
    a tree query reads, only those whose grammar parses the snippet without errors are tried
    when there is one (a Python example is not Go); otherwise all of them, errors and all. A rule
    for any language is tried as its queries' languages and as an unknown one.
    """
    detector = rule.detector
    if detector is None:
        return False
    languages = rule.scope.languages or [*sorted({lang for q in detector.tree for lang in q.languages}), None]
    parsed = {}
    for language in languages:
        grammar = grammar_for(language) if detector.tree_for(language) else None
        if grammar is not None:
            parsed[language] = parse_source(grammar, snippet)
    fitting = {language for language, tree in parsed.items() if not tree.error_lines}
    return any(_snippet_fires_as(rule, snippet, language, parsed.get(language)) for language in languages
               if language not in parsed or not fitting or language in fitting)


def _snippet_fires_as(rule: Rule, snippet: str, language: str | None, parsed: ParsedSource | None) -> bool:
    """Whether the snippet fires as ``language`` (``parsed``: its tree, for a tree language)."""
    detector = rule.detector
    assert detector is not None
    lines = [SourceLine(t, True, n) for n, t in enumerate(snippet.splitlines(), start=1)]
    if parsed is None:
        return detector.pattern is not None and bool(matching_lines(detector, lines, language, ""))
    added = set(range(1, len(lines) + 1))
    if tree_hits(detector.tree_for(language), parsed, added):
        return True
    if detector.pattern is None or not parsed.error_lines:
        return False
    return any(lines[i].line in parsed.error_lines for i in matching_lines(detector, lines, language, ""))


def matching_lines(
    detector: Detector, lines: Sequence[SourceLine], language: str | None, section: str = ""
) -> list[int]:
    """Return the indexes of the added ``lines`` on which ``detector``'s line pattern fires (none
    when it has only tree queries)."""
    if detector.pattern is None:
        return []
    flags = re.IGNORECASE if detector.ignore_case else 0
    pattern = _regex(detector.pattern, flags)
    prefixes = comment_prefixes(language)
    hits = []
    for index, source in enumerate(lines):
        if not source.added or not _wanted(source.text, detector.lines, prefixes):
            continue
        if pattern.search(source.text) and _fires(detector, lines, index, language, section, flags, prefixes):
            hits.append(index)
    return hits


def _fires(
    detector: Detector, lines: Sequence[SourceLine], index: int, language: str | None, section: str,
    flags: int, prefixes: tuple[str, ...],
) -> bool:
    """The checks after the pattern was found in ``lines[index]``: ``not_pattern`` and ``enclosing``."""
    if detector.not_pattern and _regex(detector.not_pattern, flags).search(_statement(lines, index, language)):
        return False
    return not detector.enclosing or _enclosed(lines, index, detector.enclosing, section, flags, prefixes)


def finding_severity(rule: Rule, path: str, evidence: Evidence) -> Severity:
    """The severity of a deterministic finding: the rule's when the match is proof, at most
    ``suggestion`` when it is a hint, and ``note`` on the rule's ``scope.note`` paths."""
    if rule.scope.note and any_match(path, rule.scope.note):
        return Severity.NOTE
    if evidence == "proof" or not rule.severity.at_least(Severity.SUGGESTION):
        return rule.severity
    return Severity.SUGGESTION


def rule_finding(rule: Rule, path: str, line: int | None, evidence: Evidence, extra: str = "") -> Finding:
    """A deterministic finding citing ``rule`` (``extra`` ends its body, e.g. the analyzer's word)."""
    body = f"{rule.rule}\n\n{rule.why}"
    return Finding(
        path=path,
        line=line,
        severity=finding_severity(rule, path, evidence),
        category=rule.category,
        rule_id=rule.id,
        title=rule.title,
        body=f"{body}\n\n{extra}" if extra else body,
        agent=DETECTOR_AGENT,
    )


def _wanted(text: str, which: str, prefixes: tuple[str, ...]) -> bool:
    """Apply the detector's ``lines`` filter (code / comment / any)."""
    if which == "any":
        return True
    is_comment = bool(prefixes) and text.lstrip().startswith(prefixes)
    return is_comment if which == "comment" else not is_comment


def _statement(lines: Sequence[SourceLine], index: int, language: str | None) -> str:
    """Return the line at ``index`` joined with the lines that continue its statement."""
    parts: list[str] = []
    depth = 0
    for source in lines[index:index + _MAX_STATEMENT_LINES]:
        parts.append(source.text)
        if language == "sql":
            if ";" in source.text:
                break
            continue
        bare = _STRINGS.sub("", source.text)
        depth += sum(bare.count(c) for c in "([{") - sum(bare.count(c) for c in ")]}")
        if depth <= 0:
            break
    return "\n".join(parts)


def _enclosed(
    lines: Sequence[SourceLine], index: int, enclosing: Enclosing, section: str,
    flags: int, prefixes: tuple[str, ...],
) -> bool:
    """Decide the ``enclosing`` condition by walking outwards through less-indented lines."""
    block, match = _regex(enclosing.block, flags), _regex(enclosing.match, flags)
    text = lines[index].text
    if block.search(text):
        return bool(match.search(text))
    threshold = _indent(text)
    for source in reversed(lines[:index]):
        candidate = source.text
        if not candidate.strip() or _CLOSING_ONLY.match(candidate):
            continue
        if prefixes and candidate.lstrip().startswith(prefixes):
            continue
        indent = _indent(candidate)
        if indent >= threshold:
            continue
        if block.search(candidate):
            return bool(match.search(candidate))
        if indent == 0:
            return False
        threshold = indent
    if threshold > 0 and section and block.search(section):
        return bool(match.search(section))
    return False


def _indent(text: str) -> int:
    return len(text.expandtabs(4)) - len(text.expandtabs(4).lstrip())


@lru_cache(maxsize=1024)
def _regex(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


@lru_cache(maxsize=1024)
def _required(pattern: str, flags: int) -> tuple[frozenset[str], bool] | None:
    """Substrings one of which every match of ``pattern`` contains, and whether they are lower-cased.

    None when no such set is known (the pattern is searched in every line). Derived from the
    parsed pattern: runs of literal characters, alternatives, repeats of at least one.
    """
    try:
        parsed = re._parser.parse(pattern, flags)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - any doubt means "search every line"
        return None
    folded = bool(parsed.state.flags & re.IGNORECASE)
    needles = _needles(parsed)
    if not needles or (folded and not all(n.isascii() for n in needles)):
        return None
    return (frozenset(n.lower() for n in needles) if folded else frozenset(needles)), folded


def _needles(items: object) -> frozenset[str] | None:
    """The best required-substring set of a parsed sequence, or None."""
    c = re._constants  # type: ignore[attr-defined]
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in items:  # type: ignore[attr-defined]
        if op is c.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            options.append(frozenset(["".join(run)]))
            run = []
        found: frozenset[str] | None = None
        if op is c.SUBPATTERN and not (arg[1] | arg[2]) & re.IGNORECASE:
            found = _needles(arg[3])
        elif op is c.BRANCH:
            alternatives = [_needles(alt) for alt in arg[1]]
            if all(alternatives):
                found = frozenset().union(*alternatives)  # type: ignore[arg-type]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and arg[0] >= 1:
            found = _needles(arg[2])
        elif op is c.ATOMIC_GROUP:
            found = _needles(arg)
        if found:
            options.append(found)
    if run:
        options.append(frozenset(["".join(run)]))
    if not options:
        return None
    return max(options, key=lambda o: (min(len(n) for n in o), -len(o)))
