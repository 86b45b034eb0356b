"""One problem, one thread: a Codex rule firing on many lines of a file (or in many files) becomes
one grouped finding on its first occurrence that lists every occurrence (``reviewer.judge``)."""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.codex import load_rules, run_detectors
from reviewer.judge import GROUP_FILES_OVER, GROUP_LINES_OVER, group_fingerprint, judge_findings
from reviewer.models import Category, FileDiff, Finding, MergeRequest, PriorThread, Severity
from reviewer.settings import RepoConfig, Settings
from tests.support.cli_runner import run_reviewer
from tests.support.diff_builder import file_diff
from tests.support.gitrepo import GitRepo

RULES = load_rules()
BASE = '"""Reports."""\n\n\ndef build(rows):\n    return rows\n'


def with_prints(n: int, *, top: str = "") -> str:
    """``BASE`` plus a function that prints ``n`` different things (PY-002 on each)."""
    body = "".join(f"    print('step {i}', rows[{i}])\n" for i in range(n))
    return f'{top}"""Reports."""\n\n\ndef build(rows):\n    return rows\n\n\ndef debug(rows):\n{body}'


def judge_files(*files: FileDiff, extra: list[Finding] = (), settings: Settings | None = None,
                prior: list[PriorThread] = ()):
    mr = MergeRequest(files=list(files), prior_threads=list(prior))
    findings = [*run_detectors(mr.files, RULES), *extra]
    return judge_findings(findings, mr, RULES, settings or Settings())


def prints(verdict) -> list[Finding]:
    return [f for f in verdict.inline if f.rule_id == "PY-002"]


def test_eleven_lines_of_one_rule_in_one_file_become_one_finding_listing_all() -> None:
    verdict = judge_files(file_diff("app/report.py", BASE, with_prints(11)))
    [group] = prints(verdict)
    assert group.line == 9 and group.agent == "codex-detector"
    assert [(o.path, o.line) for o in group.occurrences] == [("app/report.py", 9 + i) for i in range(11)]
    assert group.fingerprint == group_fingerprint("PY-002", group.category, "app/report.py")
    assert len({o.fingerprint for o in group.occurrences}) == 11  # each place keeps its own identity
    assert group.occurrences[0].fingerprint != group.fingerprint
    assert (verdict.report.groups, verdict.report.grouped) == (1, 10)
    public = group.to_public()
    assert public["occurrences"][0] == {"path": "app/report.py", "line": 9, "end_line": None,
                                        "fingerprint": group.occurrences[0].fingerprint}


def test_threshold_is_more_than_three_lines_of_one_file() -> None:
    assert GROUP_LINES_OVER == 3
    three = judge_files(file_diff("app/report.py", BASE, with_prints(3)))
    assert [len(f.occurrences) for f in prints(three)] == [0, 0, 0]
    four = judge_files(file_diff("app/report.py", BASE, with_prints(4)))
    assert [len(f.occurrences) for f in prints(four)] == [4]


def test_one_rule_in_more_than_five_files_is_one_finding_for_the_change() -> None:
    assert GROUP_FILES_OVER == 5
    files = [file_diff(f"app/m{i}.py", BASE, with_prints(1 + i % 2)) for i in range(6)]
    [group] = prints(judge_files(*files))
    assert group.path == "app/m0.py" and group.fingerprint == group_fingerprint("PY-002", group.category, None)
    assert [o.path for o in group.occurrences] == ["app/m0.py", "app/m1.py", "app/m1.py", "app/m2.py", "app/m3.py",
                                                   "app/m3.py", "app/m4.py", "app/m5.py", "app/m5.py"]
    five = judge_files(*files[:5])
    assert [len(f.occurrences) for f in prints(five)] == [0] * 7


def test_a_group_counts_once_against_the_per_severity_cap() -> None:
    settings = Settings(repo=RepoConfig(max_findings_per_severity={Severity.SUGGESTION: 2}))
    other = file_diff("app/other.py", BASE, BASE + "\n\ndef show(x):\n    print(x)\n")
    verdict = judge_files(file_diff("app/report.py", BASE, with_prints(11)), other, settings=settings)
    assert [(f.path, len(f.occurrences)) for f in prints(verdict)] == [("app/other.py", 0), ("app/report.py", 11)]
    assert verdict.report.capped == {}


def test_group_identity_is_stable_when_lines_move_or_places_change() -> None:
    first = prints(judge_files(file_diff("app/report.py", BASE, with_prints(11))))[0]
    shifted = prints(judge_files(file_diff("app/report.py", BASE, with_prints(11, top="# Header\n\n"))))[0]
    fewer = prints(judge_files(file_diff("app/report.py", BASE, with_prints(7))))[0]
    assert shifted.line == first.line + 2
    assert first.fingerprint == shifted.fingerprint == fewer.fingerprint


def test_an_earlier_group_thread_keeps_the_group_below_the_threshold() -> None:
    fp = group_fingerprint("PY-002", Category.QUALITY, "app/report.py")
    thread = PriorThread(discussion_id="d1", fingerprint=fp, rule_id="PY-002", path="app/report.py", line=10)
    two = judge_files(file_diff("app/report.py", BASE, with_prints(2)), prior=[thread])
    assert [(f.fingerprint, len(f.occurrences)) for f in prints(two)] == [(fp, 2)]
    resolved = thread.model_copy(update={"resolved": True, "resolved_by_reviewer": True})
    again = judge_files(file_diff("app/report.py", BASE, with_prints(2)), prior=[resolved])
    assert [len(f.occurrences) for f in prints(again)] == [0, 0]


def test_model_findings_are_never_grouped() -> None:
    model = [Finding(path="app/report.py", line=10 + i, severity=Severity.SUGGESTION, category=Category.QUALITY,
                     rule_id="PY-002", title="print left in", agent="quality") for i in range(5)]
    verdict = judge_files(file_diff("app/report.py", BASE, BASE + "\n\ndef f(rows):\n" + "    x = 1\n" * 8),
                          extra=model)
    assert [len(f.occurrences) for f in prints(verdict)] == [0] * 5


# -- through the CLI ------------------------------------------------------------------------------

def test_cli_reports_shapes_of_a_grouped_finding(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "repo")
    repo.commit("base", {"app/report.py": BASE})
    repo.branch("feature")
    repo.commit("debug output", {"app/report.py": with_prints(11)})
    outputs = {}
    for fmt in ("json", "text", "markdown", "codequality"):
        done = run_reviewer("review", "--local", "--repo", repo.root, "--base", "main", "--format", fmt)
        assert done.returncode == 0, done.stderr
        outputs[fmt] = done.stdout
    report = json.loads(outputs["json"])
    [group] = report["findings"]
    assert group["rule_id"] == "PY-002" and group["line"] == 9
    assert [(o["path"], o["line"]) for o in group["occurrences"]] == [("app/report.py", 9 + i) for i in range(11)]
    assert set(group["occurrences"][0]) == {"path", "line", "end_line", "fingerprint"}
    assert "The same problem at 10 more places:" in outputs["text"] and "app/report.py:19" in outputs["text"]
    assert "- `app/report.py:10`" in outputs["markdown"]
    quality = json.loads(outputs["codequality"])
    assert sorted(i["location"]["lines"]["begin"] for i in quality) == list(range(9, 20))
    assert len({i["fingerprint"] for i in quality}) == 11
