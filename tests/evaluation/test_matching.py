"""Matching reported findings with expected ones: place, category, tolerance, ties, judge."""

import random

import pytest

from reviewer.evaluation.matching import Reported, line_distance, match_findings, reported_findings
from reviewer.models import Category, Severity
from tests.evaluation.factories import exp, rep


def pairs(result, expected, reported):
    """(expected index, reported index) of every match, by identity."""
    return sorted((expected.index(m.expected), reported.index(m.reported)) for m in result.matches)


def test_overlapping_ranges_match():
    x = exp(lines=[10, 12])
    a = rep(first=12, last=20)
    result = match_findings([x], [a])
    assert [(m.expected, m.reported, m.distance) for m in result.matches] == [(x, a, 0)]
    assert result.unmatched_expected == [] and result.unmatched_reported == []


@pytest.mark.parametrize(("first", "last", "matched"), [
    (15, 15, True),   # 15 - 12 = 3: on the boundary
    (16, 16, False),  # 4 lines away
    (7, 7, True),     # 10 - 7 = 3 before the range
    (6, 6, False),
    (1, 7, True),     # a range ending 3 lines before
    (16, 30, False),
])
def test_tolerance_boundary_is_inclusive(first, last, matched):
    result = match_findings([exp(lines=[10, 12])], [rep(first=first, last=last)])
    assert len(result.matches) == (1 if matched else 0)
    assert len(result.unmatched_reported) == (0 if matched else 1)


def test_tolerance_can_be_changed():
    x, a = exp(lines=[10, 12]), rep(first=13)
    assert len(match_findings([x], [a], tolerance=0).matches) == 0
    assert len(match_findings([x], [a], tolerance=1).matches) == 1
    assert match_findings([x], [rep(first=12)], tolerance=0).matches[0].distance == 0


def test_negative_tolerance_is_refused():
    with pytest.raises(ValueError, match="tolerance"):
        match_findings([], [], tolerance=-1)


def test_line_distance():
    x = exp(lines=[10, 12])
    assert line_distance(x, rep(first=11)) == 0
    assert line_distance(x, rep(first=15, last=18)) == 3
    assert line_distance(x, rep(first=2, last=4)) == 6
    assert line_distance(x, rep(first=None)) is None


@pytest.mark.parametrize("path", ["./app/db.py", "/app/db.py", "app/db.py"])
def test_paths_are_normalised(path):
    result = match_findings([exp(path="./app/db.py")], [rep(path=path)])
    assert len(result.matches) == 1
    assert result.matches[0].reported.path == "app/db.py"


def test_other_path_does_not_match():
    result = match_findings([exp(path="app/db.py")], [rep(path="app/db2.py")])
    assert (len(result.matches), len(result.unmatched_expected), len(result.unmatched_reported)) == (0, 1, 1)


def test_other_category_does_not_match_by_default():
    x, a = exp(category="security"), rep(category="quality")
    result = match_findings([x], [a])
    assert result.matches == []
    assert result.unmatched_expected == [x]
    assert result.unmatched_reported == [a]


def test_tie_does_not_lose_a_match():
    # A overlaps X and Y, B overlaps only X: a greedy A↔X would leave B and Y unmatched.
    x, y = exp(lines=[10, 12]), exp(lines=[14, 14])
    a, b = rep(first=11, last=14), rep(first=8)
    result = match_findings([x, y], [a, b])
    assert pairs(result, [x, y], [a, b]) == [(0, 1), (1, 0)]  # X↔B, Y↔A
    assert result.unmatched_expected == [] and result.unmatched_reported == []


def test_one_reported_against_two_expected():
    x, y = exp(lines=[10, 10]), exp(lines=[12, 12])
    a = rep(first=11)
    result = match_findings([x, y], [a])
    assert len(result.matches) == 1
    assert result.matches[0].expected is x  # both 1 line away: the earlier expected wins
    assert result.unmatched_expected == [y]
    assert result.unmatched_reported == []


def test_two_reported_against_one_expected_is_one_tp_one_fp():
    x = exp(lines=[10, 10])
    far, near = rep(first=13), rep(first=11)
    result = match_findings([x], [far, near])
    assert [m.reported for m in result.matches] == [near]  # the smaller distance wins
    assert result.unmatched_reported == [far]


def test_equal_distance_prefers_the_earlier_reported():
    x = exp(lines=[10, 10])
    first, second = rep(first=9, title="first"), rep(first=11, title="second")
    result = match_findings([x], [first, second])
    assert [m.reported.title for m in result.matches] == ["first"]
    assert [r.title for r in result.unmatched_reported] == ["second"]


def test_maximum_matching_over_a_chain():
    # Each reported overlaps its own expected and the next one; only the diagonal matches all.
    xs = [exp(lines=[n, n]) for n in (10, 20, 30)]
    rs = [rep(first=20, last=30), rep(first=10, last=20), rep(first=3, last=10)]
    result = match_findings(xs, rs, tolerance=0)
    assert len(result.matches) == 3
    assert pairs(result, xs, rs) == [(0, 2), (1, 1), (2, 0)]


def test_file_level_finding_matches_by_path_and_category_regardless_of_lines():
    x = exp(lines=[500, 510])
    whole = rep(first=None)
    result = match_findings([x], [whole])
    assert len(result.matches) == 1
    assert result.matches[0].distance is None
    assert whole.file_level is True


def test_file_level_finding_needs_the_category():
    result = match_findings([exp(category="security")], [rep(first=None, category="docs")])
    assert result.matches == []
    assert len(result.unmatched_reported) == 1


def test_line_finding_is_preferred_over_file_level_one():
    x = exp(lines=[10, 10])
    whole, line = rep(first=None, title="whole"), rep(first=13, title="line")
    result = match_findings([x], [whole, line])
    assert [m.reported.title for m in result.matches] == ["line"]
    assert [r.title for r in result.unmatched_reported] == ["whole"]


def test_cross_category_option_accepts_a_category_mismatch():
    x, a = exp(category="security"), rep(category="quality")
    result = match_findings([x], [a], cross_category=True)
    assert len(result.matches) == 1
    match = result.matches[0]
    assert (match.cross, match.judged, match.same_category) == (True, False, False)


def test_cross_category_still_prefers_the_same_category():
    y_quality, x_security = exp(category="quality"), exp(category="security")
    a = rep(category="security")
    result = match_findings([y_quality, x_security], [a], cross_category=True)
    assert [(m.expected.category, m.cross) for m in result.matches] == [(Category.SECURITY, False)]
    assert result.unmatched_expected == [y_quality]


def test_cross_category_needs_the_place():
    result = match_findings([exp(lines=[10, 10])], [rep(first=30, category="quality")], cross_category=True)
    assert result.matches == []


def test_judge_is_asked_only_about_near_pairs_of_other_categories():
    calls = []

    def judge(expected, reported):
        calls.append((expected.category.value, reported.category.value, reported.first))
        return True

    x = exp(lines=[10, 10], category="security")
    same = rep(first=10, category="security")
    other_near = rep(first=11, category="quality")
    other_far = rep(first=40, category="quality")
    other_path = rep(path="other.py", first=10, category="quality")
    result = match_findings([x], [same, other_near, other_far, other_path], judge=judge)
    assert calls == [("security", "quality", 11)]
    assert [m.reported for m in result.matches] == [same]  # an exact pair beats a judged one


def test_judge_accepting_a_pair_makes_it_a_judged_match():
    x, a = exp(category="security"), rep(category="codex")
    result = match_findings([x], [a], judge=lambda e, r: True)
    assert [(m.judged, m.cross) for m in result.matches] == [(True, False)]


def test_judge_refusing_a_pair_leaves_it_unmatched():
    x, a = exp(category="security"), rep(category="codex")
    result = match_findings([x], [a], judge=lambda e, r: False)
    assert result.matches == []
    assert result.unmatched_expected == [x] and result.unmatched_reported == [a]


def test_judge_refusal_falls_back_to_cross_category():
    result = match_findings([exp(category="security")], [rep(category="codex")],
                            judge=lambda e, r: False, cross_category=True)
    assert [(m.judged, m.cross) for m in result.matches] == [(False, True)]


@pytest.mark.parametrize(("expected", "reported", "agrees"), [
    ("important", "important", True),
    ("important", "critical", True),
    ("important", "suggestion", False),
    ("suggestion", "note", False),
    ("suggestion", "suggestion", True),
])
def test_severity_agreement_does_not_decide_the_match(expected, reported, agrees):
    result = match_findings([exp(severity=expected)], [rep(severity=reported)])
    assert len(result.matches) == 1
    assert result.matches[0].severity_agrees is agrees


def test_reported_findings_reads_inline_and_file_findings():
    report = {
        "findings": [
            {"path": "./a.py", "line": 5, "end_line": 7, "severity": "critical", "category": "security",
             "rule_id": "SEC-003", "title": "SQL", "body": "", "suggestion": None, "agent": "security",
             "fingerprint": "f1"},
            {"path": "b.py", "line": 9, "end_line": None, "severity": "note", "category": "docs",
             "rule_id": None, "title": "doc", "body": "", "suggestion": None, "agent": "docs", "fingerprint": "f2"},
        ],
        "file_findings": [
            {"path": "c.py", "severity": "important", "category": "release", "rule_id": None, "title": "whole",
             "body": "", "suggestion": None, "agent": "release", "fingerprint": "f3"},
        ],
    }
    found = reported_findings(report)
    assert [(r.path, r.first, r.last, r.category, r.severity) for r in found] == [
        ("a.py", 5, 7, Category.SECURITY, Severity.CRITICAL),
        ("b.py", 9, 9, Category.DOCS, Severity.NOTE),
        ("c.py", None, None, Category.RELEASE, Severity.IMPORTANT),
    ]
    assert (found[0].rule_id, found[0].title, found[0].agent) == ("SEC-003", "SQL", "security")
    assert reported_findings({}) == []


def test_reported_range_is_put_in_order():
    read = Reported.from_public({"path": "a", "line": 9, "end_line": 4, "severity": "note", "category": "docs"})
    assert (read.first, read.last) == (4, 9)
    built = rep(first=9, last=4)
    assert (built.first, built.last) == (4, 9)


def test_a_finding_of_another_shape_is_an_error():
    with pytest.raises(ValueError, match="not a finding"):
        Reported.from_public({"path": "a.py", "line": 1, "severity": "bad", "category": "docs"})
    with pytest.raises(ValueError, match="not a finding"):
        Reported.from_public({"line": 1, "severity": "note", "category": "docs"})


def _most_pairs(expected, reported, tolerance):
    """The size of a maximum matching, by trying every assignment (small inputs only)."""
    def best(i, used):
        if i == len(expected):
            return 0
        options = [best(i + 1, used)]
        for j, r in enumerate(reported):
            distance = line_distance(expected[i], r)
            if j not in used and expected[i].category == r.category and distance is not None \
                    and distance <= tolerance:
                options.append(1 + best(i + 1, used | {j}))
        return max(options)
    return best(0, frozenset())


def test_never_fewer_pairs_than_the_best_assignment():
    rng = random.Random(7)
    for _ in range(300):
        expected = [exp(lines=sorted((rng.randint(1, 30), rng.randint(1, 30))),
                        category=rng.choice(["security", "docs"])) for _ in range(rng.randint(0, 5))]
        reported = [rep(first=rng.randint(1, 30), last=None, category=rng.choice(["security", "docs"]))
                    for _ in range(rng.randint(0, 5))]
        result = match_findings(expected, reported, tolerance=2)
        assert len(result.matches) == _most_pairs(expected, reported, 2)
        assert len(result.matches) + len(result.unmatched_expected) == len(expected)
        assert len(result.matches) + len(result.unmatched_reported) == len(reported)
