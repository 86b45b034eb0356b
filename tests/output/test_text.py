"""Terminal report: grouping order, finding lines, agents table, safety."""

from __future__ import annotations

from reviewer.models import ReviewResult, RiskAssessment, RiskTier
from reviewer.output.text import render_text
from tests.output.conftest import finding


def test_header_has_tier_reasons_and_notices(sample_result) -> None:
    lines = render_text(sample_result).splitlines()
    assert lines[:3] == [
        "Risk: full",
        "  - security-sensitive path: src/auth/login.py (matches **/auth/**)",
        "  - 3 files, 42 changed lines (≤100 lines, ≤20 files) → light by size, raised to full",
    ]
    assert "  ! No model configured: the model agents were skipped. Set REVIEWER_MODEL." in lines
    assert "Findings: 5 inline, 1 file-level (1 critical, 3 important, 1 suggestion, 1 note)" in lines


def test_groups_by_severity_then_category(sample_result) -> None:
    inline = render_text(sample_result).split("File-level findings")[0]
    order = [inline.index(h) for h in ("🔴 Critical", "🟠 Important", "🟡 Suggestion", "🔵 Optional Note")]
    assert order == sorted(order)
    important = inline[inline.index("🟠 Important"):inline.index("🟡 Suggestion")]
    assert important.index("  Security") < important.index("  Code Quality")
    assert important.index("src/app.py:8 [SEC-010] Token logged") < important.index("src/app.py:22 [ERR-001]")


def test_finding_lines_body_and_indented_suggestion(sample_result) -> None:
    text = render_text(sample_result)
    block = text[text.index("src/auth/login.py:12-14"):].splitlines()[:6]
    assert block == [
        "src/auth/login.py:12-14 [SEC-003] User input reaches a SQL string",
        "      The query is built with an f-string.",
        "      Use bound parameters.",
        "      Suggested change:",
        '        cur.execute("SELECT * FROM users WHERE name = %s", (name,))',
        "      (security)",
    ]


def test_file_level_findings_have_no_line(sample_result) -> None:
    tail = render_text(sample_result).split("File-level findings")[1]
    assert "    README.md [DOC-002] README not updated" in tail.splitlines()


def test_agents_table_and_not_reviewed(sample_result) -> None:
    lines = render_text(sample_result).splitlines()
    table = lines[lines.index("Agents") + 1:lines.index("Agents") + 5]
    assert table[0].split() == ["NAME", "MODEL", "STATUS", "TOKENS", "IN/OUT", "COST", "TIME", "ERROR"]
    assert table[1].split() == ["security", "openai/gpt-4o-mini", "ok", "12,345/321", "$0.0021", "3.2s", "-"]
    assert table[2].split()[:3] == ["quality", "openai/gpt-4o-mini", "failed"]
    assert table[2].endswith("invalid JSON after the repair attempt")
    assert table[3].split()[:3] == ["docs", "-", "skipped"] and table[3].endswith("no model configured")
    assert lines[-2:] == ["  package-lock.json: lock file", "  src/huge.py: over the token budget"]


def test_no_ansi_without_color_and_coloured_with_it(sample_result) -> None:
    assert "\x1b" not in render_text(sample_result)
    coloured = render_text(sample_result, color=True)
    assert "\x1b[1;31m🔴 Critical\x1b[0m" in coloured
    assert "\x1b[31m  quality" in coloured


def test_model_text_cannot_inject_terminal_escapes() -> None:
    result = ReviewResult(
        risk=RiskAssessment(tier=RiskTier.LIGHT),
        findings=[finding("note", "docs", title="a\x1b[2Jb\rc", body="x\x1b]0;pwned\x07y\u202ez")],
    )
    text = render_text(result)
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text
    assert "[2Jbc" in text and "]0;pwnedyz" in text


def test_empty_result_says_no_findings() -> None:
    text = render_text(ReviewResult(risk=RiskAssessment(tier=RiskTier.TRIVIAL, reasons=["no changed files → trivial"])))
    assert text == "Risk: trivial\n  - no changed files → trivial\n\nNo findings.\n"
