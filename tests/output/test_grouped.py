"""A grouped finding (one rule on many lines) in every report: its other places listed, the JSON
keeping all of them, Code Quality one item per place."""

from __future__ import annotations

import json

from reviewer.gitlab_mr.comments import render_finding
from reviewer.gitlab_mr.summary import _finding_item
from reviewer.models import Occurrence, ReviewResult, RiskAssessment, RiskTier
from reviewer.output import render
from reviewer.output.grouping import MAX_LISTED_OCCURRENCES
from tests.output.conftest import finding
from tests.output.test_json_report import FINDING_KEYS


def grouped(places: int):
    occurrences = [Occurrence(path="app/report.py", line=10 + i, fingerprint=f"fp{i}") for i in range(places)]
    return finding("suggestion", "quality", "app/report.py", 10, rule_id="PY-002", title="`print` in library code",
                   agent="codex-detector", fingerprint="group-fp", occurrences=occurrences)


def result(*findings) -> ReviewResult:
    return ReviewResult(risk=RiskAssessment(tier=RiskTier.LIGHT), findings=list(findings))


def test_json_adds_occurrences_to_a_grouped_finding_only() -> None:
    single = finding("note", "docs", "README.md", 3)
    data = json.loads(render(result(grouped(3), single), "json"))
    assert list(data["findings"][0]) == [*FINDING_KEYS, "occurrences"]
    assert data["findings"][0]["occurrences"] == [
        {"path": "app/report.py", "line": 10 + i, "end_line": None, "fingerprint": f"fp{i}"} for i in range(3)]
    assert list(data["findings"][1]) == FINDING_KEYS


def test_text_and_markdown_list_the_other_places_up_to_the_limit() -> None:
    many = grouped(MAX_LISTED_OCCURRENCES + 6)
    text = render(result(many), "text")
    assert "The same problem at 55 more places:" in text
    assert "app/report.py:11" in text and f"app/report.py:{10 + MAX_LISTED_OCCURRENCES}" in text
    assert f"app/report.py:{11 + MAX_LISTED_OCCURRENCES}" not in text and "… and 5 more (see the JSON report)" in text
    markdown = render(result(grouped(4)), "markdown")
    assert "The same problem at 3 more places:" in markdown and "- `app/report.py:13`" in markdown
    assert "more places" not in render(result(finding("note", "docs")), "text")


def test_codequality_has_one_item_per_place_each_with_its_fingerprint() -> None:
    items = json.loads(render(result(grouped(4)), "codequality"))
    assert [(i["location"]["lines"]["begin"], i["fingerprint"]) for i in items] == [
        (10, "fp0"), (11, "fp1"), (12, "fp2"), (13, "fp3")]


def test_gitlab_thread_and_summary_line_name_the_other_places() -> None:
    body = render_finding(grouped(11), suggestion_above=0)
    assert "**The same problem at 10 more places:**" in body
    assert "- `app/report.py:20`" in body and body.index("more places") < body.index("<!-- reviewer:finding")
    line = "\n".join(_finding_item(grouped(3), "over the limit of 2 inline comments"))
    assert "The same problem at 2 more places: `app/report.py:11`, `app/report.py:12`" in line
