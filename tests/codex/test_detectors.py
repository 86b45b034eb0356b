"""run_detectors: deterministic Codex findings on added lines of reviewable files."""

from __future__ import annotations

import pytest

from reviewer.codex.detectors import (
    DETECTOR_AGENT, SourceLine, matching_lines, run_detectors, snippet_fires, uses_tree,
)
from reviewer.codex.languages import language_of
from reviewer.codex.loader import RuleSet, load_rules
from reviewer.codex.schema import Rule
from reviewer.diff.parse import parse_git_diff
from reviewer.models import Category, DiffLine, FileDiff, Finding, Hunk, Severity
from tests.codex.rule_files import rule_data
from tests.support.diff_builder import file_diff


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules()


def one_rule(**overrides) -> RuleSet:
    return RuleSet([Rule.model_validate(rule_data(**overrides))])


def hunk_file(path: str, lines: list[tuple[str, str]], *, new_start: int = 10, section: str = "", **kw) -> FileDiff:
    """A one-hunk FileDiff from (kind, text) pairs, numbering lines as git does."""
    old, new = new_start, new_start
    built = []
    for kind, text in lines:
        built.append(DiffLine(
            kind=kind, content=text,
            old_line=None if kind == "added" else old, new_line=None if kind == "removed" else new,
            old_pos=old, new_pos=new,
        ))
        old += kind != "added"
        new += kind != "removed"
    hunk = Hunk(old_start=new_start, old_count=old - new_start, new_start=new_start,
                new_count=new - new_start, section=section, lines=built)
    return FileDiff(old_path=path, new_path=path, hunks=[hunk], **kw)


def by_rule(findings: list[Finding]) -> dict[str, list[int | None]]:
    out: dict[str, list[int | None]] = {}
    for f in findings:
        out.setdefault(f.rule_id or "", []).append(f.line)
    return out


def test_finding_on_added_line_cites_the_rule(shipped: RuleSet) -> None:
    file = hunk_file("app/config.py", [
        ("context", "import yaml"),
        ("removed", "data = eval(text)"),
        ("added", "data = yaml.load(text)"),
        ("context", "other = yaml.load(legacy)"),
    ])
    findings = run_detectors([file], shipped)
    assert [(f.rule_id, f.line) for f in findings] == [("SEC-006", 11)]
    finding = findings[0]
    rule = shipped.get("SEC-006")
    assert finding.agent == DETECTOR_AGENT == "codex-detector"
    assert finding.path == "app/config.py"
    assert finding.severity is Severity.IMPORTANT and finding.category is Category.SECURITY
    assert finding.title == rule.title
    assert rule.rule in finding.body and rule.why in finding.body
    assert finding.side == "new"


def test_files_not_for_review_and_deleted_files_are_skipped(shipped: RuleSet) -> None:
    lines = [("added", "data = yaml.load(text)")]
    skipped = hunk_file("vendor/x.py", lines, skip_reason="vendored")
    deleted = hunk_file("old.py", [("removed", "data = yaml.load(text)")], deleted_file=True)
    assert run_detectors([skipped, deleted], shipped) == []
    assert run_detectors([hunk_file("x.py", lines)], shipped)


def test_scope_exclude_and_language(shipped: RuleSet) -> None:
    lines = [("added", "    print(response.json())")]
    assert "PY-002" in by_rule(run_detectors([hunk_file("src/lib/client.py", lines)], shipped))
    assert "PY-002" not in by_rule(run_detectors([hunk_file("tests/test_client.py", lines)], shipped))
    assert "PY-002" not in by_rule(run_detectors([hunk_file("src/lib/client.go", lines)], shipped))


def test_whole_line_comments_are_not_code(shipped: RuleSet) -> None:
    file = hunk_file("a.py", [("added", "# never call eval(x) here"), ("added", "y = eval(x)")])
    assert by_rule(run_detectors([file], shipped))["SEC-010"] == [11]


def test_comment_rules_read_only_comments(shipped: RuleSet) -> None:
    file = hunk_file("a.go", [("added", "\t// TODO: handle retries"), ("added", '\ttodo := "TODO: x"')])
    assert by_rule(run_detectors([file], shipped))["DOC-003"] == [10]


def test_not_pattern_sees_the_whole_statement() -> None:
    rules = load_rules().get("PY-004")
    assert rules is not None
    old = "def f(url):\n    return None\n"
    bad = "def f(url):\n    return requests.get(\n        url,\n        headers=h,\n    )\n"
    good = "def f(url):\n    return requests.get(\n        url,\n        timeout=5,\n    )\n"
    only = RuleSet([rules])
    assert [f.line for f in run_detectors([file_diff("a.py", old, bad)], only)] == [2]
    assert run_detectors([file_diff("a.py", old, good)], only) == []


def test_enclosing_block_found_in_the_hunk_or_its_section(shipped: RuleSet) -> None:
    body = "".join(f"    step_{i}()\n" for i in range(8))
    for header, expected in (("async def refresh(self):", ["PERF-001"]), ("def refresh(self):", [])):
        old = f"import time\n\n\n{header}\n{body}"
        new = f"import time\n\n\n{header}\n{body}    time.sleep(1)\n"
        file = file_diff("svc/worker.py", old, new)
        assert header in file.hunks[0].section  # the def is outside the hunk: only the section shows it
        assert all(header not in ln.content for ln in file.iter_lines())
        found = [f.rule_id for f in run_detectors([file], shipped) if f.rule_id == "PERF-001"]
        assert found == expected, header


def test_enclosing_undecided_stays_silent() -> None:
    rules = RuleSet([load_rules().get("PERF-001")])
    # nested code, no def in the hunk and no section: nothing proves we are in async code
    file = hunk_file("a.py", [("context", "        x = 1"), ("added", "        time.sleep(1)")])
    assert run_detectors([file], rules) == []


def test_go_defer_in_loop_with_tabs(shipped: RuleSet) -> None:
    old = "package x\n\nfunc load(names []string) error {\n\treturn nil\n}\n"
    new = (
        "package x\n\nfunc load(names []string) error {\n"
        "\tfor _, n := range names {\n\t\tf, err := os.Open(n)\n\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n"
        "\t\tdefer f.Close()\n\t}\n\treturn nil\n}\n"
    )
    findings = by_rule(run_detectors([file_diff("pkg/x/load.go", old, new)], shipped))
    assert findings["GO-002"] == [9]


def test_several_rules_and_files(shipped: RuleSet) -> None:
    files = [
        hunk_file("web/src/app.ts", [("added", "el.innerHTML = html; console.log(html);")], new_start=1),
        hunk_file("db/migrations/0007.sql", [("added", "ALTER TABLE users DROP COLUMN email;")], new_start=3),
        hunk_file("README.md", [("added", "Use eval( carefully")], new_start=1),
    ]
    assert by_rule(run_detectors(files, shipped)) == {"SEC-012": [1], "JS-001": [1], "SQL-002": [3]}


def test_ignore_case_and_custom_rule() -> None:
    rules = one_rule(detector={"pattern": r"\bfrobnicate\(", "ignore_case": True})
    file = hunk_file("a.py", [("added", "FROBNICATE(x)"), ("added", "safe_frob(x)")])
    assert [f.line for f in run_detectors([file], rules)] == [10]
    assert run_detectors([file], one_rule()) == []


def test_rules_without_detector_never_fire() -> None:
    rules = one_rule(detector=None)
    assert run_detectors([hunk_file("a.py", [("added", "frobnicate(x)")])], rules) == []
    assert snippet_fires(rules.get("ACME-001"), "frobnicate(x)") is False


def test_on_a_parsed_git_diff(shipped: RuleSet) -> None:
    diff = (
        "diff --git a/svc/api.py b/svc/api.py\n"
        "index 1111111..2222222 100644\n"
        "--- a/svc/api.py\n"
        "+++ b/svc/api.py\n"
        "@@ -1,3 +1,5 @@\n"
        " import subprocess\n"
        "+\n"
        "+subprocess.run(f\"tar xzf {path}\", shell=True)\n"
        " def main():\n"
        "+    pass\n"
        "     return 0\n"
    )
    findings = run_detectors(parse_git_diff(diff), shipped)
    assert ("SEC-008", 3) in [(f.rule_id, f.line) for f in findings]
    assert ("PY-009", 3) in [(f.rule_id, f.line) for f in findings]


_SUFFIXES = {"python": ".py", "javascript": ".js", "typescript": ".ts", "go": ".go", "sql": ".sql", "yaml": ".yml",
             "markdown": ".md", "shell": ".sh", "dockerfile": "", "ruby": ".rb", "java": ".java"}


def _line_mode(rule: Rule, path: str) -> bool:
    """The rule's line pattern decides every added line of ``path`` (no tree query reads it)."""
    return rule.detector is not None and rule.detector.pattern is not None and not uses_tree(rule, path)


def _line_by_line(files: list[FileDiff], rules: RuleSet) -> list[tuple[str, str | None, int | None]]:
    """The reference: every line-mode detector rule searched in every added line of every hunk."""
    out = []
    for file in files:
        active = [r for r in rules.for_path(file.path) if _line_mode(r, file.path)]
        for hunk in file.hunks:
            lines = [SourceLine(d.content, d.kind == "added", d.new_line) for d in hunk.lines if d.kind != "removed"]
            for rule in active:
                out += [(file.path, rule.id, lines[i].line)
                        for i in matching_lines(rule.detector, lines, language_of(file.path), hunk.section)]
    return out


def test_agrees_with_searching_every_line(shipped: RuleSet) -> None:
    """The substring pre-filter never loses a finding: every shipped example, in files of every language."""
    snippets = [s for r in shipped for s in (*r.examples.fire, *r.examples.pass_) if r.detector]
    old = "\n".join(f"keep_{n} = {n}" for n in range(40))
    files = []
    for language, suffix in _SUFFIXES.items():
        name = f"src/app{suffix}" if suffix else "svc/Dockerfile"
        new_lines = old.splitlines()
        for n, snippet in enumerate(snippets):
            new_lines[(n * 7) % 40] += "\n" + snippet  # many hunks, context between them
        files.append(file_diff(name, old, "\n".join(new_lines)))
    expected = _line_by_line(files, shipped)
    assert len(expected) > 100
    found = [(f.path, f.rule_id, f.line) for f in run_detectors(files, shipped)
             if _line_mode(shipped.get(f.rule_id), f.path)]
    assert found == expected


def test_ignore_case_on_non_ascii_text() -> None:
    """Case-insensitive patterns match Unicode case variants (here the long s) like ``re`` does."""
    rules = one_rule(detector={"pattern": r"\bpassword\b", "ignore_case": True})
    file = hunk_file("a.py", [("added", "x = 1"), ("added", "PAſſWORD = y")])
    assert [f.line for f in run_detectors([file], rules)] == [11]
