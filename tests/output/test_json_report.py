"""The JSON report is exactly the documented shape."""

from __future__ import annotations

import json

from reviewer.models import ReviewResult, RiskAssessment, RiskTier
from reviewer.output.json_report import render_json
from tests.output.conftest import finding

FINDING_KEYS = ["path", "line", "end_line", "severity", "category", "rule_id", "title", "body", "suggestion",
                "agent", "fingerprint"]
AGENT_KEYS = {"name", "model", "status", "error", "prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd", "context",
              "seconds"}


def test_exact_documented_keys(sample_result) -> None:
    data = json.loads(render_json(sample_result))
    assert list(data) == ["risk", "findings", "file_findings", "agents", "not_reviewed", "model_review", "dropped"]
    assert data["risk"] == {"tier": "full", "reasons": sample_result.risk.reasons}
    assert all(list(f) == FINDING_KEYS for f in data["findings"])
    assert all(list(f) == [k for k in FINDING_KEYS if k not in ("line", "end_line")] for f in data["file_findings"])
    assert all(set(a) == AGENT_KEYS for a in data["agents"])
    assert data["not_reviewed"] == [{"path": "package-lock.json", "reason": "lock file"},
                                    {"path": "src/huge.py", "reason": "over the token budget"}]


def test_values_and_enums(sample_result) -> None:
    data = json.loads(render_json(sample_result))
    assert {f["severity"] for f in data["findings"]} == {"critical", "important", "suggestion", "note"}
    assert [a["status"] for a in data["agents"]] == ["ok", "failed", "skipped"]
    sec = next(f for f in data["findings"] if f["rule_id"] == "SEC-003")
    assert (sec["line"], sec["end_line"], sec["category"], sec["fingerprint"]) == (12, 14, "security", "fp-sec-003")
    assert data["agents"][1]["error"] == "invalid JSON after the repair attempt"
    assert data == sample_result.to_public()


def test_utf8_indented_trailing_newline() -> None:
    result = ReviewResult(risk=RiskAssessment(tier=RiskTier.LIGHT, reasons=["≤100 lines"]),
                          findings=[finding("note", "docs", title="Größe")])
    text = render_json(result)
    assert text.endswith("}\n") and '\n  "risk": {' in text
    assert "Größe" in text and "≤100" in text and not text.startswith("\ufeff")
