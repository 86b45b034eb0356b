"""Evaluation reports: the JSON shape, the text and Markdown tables, and comparisons."""

import json

import pytest

from reviewer.evaluation.matching import match_findings
from reviewer.evaluation.metrics import CaseOutcome, Usage, score
from reviewer.evaluation.report import (
    compare_json, render_compare_markdown, render_compare_text, render_markdown, render_text, to_json,
)
from tests.evaluation.factories import exp, rep

CATEGORIES = ["security", "quality", "codex", "docs", "performance", "release"]


def sample(*, cross: bool = False, tolerance: int = 3):
    """orders: 1 TP (security), 1 FP (quality), 1 FN (docs); clean: 1 FP (docs); broken: failed."""
    orders = CaseOutcome.from_match(
        "orders",
        match_findings([exp(lines=[10, 12], category="security", severity="important"),
                        exp(path="README.md", lines=[30, 30], category="docs")],
                       [rep(first=11, category="security", severity="critical"),
                        rep(first=50, category="quality")], tolerance=tolerance, cross_category=cross),
        Usage(4, 1000, 200, 0.0123, 12.5),
    )
    clean = CaseOutcome.from_match("clean", match_findings([], [rep(path="a.md", first=None, category="docs")]),
                                   Usage(2, 500, 100, 0.01, 3.0))
    broken = CaseOutcome.failed("broken", "git: bad <bundle> | x", expected=2)
    return score([orders, clean, broken], tolerance=tolerance, cross_category=cross)


def test_json_shape_and_values():
    data = to_json(sample())
    assert json.loads(json.dumps(data)) == data
    assert [c["name"] for c in data["cases"]] == ["orders", "clean", "broken"]
    orders = data["cases"][0]
    assert {k: orders[k] for k in ("name", "expected", "reported", "tp", "fp", "fn", "prompt_tokens",
                                   "completion_tokens", "model_calls", "cost_usd", "seconds", "error")} == {
        "name": "orders", "expected": 2, "reported": 2, "tp": 1, "fp": 1, "fn": 1, "prompt_tokens": 1000,
        "completion_tokens": 200, "model_calls": 4, "cost_usd": 0.0123, "seconds": 12.5, "error": None}
    assert data["cases"][2]["error"] == "git: bad <bundle> | x"
    assert (data["cases"][2]["expected"], data["cases"][2]["reported"]) == (2, 0)
    assert list(data["categories"]) == CATEGORIES
    assert data["categories"]["security"] == {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert data["categories"]["quality"] == {"tp": 0, "fp": 1, "fn": 0, "precision": 0.0, "recall": None, "f1": None}
    assert data["categories"]["docs"] == {"tp": 0, "fp": 1, "fn": 1, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert data["categories"]["codex"] == {"tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None, "f1": None}
    assert data["overall"] == {"tp": 1, "fp": 2, "fn": 1, "precision": 0.3333, "recall": 0.5, "f1": 0.4}
    assert data["clean"] == {"cases": 1, "findings": 1, "findings_per_case": 1.0}
    assert data["severity_agreement"] == {"matched": 1, "agreeing": 1, "share": 1.0}
    assert (data["tolerance"], data["cross_category_allowed"], data["cross_category"]) == (3, False, [])
    assert data["totals"] == {"cases": 3, "failed": 1, "prompt_tokens": 1500, "completion_tokens": 300,
                              "model_calls": 6, "cost_usd": 0.0223, "seconds": 15.5}


def test_json_case_details():
    orders = to_json(sample())["cases"][0]
    [match] = orders["matches"]
    assert (match["path"], match["distance"], match["severity_agrees"], match["judged"], match["cross"]) == (
        "app/db.py", 0, True, False, False)
    assert match["expected"]["lines"] == [10, 12] and match["reported"]["lines"] == [11, 11]
    assert [(m["path"], m["lines"], m["category"]) for m in orders["missed"]] == [("README.md", [30, 30], "docs")]
    assert [(e["lines"], e["category"]) for e in orders["extra"]] == [([50, 50], "quality")]
    clean = to_json(sample())["cases"][1]
    assert (clean["clean"], clean["extra"][0]["lines"]) == (True, None)


def test_json_lists_cross_category_pairs():
    result = score([CaseOutcome.from_match(
        "c", match_findings([exp(category="security")], [rep(category="quality")], cross_category=True))],
        cross_category=True)
    data = to_json(result)
    assert data["cross_category_allowed"] is True
    [pair] = data["cross_category"]
    assert (pair["case"], pair["expected"]["category"], pair["reported"]["category"], pair["cross"]) == (
        "c", "security", "quality", True)
    assert data["categories"]["security"]["tp"] == 1


def test_text_report():
    text = render_text(sample())
    lines = text.splitlines()
    assert lines[0] == "3 cases (1 clean, 1 failed) · lines matched within ±3"
    table = lines[2:10]
    assert table == [
        "CATEGORY     TP  FP  FN  PRECISION  RECALL    F1",
        "security      1   0   0       1.00    1.00  1.00",
        "quality       0   1   0       0.00       –     –",
        "codex         0   0   0          –       –     –",
        "docs          0   1   1       0.00    0.00  0.00",
        "performance   0   0   0          –       –     –",
        "release       0   0   0          –       –     –",
        "overall       1   2   1       0.33    0.50  0.40",
    ]
    assert lines[11:] == [
        "Clean cases: 1 finding on 1 case (1.00 per case)",
        "Severity agreement: 1 of 1 match (1.00)",
        "Failed (not counted): broken: git: bad <bundle> | x",
        "Totals: 1,500 prompt + 300 completion tokens · 6 model calls · $0.0223 · 15.50s",
    ]


def test_text_report_mentions_cross_category_matches():
    result = score([CaseOutcome.from_match(
        "c", match_findings([exp(category="security")], [rep(category="quality")], judge=lambda e, r: True))])
    text = render_text(result)
    assert "Cross-category matches: 1 (1 judged)" in text.splitlines()


def test_markdown_report():
    md = render_markdown(sample())
    lines = md.splitlines()
    assert lines[0] == "### Review evaluation"
    assert "| Category | TP | FP | FN | Precision | Recall | F1 |" in lines
    assert "| security | 1 | 0 | 0 | 1.00 | 1.00 | 1.00 |" in lines
    assert "| quality | 0 | 1 | 0 | 0.00 | – | – |" in lines
    assert "| **overall** | **1** | **2** | **1** | **0.33** | **0.50** | **0.40** |" in lines
    assert "- Clean cases: 1 finding on 1 case (1.00 per case)" in lines
    assert "- Failed (not counted): `broken`: git: bad &lt;bundle&gt; | x" in lines
    assert "| broken | 2 | 0 | 0 | 0 | 0 | git: bad &lt;bundle&gt; \\| x |" in lines
    assert "| orders | 2 | 2 | 1 | 1 | 1 | – |" in lines


def test_a_saved_report_renders_like_the_result():
    result = sample()
    saved = json.loads(json.dumps(to_json(result)))
    assert render_text(saved) == render_text(result)
    assert render_markdown(saved) == render_markdown(result)


def test_rendering_something_else_is_an_error():
    with pytest.raises(TypeError, match="not an evaluation result"):
        render_text([1, 2])


def better():
    """orders with the docs finding found too, and no noise on the clean case."""
    orders = CaseOutcome.from_match(
        "orders",
        match_findings([exp(lines=[10, 12], category="security", severity="important"),
                        exp(path="README.md", lines=[30, 30], category="docs")],
                       [rep(first=11, category="security", severity="suggestion"),
                        rep(path="README.md", first=31, category="docs")]),
        Usage(3, 800, 100, 0.02, 10.0),
    )
    clean = CaseOutcome.from_match("clean", match_findings([], []), Usage(1, 100, 10, 0.005, 1.0))
    broken = CaseOutcome.failed("broken", "still broken", expected=2)
    return score([orders, clean, broken], tolerance=5)


def test_compare_json():
    data = compare_json(sample(), better())
    assert set(data) == {"a", "b", "diff", "warnings"}
    assert data["a"]["overall"] == {"tp": 1, "fp": 2, "fn": 1, "precision": 0.3333, "recall": 0.5, "f1": 0.4}
    assert data["b"]["overall"] == {"tp": 2, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert data["diff"]["overall"] == {"tp": 1, "fp": -2, "fn": -1, "precision": 0.6667, "recall": 0.5, "f1": 0.6}
    assert data["diff"]["categories"]["docs"] == {"tp": 1, "fp": -1, "fn": -1, "precision": 1.0, "recall": 1.0,
                                                  "f1": 1.0}
    assert data["diff"]["categories"]["quality"] == {"tp": 0, "fp": -1, "fn": 0, "precision": None,
                                                     "recall": None, "f1": None}
    assert data["diff"]["categories"]["security"]["f1"] == 0.0
    assert list(data["diff"]["categories"]) == CATEGORIES
    assert data["diff"]["clean"] == {"findings": -1, "findings_per_case": -1.0}
    assert data["diff"]["severity_agreement"] == {"share": -0.5}  # 1 of 1 → 1 of 2
    assert data["diff"]["totals"]["prompt_tokens"] == -600
    assert data["warnings"] == ["line tolerance differs: 3 vs 5", "1 case failed in a (not counted)",
                                "1 case failed in b (not counted)"]


def test_compare_json_notes_different_case_sets():
    only_clean = score([CaseOutcome.from_match("clean", match_findings([], []))])
    warnings = compare_json(sample(), only_clean)["warnings"]
    assert "cases only in a: broken, orders" in warnings


def test_compare_text():
    text = render_compare_text(sample(), better(), labels=("main", "mr"))
    lines = text.splitlines()
    assert lines[0] == "Comparison: main → mr"
    assert lines[1] == "main: 3 cases (1 clean, 1 failed) · lines matched within ±3"
    ratios = lines[4:13]
    assert ratios[1].split() == ["CATEGORY", "main", "mr", "Δ", "main", "mr", "Δ", "main", "mr", "Δ"]
    assert ratios[0].split() == ["PRECISION", "RECALL", "F1"]
    assert ratios[3].split() == ["quality", "0.00", "–", "–", "–", "–", "–", "–", "–", "–"]
    assert ratios[5].split() == ["docs", "0.00", "1.00", "+1.00", "0.00", "1.00", "+1.00", "0.00", "1.00", "+1.00"]
    assert ratios[8].split() == ["overall", "0.33", "1.00", "+0.67", "0.50", "1.00", "+0.50", "0.40", "1.00", "+0.60"]
    widths = {len(line) for line in ratios[1:]}
    assert len(widths) == 1  # aligned
    counts = lines[14:23]
    assert counts[0].split() == ["TP", "FP", "FN"]
    assert counts[8].split() == ["overall", "1", "2", "+1", "2", "0", "-2", "1", "0", "-1"]
    assert "Severity agreement: main 1.00 · mr 0.50 · Δ -0.50" in lines
    assert "Warning: line tolerance differs: 3 vs 5" in lines
    assert "Warning: 1 case failed in mr (not counted)" in lines


def test_compare_markdown():
    md = render_compare_markdown(sample(), better())
    lines = md.splitlines()
    assert lines[0] == "### Review evaluation: comparison"
    assert ("| Category | Precision a | Precision b | Δ | Recall a | Recall b | Δ | F1 a | F1 b | Δ |") in lines
    assert "| docs | 0.00 | 1.00 | +1.00 | 0.00 | 1.00 | +1.00 | 0.00 | 1.00 | +1.00 |" in lines
    assert "| security | 1.00 | 1.00 | 0.00 | 1.00 | 1.00 | 0.00 | 1.00 | 1.00 | 0.00 |" in lines
    assert "| Category | TP a | TP b | Δ | FP a | FP b | Δ | FN a | FN b | Δ |" in lines
    assert "| **overall** | **1** | **2** | **+1** | **2** | **0** | **-2** | **1** | **0** | **-1** |" in lines
    assert "- Warning: line tolerance differs: 3 vs 5" in lines


def test_compare_accepts_saved_reports():
    a, b = sample(), better()
    saved_a, saved_b = to_json(a), json.loads(json.dumps(to_json(b)))
    assert compare_json(saved_a, saved_b) == compare_json(a, b)
    assert render_compare_markdown(saved_a, saved_b) == render_compare_markdown(a, b)
