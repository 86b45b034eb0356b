"""Markdown report: labels, counts table, details, suggestions, escaping."""

from __future__ import annotations

from reviewer.models import ReviewResult, RiskAssessment, RiskTier
from reviewer.output.markdown import render_markdown
from tests.output.conftest import finding


def _one(**kw) -> str:
    result = ReviewResult(risk=RiskAssessment(tier=RiskTier.LIGHT), findings=[finding("note", "docs", **kw)])
    return render_markdown(result)


def test_heading_reasons_notice(sample_result) -> None:
    md = render_markdown(sample_result)
    assert md.startswith("## Review: full risk\n\n- security-sensitive path: src/auth/login.py (matches **/auth/**)\n")
    assert "> ⚠️ No model configured: the model agents were skipped. Set REVIEWER_MODEL." in md


def test_counts_table_by_severity_and_category(sample_result) -> None:
    lines = render_markdown(sample_result).splitlines()
    start = lines.index("### Summary") + 2
    assert lines[start:start + 7] == [
        "| Severity | Security | Code Quality | Documentation | Performance | Total |",
        "|---|---:|---:|---:|---:|---:|",
        "| 🔴 Critical | 1 | 0 | 0 | 0 | 1 |",
        "| 🟠 Important | 1 | 1 | 1 | 0 | 3 |",
        "| 🟡 Suggestion | 0 | 0 | 0 | 1 | 1 |",
        "| 🔵 Optional Note | 0 | 0 | 1 | 0 | 1 |",
        "| **Total** | 2 | 1 | 2 | 1 | **6** |",
    ]


def test_finding_label_and_suggestion_fence(sample_result) -> None:
    md = render_markdown(sample_result)
    assert "**🔴 Critical · Security · SEC-003** — `src/auth/login.py:12-14`" in md
    assert "**🟡 Suggestion · Performance** — `src/app.py:30`" in md
    assert '```\ncur.execute("SELECT * FROM users WHERE name = %s", (name,))\n```' in md
    findings, file_level = md.split("### File-level findings")
    assert findings.index("#### 🔴 Critical") < findings.index("#### 🟠 Important") < findings.index("#### 🔵")
    assert "**🟠 Important · Documentation · DOC-002** — `README.md`" in file_level.split("### Agents")[0]


def test_agents_and_not_reviewed(sample_result) -> None:
    md = render_markdown(sample_result)
    assert "| security | openai/gpt-4o-mini | ok | 12,345 / 321 | $0.0021 | 3.2s | — |" in md
    assert "| quality | openai/gpt-4o-mini | failed | 0 / 0 | $0.0000 | 1.5s | invalid JSON after the repair attempt |" in md
    assert "| docs | — | skipped |" in md
    assert md.endswith("- `package-lock.json`: lock file\n- `src/huge.py`: over the token budget\n")


def test_long_body_folds_into_details() -> None:
    md = _one(body="\n".join(f"line {i}" for i in range(12)))
    assert "<details><summary>Details</summary>\n\nline 0\n" in md and "line 11\n\n</details>" in md
    assert "<details>" not in _one(body="short")


def test_html_escaped_outside_code_only() -> None:
    md = _one(title="<img src=x onerror=alert(1)>", body="Use `a<b` here, not <script>x</script>\n```\nif a<b:\n```")
    assert "**&lt;img src=x onerror=alert(1)&gt;**" in md
    assert "Use `a<b` here, not &lt;script>x&lt;/script>" in md
    assert "```\nif a<b:\n```" in md and "<script>" not in md


def test_unclosed_fence_in_body_is_closed() -> None:
    md = _one(body="look:\n```python\nx = 1")
    assert "```python\nx = 1\n```\n\n<sub>docs</sub>" in md


def test_suggestion_with_backticks_gets_a_longer_fence() -> None:
    md = _one(suggestion="s = '```'")
    assert "````\ns = '```'\n````" in md


def test_pipes_in_table_cells_are_escaped(sample_result) -> None:
    sample_result.agents[1].error = "bad | worse"
    assert "| bad \\| worse |" in render_markdown(sample_result)
