"""On a later run the summary's "By area" line counts the same open findings as its headline."""

from __future__ import annotations

from reviewer.gitlab_mr.summary import SummaryInput, render_summary
from reviewer.models import Category, Severity
from tests.gitlab_mr.test_summary import _mr, _result


def test_by_area_counts_what_is_open_not_only_this_runs_findings():
    body = render_summary(_mr(), _result([]), SummaryInput(
        open_severities=[Severity.CRITICAL, Severity.IMPORTANT, Severity.IMPORTANT, Severity.NOTE],
        open_categories=[Category.SECURITY, Category.SECURITY, Category.PERFORMANCE, Category.DOCS]))
    assert "**Open findings (4):**" in body
    assert "By area: Security: 2 · Documentation: 1 · Performance: 1" in body


def test_nothing_open_has_no_by_area_line():
    body = render_summary(_mr(), _result([]), SummaryInput(open_severities=[], open_categories=[]))
    assert "**No open findings.**" in body and "By area" not in body
