"""GitLab Code Quality: required fields, severity map, unique fingerprints."""

from __future__ import annotations

import hashlib
import json

from reviewer.models import ReviewResult, RiskAssessment, RiskTier
from reviewer.output.codequality import render_codequality
from tests.output.conftest import finding

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def _items(result: ReviewResult) -> list[dict]:
    text = render_codequality(result)
    assert not text.startswith("\ufeff")
    data = json.loads(text)
    assert isinstance(data, list)
    return data


def test_required_fields_and_valid_severities(sample_result) -> None:
    items = _items(sample_result)
    assert len(items) == 6
    for item in items:
        assert isinstance(item["description"], str) and item["description"]
        assert isinstance(item["check_name"], str) and item["check_name"]
        assert isinstance(item["fingerprint"], str) and item["fingerprint"]
        assert item["severity"] in GITLAB_SEVERITIES
        assert isinstance(item["location"]["path"], str)
        assert isinstance(item["location"]["lines"]["begin"], int) and item["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in items}) == len(items)


def test_severity_and_category_map(sample_result) -> None:
    by_check = {i["check_name"]: i for i in _items(sample_result)}
    sec = by_check["SEC-003"]
    assert sec["severity"] == "critical" and sec["categories"] == ["Security"]
    assert sec["description"] == "User input reaches a SQL string (SEC-003)"
    assert sec["fingerprint"] == "fp-sec-003"
    assert sec["location"] == {"path": "src/auth/login.py", "lines": {"begin": 12, "end": 14}}
    assert by_check["ERR-001"]["severity"] == "major"
    assert by_check["performance/performance"]["severity"] == "minor"
    assert by_check["docs/docs"]["severity"] == "info"


def test_file_level_and_old_side_findings_use_line_one(sample_result) -> None:
    by_check = {i["check_name"]: i for i in _items(sample_result)}
    assert by_check["DOC-002"]["location"] == {"path": "README.md", "lines": {"begin": 1}}
    old = ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL),
                       findings=[finding("note", "docs", "gone.py", 40, side="old")])
    assert _items(old)[0]["location"]["lines"] == {"begin": 1}


def test_missing_fingerprint_is_sha256_of_identity() -> None:
    f = finding("important", "quality", "src/a.py", 3, rule_id="ERR-001", title="Swallowed")
    item = _items(ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL), findings=[f]))[0]
    expected = hashlib.sha256("src/a.py\x1fquality\x1fERR-001\x1fSwallowed".encode()).hexdigest()
    assert item["fingerprint"] == expected


def test_fingerprints_unique_even_for_duplicates() -> None:
    same = [finding("note", "docs", "a.md", n, title="Same") for n in (1, 2, 3)]
    shared = [finding("note", "docs", "b.md", n, fingerprint="dup") for n in (1, 2)]
    items = _items(ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL), findings=[*same, *shared]))
    assert len({i["fingerprint"] for i in items}) == 5
    assert items[3]["fingerprint"] == "dup"


def test_no_findings_is_an_empty_array() -> None:
    assert render_codequality(ReviewResult(risk=RiskAssessment(tier=RiskTier.TRIVIAL))) == "[]\n"
