"""The agents' reply schema and its conversion into findings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reviewer.agent_output import MAX_REPORT_FINDINGS, AgentReport, ModelFinding, dropped_findings, to_findings
from reviewer.agents import AgentLimits, AgentSpec
from reviewer.llm_schema import strict_json_schema
from reviewer.models import Category, RiskTier, Severity

SPEC = AgentSpec(name="security", description="d", category=Category.SECURITY, tiers=[RiskTier.FULL],
                 prompt="security.md.j2", limits=AgentLimits(max_findings=3))


def item(**kw) -> dict:
    base = {"path": "app/db.py", "line": 10, "end_line": None, "severity": "important", "rule_id": None,
            "title": "Query built from input", "body": "Use parameters.", "suggestion": None}
    return {**base, **kw}


def test_the_schema_sent_requires_every_field_and_nullable_ones_accept_null():
    strict = strict_json_schema(AgentReport)  # what the model is actually sent
    finding = strict["properties"]["findings"]["items"]
    assert set(finding["required"]) == set(finding["properties"])
    assert finding["additionalProperties"] is False and strict["additionalProperties"] is False
    assert strict["properties"]["findings"]["maxItems"] == MAX_REPORT_FINDINGS
    assert ModelFinding.model_validate(item(suggestion=None, rule_id=None, end_line=None)).suggestion is None
    with pytest.raises(ValidationError):
        ModelFinding.model_validate({k: v for k, v in item().items() if k != "title"})


@pytest.mark.parametrize(
    "bad",
    [
        item(path="p" * 501),
        item(severity="severe"),
        item(line="ten"),
    ],
)
def test_an_invalid_finding_is_dropped_with_its_reason_and_its_siblings_kept(bad):
    report = AgentReport.model_validate({"findings": [item(title="kept one"), bad, item(title="kept two")]})
    assert [f.title for f in report.findings] == ["kept one", "kept two"]
    [(dropped, reason)] = report.dropped
    assert dropped == bad and reason.startswith("does not match the schema: ")
    [entry] = dropped_findings(report, SPEC)
    assert (entry.stage, entry.agent, entry.finding["category"]) == ("validate", "security", "security")
    assert entry.to_public()["reason"] == reason


def test_oversized_text_is_cut_at_a_word_and_oversized_code_or_ids_left_out():
    report = AgentReport.model_validate({"findings": [item(
        title="word " * 60, body="long sentence " * 100, suggestion="x = 1\n" * 300, rule_id="SEC-" + "1" * 20)]})
    [finding] = report.findings
    assert len(finding.title) <= 200 and finding.title.endswith("word…")
    assert len(finding.body) <= 800 and finding.body.endswith("sentence…")
    assert (finding.suggestion, finding.rule_id) == (None, None)
    assert report.dropped == []


def test_findings_over_the_limit_are_dropped_not_the_reply():
    report = AgentReport.model_validate({"findings": [item(line=i + 1) for i in range(MAX_REPORT_FINDINGS + 2)]})
    assert [f.line for f in report.findings] == list(range(1, MAX_REPORT_FINDINGS + 1))
    assert [(d["line"], why) for d, why in report.dropped] == [
        (MAX_REPORT_FINDINGS + 1, f"over the limit of {MAX_REPORT_FINDINGS} findings in one reply"),
        (MAX_REPORT_FINDINGS + 2, f"over the limit of {MAX_REPORT_FINDINGS} findings in one reply")]


def test_a_reply_that_is_not_a_report_is_still_invalid():
    with pytest.raises(ValidationError):
        AgentReport.model_validate({"findings": "none today"})


def test_findings_take_category_and_agent_from_the_spec():
    report = AgentReport.model_validate({"findings": [item(rule_id=" sec-003 ", suggestion="q(sql, args)\n")]})
    [finding] = to_findings(report, SPEC)
    assert finding.category == Category.SECURITY and finding.agent == "security"
    assert (finding.path, finding.line, finding.end_line) == ("app/db.py", 10, None)
    assert finding.rule_id == "SEC-003"
    assert finding.suggestion == "q(sql, args)\n"
    assert finding.severity == Severity.IMPORTANT


def test_most_severe_are_kept_up_to_the_agent_limit():
    report = AgentReport.model_validate({"findings": [
        item(line=1, severity="note"), item(line=2, severity="suggestion"), item(line=3, severity="critical"),
        item(line=4, severity="important"), item(line=5, severity="critical"),
    ]})
    findings = to_findings(report, SPEC)
    assert [(f.line, f.severity.value) for f in findings] == [(3, "critical"), (5, "critical"), (4, "important")]


def test_values_are_normalised():
    report = AgentReport.model_validate({"findings": [
        item(path="./app/db.py", line=12, end_line=9),
        item(line=7, end_line=7, suggestion="   ", rule_id=""),
        item(line=0, end_line=4),
        item(title="   "),
    ]})
    findings = to_findings(report, SPEC.model_copy(update={"limits": AgentLimits(max_findings=10)}))
    assert [(f.path, f.line, f.end_line) for f in findings] == [
        ("app/db.py", 9, 12), ("app/db.py", 7, None), ("app/db.py", None, None),
    ]
    assert findings[1].suggestion is None and findings[1].rule_id is None


def test_an_empty_report_is_fine():
    assert to_findings(AgentReport(findings=[]), SPEC) == []


def test_validation_forgives_omitted_nullables_extra_keys_and_severity_words():
    report = AgentReport.model_validate(
        {"findings": [{"path": "a.py", "line": 3, "severity": "High", "title": "t", "confidence": 0.9},
                      {"path": "a.py", "line": 4, "severity": "LOW", "title": "u", "body": "b"}]}
    )
    first, second = report.findings
    assert (first.severity, first.end_line, first.rule_id, first.suggestion, first.body) == (
        Severity.IMPORTANT, None, None, None, "")
    assert second.severity is Severity.NOTE


def test_unknown_severity_drops_that_finding_only():
    report = AgentReport.model_validate({"findings": [{"path": "a.py", "line": 1, "severity": "loud", "title": "t"}]})
    assert report.findings == [] and len(report.dropped) == 1 and "severity" in report.dropped[0][1]


def test_a_finding_on_a_removed_line_keeps_the_old_side():
    report = AgentReport.model_validate(
        {"findings": [{"path": "a.py", "line": 7, "side": "old", "severity": "important", "title": "gone"},
                      {"path": "a.py", "line": 8, "severity": "suggestion", "title": "new side"}]}
    )
    assert [(f.line, f.side) for f in to_findings(report, SPEC)] == [(7, "old"), (8, "new")]
