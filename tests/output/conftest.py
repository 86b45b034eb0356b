"""A review result with one of everything the reports must show."""

from __future__ import annotations

import pytest

from reviewer.models import (
    AgentRun,
    Category,
    Finding,
    NotReviewed,
    ReviewResult,
    RiskAssessment,
    RiskTier,
    Severity,
)


def finding(severity: str, category: str, path: str = "src/app.py", line: int | None = 10, **kw) -> Finding:
    """A finding with sensible defaults for report tests."""
    return Finding(
        path=path,
        line=line,
        severity=Severity(severity),
        category=Category(category),
        title=kw.pop("title", f"{severity} {category} finding"),
        agent=kw.pop("agent", category),
        **kw,
    )


@pytest.fixture
def sample_result() -> ReviewResult:
    """Findings of every severity, a file-level finding, ok/failed/skipped agents, skipped files."""
    return ReviewResult(
        risk=RiskAssessment(
            tier=RiskTier.FULL,
            reasons=[
                "security-sensitive path: src/auth/login.py (matches **/auth/**)",
                "3 files, 42 changed lines (≤100 lines, ≤20 files) → light by size, raised to full",
            ],
        ),
        findings=[
            finding("note", "docs", "docs/guide.md", 4, title="Typo in heading"),
            finding("suggestion", "performance", "src/app.py", 30, title="Query in a loop"),
            finding(
                "critical", "security", "src/auth/login.py", 12, end_line=14, rule_id="SEC-003",
                title="User input reaches a SQL string",
                body="The query is built with an f-string.\nUse bound parameters.",
                suggestion='cur.execute("SELECT * FROM users WHERE name = %s", (name,))',
                fingerprint="fp-sec-003",
            ),
            finding("important", "quality", "src/app.py", 22, title="Exception swallowed", rule_id="ERR-001"),
            finding("important", "security", "src/app.py", 8, title="Token logged", rule_id="SEC-010"),
        ],
        file_findings=[
            finding("important", "docs", "README.md", None, rule_id="DOC-002", title="README not updated",
                    body="The new `--fail-on` flag is not documented.", fingerprint="fp-doc-002"),
        ],
        agents=[
            AgentRun(name="security", model="openai/gpt-4o-mini", status="ok", prompt_tokens=12345,
                     completion_tokens=321, cost_usd=0.0021, seconds=3.25, calls=2),
            AgentRun(name="quality", model="openai/gpt-4o-mini", status="failed",
                     error="invalid JSON after the repair attempt", seconds=1.5, calls=2),
            AgentRun(name="docs", model=None, status="skipped", error="no model configured"),
        ],
        not_reviewed=[
            NotReviewed(path="package-lock.json", reason="lock file"),
            NotReviewed(path="src/huge.py", reason="over the token budget"),
        ],
        notices=["No model configured: the model agents were skipped. Set REVIEWER_MODEL."],
        head_sha="0123456789abcdef",
    )
