"""Precision, recall and F1 per category and overall, clean cases, severity, failed cases, cost."""

import pytest

from reviewer.evaluation.matching import MatchResult, match_findings
from reviewer.evaluation.metrics import CaseOutcome, CleanStats, Scores, SeverityAgreement, Usage, score
from reviewer.models import AgentRun, Category
from tests.evaluation.factories import exp, rep


def outcome(name, expected, reported, **options):
    return CaseOutcome.from_match(name, match_findings(expected, reported, **options))


@pytest.mark.parametrize(("tp", "fp", "fn", "precision", "recall", "f1"), [
    (2, 1, 3, 2 / 3, 2 / 5, 0.5),
    (3, 0, 0, 1.0, 1.0, 1.0),
    (0, 2, 1, 0.0, 0.0, 0.0),    # both zero: F1 is 0.0, not undefined
    (0, 0, 0, None, None, None),
    (0, 0, 4, None, 0.0, None),  # nothing reported: precision undefined
    (0, 3, 0, 0.0, None, None),  # nothing expected: recall undefined
    (1, 3, 0, 0.25, 1.0, 0.4),
])
def test_scores(tp, fp, fn, precision, recall, f1):
    s = Scores(tp, fp, fn)
    assert s.precision == (None if precision is None else pytest.approx(precision))
    assert s.recall == (None if recall is None else pytest.approx(recall))
    assert s.f1 == (None if f1 is None else pytest.approx(f1))


def test_case_outcome_counts_from_the_matching():
    x, y = exp(lines=[10, 10]), exp(lines=[50, 50])
    case = outcome("c", [x, y], [rep(first=10), rep(first=30)])
    assert (case.expected, case.reported, case.tp, case.fp, case.fn, case.clean) == (2, 2, 1, 1, 1, False)
    assert case.missed == [y]
    assert [r.first for r in case.extra] == [30]
    assert case.error is None and case.usage == Usage()


def test_each_finding_counts_once_in_its_category():
    case = outcome("c", [exp(lines=[10, 10], category="security"), exp(lines=[40, 40], category="docs")],
                   [rep(first=10, category="security"), rep(first=20, category="quality"),
                    rep(first=10, category="security")])
    result = score([case])
    assert result.categories[Category.SECURITY] == Scores(tp=1, fp=1, fn=0)
    assert result.categories[Category.QUALITY] == Scores(tp=0, fp=1, fn=0)
    assert result.categories[Category.DOCS] == Scores(tp=0, fp=0, fn=1)
    assert result.overall == Scores(tp=1, fp=2, fn=1)
    assert set(result.categories) == set(Category)
    assert result.categories[Category.CODEX] == Scores()
    assert result.categories[Category.CODEX].precision is None


def test_a_cross_category_match_is_a_tp_of_the_expected_category():
    case = outcome("c", [exp(category="security")], [rep(category="quality")], cross_category=True)
    result = score([case], cross_category=True)
    assert result.categories[Category.SECURITY] == Scores(tp=1)
    assert result.categories[Category.QUALITY] == Scores()
    assert [(name, m.cross) for name, m in result.cross_pairs] == [("c", True)]
    assert result.cross_category is True


def test_without_the_option_the_same_pair_is_a_fn_and_a_fp():
    result = score([outcome("c", [exp(category="security")], [rep(category="quality")])])
    assert result.categories[Category.SECURITY] == Scores(fn=1)
    assert result.categories[Category.QUALITY] == Scores(fp=1)
    assert result.cross_pairs == []


def test_overall_is_micro_averaged():
    # security: 1 TP (precision 1.0); quality: 1 TP, 3 FP (precision 0.25). Macro would be 0.625.
    a = outcome("a", [exp(lines=[10, 10], category="security")], [rep(first=10, category="security")])
    b = outcome("b", [exp(lines=[10, 10], category="quality")],
                [rep(first=10, category="quality"), *(rep(first=n, category="quality") for n in (30, 40, 50))])
    result = score([a, b])
    assert result.categories[Category.SECURITY].precision == 1.0
    assert result.categories[Category.QUALITY].precision == 0.25
    assert result.overall == Scores(tp=2, fp=3, fn=0)
    assert result.overall.precision == pytest.approx(0.4)
    assert result.overall.recall == 1.0
    assert result.overall.f1 == pytest.approx(2 * 0.4 / 1.4)


def test_clean_cases():
    noisy = outcome("noisy", [], [rep(category="docs"), rep(first=None, category="quality")])
    quiet = outcome("quiet", [], [])
    other = outcome("other", [exp()], [rep()])
    result = score([noisy, quiet, other])
    assert result.clean == CleanStats(cases=2, findings=2)
    assert result.clean.findings_per_case == 1.0
    assert result.categories[Category.DOCS] == Scores(fp=1)
    assert result.categories[Category.QUALITY] == Scores(fp=1)
    assert result.overall == Scores(tp=1, fp=2, fn=0)


def test_no_clean_cases_gives_no_findings_per_case():
    result = score([outcome("c", [exp()], [])])
    assert result.clean == CleanStats(0, 0)
    assert result.clean.findings_per_case is None


def test_severity_agreement():
    case = outcome("c", [exp(lines=[10, 10], severity="important"), exp(lines=[30, 30], severity="important"),
                         exp(lines=[50, 50], severity="important")],
                   [rep(first=10, severity="critical"), rep(first=30, severity="suggestion"),
                    rep(first=50, severity="important")])
    result = score([case])
    assert result.severity == SeverityAgreement(matched=3, agreeing=2)
    assert result.severity.share == pytest.approx(2 / 3)
    assert score([]).severity.share is None


def test_a_failed_case_is_listed_but_not_counted():
    ran = outcome("ran", [exp()], [rep()])
    failed = CaseOutcome.failed("broken", "git: bad bundle", expected=3, usage=Usage(model_calls=1, cost_usd=0.5))
    result = score([ran, failed])
    assert result.overall == Scores(tp=1)
    assert result.clean.cases == 0
    assert [c.name for c in result.failed] == ["broken"]
    assert (failed.expected, failed.reported, failed.tp, failed.fp, failed.fn) == (3, 0, 0, 0, 0)
    assert result.usage == Usage(model_calls=1, cost_usd=0.5)


def test_a_failed_clean_case_is_not_a_clean_case():
    result = score([CaseOutcome.failed("broken", "timeout")])
    assert result.clean == CleanStats(0, 0)


def test_usage_is_summed_over_cases():
    a = CaseOutcome.from_match("a", MatchResult(), Usage(2, 100, 10, 0.25, 1.5))
    b = CaseOutcome.from_match("b", MatchResult(), Usage(3, 50, 5, 0.5, 2.0))
    assert score([a, b]).usage == Usage(5, 150, 15, 0.75, 3.5)


def test_usage_from_agent_runs_and_report_dicts():
    runs = [AgentRun(name="security", status="ok", calls=2, prompt_tokens=100, completion_tokens=20,
                     cost_usd=0.01, seconds=3.0),
            AgentRun(name="docs", status="failed", calls=1, prompt_tokens=40, completion_tokens=0, seconds=1.0)]
    assert Usage.from_agents(runs) == Usage(3, 140, 20, 0.01, 4.0)
    assert Usage.from_agents(runs, seconds=2.5).seconds == 2.5
    report_agents = [{"name": "security", "prompt_tokens": 7, "completion_tokens": 3, "cost_usd": 0.5,
                      "seconds": 1.25}]
    assert Usage.from_agents(report_agents) == Usage(0, 7, 3, 0.5, 1.25)


def test_score_keeps_the_options():
    result = score([], tolerance=5)
    assert (result.tolerance, result.cross_category, result.cases) == (5, False, [])
    assert result.overall == Scores()
