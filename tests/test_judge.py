"""The judge's rules, one by one, on findings and diffs built by hand."""

from __future__ import annotations

from reviewer.judge import judge, judge_findings, similar_titles
from reviewer.models import Category, DiffLine, FileDiff, Finding, Hunk, MergeRequest, Severity
from reviewer.settings import RepoConfig, Settings
from tests.support.diff_builder import file_diff


class Rules:
    """A minimal rule index (the judge only needs ``ids()``)."""

    def __init__(self, *ids: str) -> None:
        self._ids = ids

    def ids(self) -> list[str]:
        return list(self._ids)


OLD = "".join(f"line_{i} = {i}\n" for i in range(1, 41))
NEW = OLD.replace("line_10 = 10\n", "line_10 = 10\nadded_a = eval(x)\nadded_b = 2\n").replace(
    "line_30 = 30\n", "")
APP = file_diff("src/app.py", OLD, NEW)  # new lines 8..15 (added 11, 12); old 27..33 (removed 30)
RULES = Rules("SEC-001", "PY-002")


def _mr(*files: FileDiff) -> MergeRequest:
    return MergeRequest(files=list(files or [APP]))


def _f(**kw) -> Finding:
    data = dict(path="src/app.py", line=11, severity=Severity.IMPORTANT, category=Category.SECURITY,
                title="Use of eval", agent="security")
    data.update(kw)
    return Finding(**data)


def _run(*findings: Finding, settings: Settings | None = None, mr: MergeRequest | None = None, rules=RULES):
    return judge_findings(list(findings), mr or _mr(), rules, settings or Settings())


def test_drops_findings_on_files_outside_the_change_and_counts_them():
    verdict = _run(_f(), _f(path="src/missing.py"), _f(path="docs/nope.md", line=None))
    assert [f.path for f in verdict.inline] == ["src/app.py"]
    assert verdict.file_level == []
    assert len(verdict.report.dropped) == 2
    assert "2 finding(s) were dropped" in verdict.report.notices()[0]


def test_normalises_path_spellings():
    verdict = _run(_f(path="./src/app.py"), _f(path="b/src/app.py", rule_id="SEC-001", line=12),
                   _f(path="/src/app.py", line=None, title="Module mixes concerns", category=Category.QUALITY))
    assert {f.path for f in verdict.inline + verdict.file_level} == {"src/app.py"}
    assert not verdict.report.dropped


def test_renamed_file_found_by_old_path_gets_the_new_path():
    renamed = APP.model_copy(update={"old_path": "src/old_app.py", "renamed_file": True})
    verdict = _run(_f(path="src/old_app.py"), mr=_mr(renamed))
    assert verdict.inline[0].path == "src/app.py"


def test_line_outside_the_diff_moves_to_file_level_without_a_line():
    verdict = _run(_f(line=2), _f(line=400, end_line=402, title="Other"))
    assert verdict.inline == []
    assert [(f.line, f.end_line) for f in verdict.file_level] == [(None, None), (None, None)]
    assert verdict.report.moved_to_file_level == 2


def test_context_line_in_a_hunk_is_commentable():
    inline, _ = judge([_f(line=9)], _mr(), RULES, Settings())
    assert inline[0].line == 9


def test_removed_line_is_checked_on_the_old_side():
    removed = next(ln for ln in APP.iter_lines() if ln.kind == "removed")
    verdict = _run(_f(line=removed.old_line, side="old", title="Removed check"))
    assert verdict.inline[0].side == "old" and verdict.inline[0].line == removed.old_line
    # the same number on the new side names another line; the judge never swaps sides
    on_new = _run(_f(line=removed.old_line, side="new")).inline[0]
    assert on_new.side == "new" and on_new.anchor == "line_28=28"


def test_deleted_file_findings_use_old_lines():
    deleted = file_diff("src/gone.py", "a = 1\nb = eval(a)\n", "").model_copy(
        update={"deleted_file": True, "new_path": "src/gone.py"})
    verdict = _run(_f(path="src/gone.py", line=2), mr=_mr(APP, deleted))
    assert (verdict.inline[0].line, verdict.inline[0].side) == (2, "old")


def test_reversed_or_out_of_hunk_ranges_clamp_to_one_line():
    verdict = _run(_f(line=12, end_line=11), _f(line=11, end_line=80, title="Another thing entirely"),
                   _f(line=11, end_line=13, rule_id="PY-002", title="Range kept"))
    by_title = {f.title: f for f in verdict.inline}
    assert by_title["Use of eval"].end_line is None and by_title["Use of eval"].line == 12
    assert by_title["Another thing entirely"].end_line is None
    assert by_title["Range kept"].end_line == 13
    assert verdict.report.clamped == 2


def test_unknown_rule_ids_are_removed_and_noted_known_ones_canonicalised():
    verdict = _run(_f(rule_id="SEC-999"), _f(line=12, rule_id="sec001", title="Hardcoded key"))
    by_title = {f.title: f for f in verdict.inline}
    assert by_title["Use of eval"].rule_id is None
    assert by_title["Hardcoded key"].rule_id == "SEC-001"
    assert verdict.report.unknown_rules == ["SEC-999"]
    assert any("SEC-999" in n for n in verdict.report.notices())


def test_no_rule_index_means_no_rule_id_is_trusted():
    verdict = _run(_f(rule_id="SEC-001"), rules=None)
    assert verdict.inline[0].rule_id is None


def test_duplicates_across_agents_merge_keeping_the_highest_severity():
    a = _f(agent="quality", category=Category.QUALITY, severity=Severity.SUGGESTION, title="eval() used on input")
    b = _f(agent="security", severity=Severity.CRITICAL, title="Use of eval() on input", line=11, end_line=12)
    verdict = _run(a, b)
    assert len(verdict.inline) == 1
    kept = verdict.inline[0]
    assert (kept.agent, kept.severity, kept.also_reported_by) == ("security", Severity.CRITICAL, ["quality"])
    assert verdict.report.merged == 1


def test_same_rule_on_overlapping_lines_merges_and_adopts_the_rule():
    a = _f(rule_id="SEC-001", title="Secret in code", severity=Severity.IMPORTANT)
    b = _f(title="Credential committed", severity=Severity.CRITICAL, agent="codex", category=Category.CODEX)
    c = _f(rule_id="SEC-001", title="Different words", line=10, end_line=12, agent="codex")
    verdict = _run(a, b, c)
    assert len(verdict.inline) == 2  # b has no rule and other words: not a duplicate of a
    merged = [f for f in verdict.inline if f.rule_id == "SEC-001"]
    assert len(merged) == 1
    assert {merged[0].agent, *merged[0].also_reported_by} == {"security", "codex"}


def test_different_rules_or_distant_lines_are_not_merged():
    verdict = _run(_f(rule_id="SEC-001"), _f(rule_id="PY-002"), _f(line=14, title="Use of eval"))
    assert len(verdict.inline) == 3
    assert verdict.report.merged == 0


def test_file_level_duplicate_folds_into_the_inline_finding():
    verdict = _run(_f(line=999, severity=Severity.CRITICAL, agent="codex"), _f(severity=Severity.IMPORTANT))
    assert verdict.file_level == []
    kept = verdict.inline[0]
    assert (kept.line, kept.severity) == (11, Severity.CRITICAL)


def test_caps_per_severity_keep_detector_and_rule_backed_first():
    settings = Settings(repo=RepoConfig(max_findings_per_severity={Severity.IMPORTANT: 2}))
    plain = [_f(line=n, title=f"Problem {n} {w}") for n, w in ((8, "alpha"), (9, "beta"), (10, "gamma"))]
    detector = _f(line=14, rule_id="PY-002", agent="codex-detector", title="Detector hit")
    cited = _f(line=15, rule_id="SEC-001", title="Rule cited")
    verdict = _run(*plain, detector, cited, _f(line=15, severity=Severity.NOTE, title="Note"), settings=settings)
    titles = {f.title for f in verdict.inline}
    assert titles == {"Detector hit", "Rule cited", "Note"}
    assert verdict.report.capped == {Severity.IMPORTANT: 3}
    assert any("per-severity caps" in n for n in verdict.report.notices())


def test_output_is_ordered_and_independent_of_input_order():
    findings = [
        _f(line=15, severity=Severity.NOTE, title="n"),
        _f(line=12, severity=Severity.CRITICAL, title="c2", rule_id="PY-002"),
        _f(line=8, severity=Severity.CRITICAL, title="c1", rule_id="SEC-001"),
        _f(line=9, severity=Severity.SUGGESTION, title="s"),
    ]
    first = _run(*findings).inline
    second = _run(*reversed(findings)).inline
    assert [f.title for f in first] == ["c1", "c2", "s", "n"]
    assert first == second


def test_every_finding_gets_anchor_and_fingerprint():
    verdict = _run(_f(), _f(line=None, title="About the file", category=Category.DOCS, agent="docs"))
    inline, file_level = verdict.inline[0], verdict.file_level[0]
    assert inline.anchor == "added_a=eval(x)"
    assert len(inline.fingerprint) == 16 and len(file_level.fingerprint) == 16
    assert file_level.anchor == ""


def test_file_without_hunks_only_takes_file_level_findings():
    binary = FileDiff(old_path="img/logo.png", new_path="img/logo.png", binary=True)
    verdict = _run(_f(path="img/logo.png", line=1), mr=_mr(APP, binary))
    assert verdict.inline == [] and verdict.file_level[0].path == "img/logo.png"


def test_similar_titles():
    assert similar_titles("Possible SQL injection via string formatting", "SQL injection: string formatted into query")
    assert not similar_titles("Unused variable", "Unused import")
    assert similar_titles("Missing timeout on HTTP call", "Missing timeout on HTTP calls")


def test_hand_built_hunk_with_explicit_numbers():
    hunk = Hunk(old_start=5, old_count=1, new_start=5, new_count=2, lines=[
        DiffLine(kind="context", content="x = 1", old_line=5, new_line=5, old_pos=5, new_pos=5),
        DiffLine(kind="added", content="y = eval(x)", old_line=None, new_line=6, old_pos=5, new_pos=6),
    ])
    file = FileDiff(old_path="h.py", new_path="h.py", hunks=[hunk])
    inline, file_level = judge([_f(path="h.py", line=6), _f(path="h.py", line=7, title="x")], _mr(file), RULES,
                               Settings())
    assert [f.line for f in inline] == [6] and [f.title for f in file_level] == ["x"]


class _Rule:
    def __init__(self, active: bool, replaced_by: str | None = None) -> None:
        self.active, self.replaced_by = active, replaced_by


class RulesWithStatus(Rules):
    """Rules where some IDs were removed (one with a replacement)."""

    _rules = {"SEC-001": _Rule(True), "OLD-001": _Rule(False, "SEC-001"), "OLD-002": _Rule(False)}

    def __init__(self) -> None:
        super().__init__(*self._rules)

    def get(self, rule_id: str) -> _Rule | None:
        return self._rules.get(rule_id)


def test_removed_rules_redirect_to_their_replacement_or_count_as_unknown():
    verdict = _run(_f(rule_id="OLD-001"), _f(line=12, rule_id="OLD-002", title="Gone rule"), rules=RulesWithStatus())
    by_title = {f.title: f for f in verdict.inline}
    assert by_title["Use of eval"].rule_id == "SEC-001"
    assert by_title["Gone rule"].rule_id is None and verdict.report.unknown_rules == ["OLD-002"]
