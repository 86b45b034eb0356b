"""Evaluation reports: JSON, an aligned text table, a Markdown MR comment, and comparisons of two.

Every renderer reads the JSON shape (``to_json``), so a saved report renders like a fresh one.
Ratios are rounded to 4 decimals in JSON and shown with 2 in text and Markdown; None shows as "–".
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reviewer.evaluation.cases import Expected
from reviewer.evaluation.matching import Match, Reported
from reviewer.evaluation.metrics import CaseOutcome, EvalResult, Scores, Usage
from reviewer.models import Category
from reviewer.output.safe import strip_controls

__all__ = [
    "compare_json", "render_compare_markdown", "render_compare_text", "render_markdown", "render_text", "to_json",
]

NONE = "–"
_RATIOS = ("precision", "recall", "f1")
_COUNTS = ("tp", "fp", "fn")
_USAGE = ("model_calls", "prompt_tokens", "completion_tokens", "cost_usd", "seconds")

Report = EvalResult | Mapping[str, Any]
"""A scored result, or its JSON shape (e.g. read back from a saved report)."""


# ---------------------------------------------------------------- JSON


def to_json(result: EvalResult) -> dict[str, Any]:
    """The JSON shape of an evaluation (see the module docstring of ``metrics`` for the counting)."""
    usage = result.usage
    return {
        "cases": [_case_json(c) for c in result.cases],
        "categories": {c.value: _scores_json(result.categories.get(c, Scores())) for c in Category},
        "overall": _scores_json(result.overall),
        "clean": {
            "cases": result.clean.cases,
            "findings": result.clean.findings,
            "findings_per_case": _round(result.clean.findings_per_case),
        },
        "severity_agreement": {
            "matched": result.severity.matched,
            "agreeing": result.severity.agreeing,
            "share": _round(result.severity.share),
        },
        "tolerance": result.tolerance,
        "cross_category_allowed": result.cross_category,
        "cross_category": [
            {"case": name, **_match_json(m)} for name, m in result.cross_pairs
        ],
        "totals": {"cases": len(result.cases), "failed": len(result.failed), **_usage_json(usage)},
    }


def _case_json(case: CaseOutcome) -> dict[str, Any]:
    return {
        "name": case.name,
        "expected": case.expected,
        "reported": case.reported,
        "tp": case.tp,
        "fp": case.fp,
        "fn": case.fn,
        **_usage_json(case.usage),
        "error": case.error,
        "clean": case.clean,
        "matches": [_match_json(m) for m in case.matches],
        "missed": [_expected_json(e) for e in case.missed],
        "extra": [_reported_json(r) for r in case.extra],
    }


def _usage_json(usage: Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "model_calls": usage.model_calls,
        "cost_usd": round(usage.cost_usd, 6),
        "seconds": round(usage.seconds, 3),
    }


def _scores_json(s: Scores) -> dict[str, Any]:
    return {"tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": _round(s.precision),
            "recall": _round(s.recall), "f1": _round(s.f1)}


def _expected_json(e: Expected) -> dict[str, Any]:
    return {"path": e.path, "lines": list(e.lines), "category": e.category.value,
            "severity": e.severity.value, "rule_id": e.rule_id, "why": e.why}


def _reported_json(r: Reported) -> dict[str, Any]:
    return {"path": r.path, "lines": None if r.first is None else [r.first, r.last],
            "category": r.category.value, "severity": r.severity.value, "rule_id": r.rule_id,
            "title": r.title, "agent": r.agent}


def _match_json(m: Match) -> dict[str, Any]:
    return {
        "path": m.expected.path,
        "expected": _expected_json(m.expected),
        "reported": _reported_json(m.reported),
        "distance": m.distance,
        "severity_agrees": m.severity_agrees,
        "judged": m.judged,
        "cross": m.cross,
    }


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def _as_json(result: Report) -> Mapping[str, Any]:
    if isinstance(result, EvalResult):
        return to_json(result)
    if isinstance(result, Mapping):
        return result
    raise TypeError(f"not an evaluation result: {type(result).__name__}")


# ---------------------------------------------------------------- one evaluation


def render_text(result: Report) -> str:
    """A terminal report: a table per category and overall, then clean, severity and cost lines."""
    data = _as_json(result)
    header = ("CATEGORY", "TP", "FP", "FN", "PRECISION", "RECALL", "F1")
    rows = [_score_row(name, s) for name, s in _score_items(data)]
    out = [_headline(data), ""]
    out += _text_table([header], rows, left=1)
    out += ["", *_notes(data, _line, _line)]
    return "\n".join(out) + "\n"


def render_markdown(result: Report) -> str:
    """A Markdown report readable as a GitLab/GitHub merge request comment."""
    data = _as_json(result)
    out = ["### Review evaluation", "", _headline(data), ""]
    out += ["| Category | TP | FP | FN | Precision | Recall | F1 |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, s in _score_items(data):
        cells = _score_row(name, s)
        if name == "overall":
            cells = tuple(f"**{c}**" for c in cells)
        out.append("| " + " | ".join(cells) + " |")
    out += ["", *(f"- {line}" for line in _notes(data, _code_md, _inline_md))]
    cases = data.get("cases") or []
    if cases:
        out += ["", "<details><summary>Cases</summary>", "",
                "| Case | Expected | Reported | TP | FP | FN | Error |", "|---|---:|---:|---:|---:|---:|---|"]
        for c in cases:
            out.append(f"| {_cell(c['name'])} | {c['expected']} | {c['reported']} | {c['tp']} | {c['fp']} | "
                       f"{c['fn']} | {_cell(c.get('error') or NONE)} |")
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def _score_items(data: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    categories = data.get("categories") or {}
    return [*((c.value, categories.get(c.value) or {}) for c in Category), ("overall", data.get("overall") or {})]


def _score_row(name: str, s: Mapping[str, Any]) -> tuple[str, ...]:
    return (name, *(str(s.get(k, 0)) for k in _COUNTS), *(_ratio(s.get(k)) for k in _RATIOS))


def _headline(data: Mapping[str, Any]) -> str:
    totals = data.get("totals") or {}
    cases = totals.get("cases", len(data.get("cases") or []))
    clean = (data.get("clean") or {}).get("cases", 0)
    failed = totals.get("failed", 0)
    parts = [f"{clean} clean"] + ([f"{failed} failed"] if failed else [])
    line = f"{_plural(cases, 'case')} ({', '.join(parts)}) · lines matched within ±{data.get('tolerance', 0)}"
    if data.get("cross_category_allowed"):
        line += " · cross-category matches accepted"
    return line


def _notes(data: Mapping[str, Any], code: Callable[[str], str], text: Callable[[str], str]) -> list[str]:
    """The lines under the table: clean cases, severity, cross-category pairs, failures, cost."""
    clean = data.get("clean") or {}
    severity = data.get("severity_agreement") or {}
    out = [
        f"Clean cases: {_plural(clean.get('findings', 0), 'finding')} on {_plural(clean.get('cases', 0), 'case')} "
        f"({_ratio(clean.get('findings_per_case'))} per case)",
        f"Severity agreement: {severity.get('agreeing', 0)} of {_plural(severity.get('matched', 0), 'match', 'es')} "
        f"({_ratio(severity.get('share'))})",
    ]
    cross = data.get("cross_category") or []
    if cross:
        judged = sum(1 for p in cross if p.get("judged"))
        out.append(f"Cross-category matches: {len(cross)} ({judged} judged)")
    for c in data.get("cases") or []:
        if c.get("error"):
            out.append(f"Failed (not counted): {code(c['name'])}: {text(c['error'])}")
    out.append(f"Totals: {_usage_line(data.get('totals') or {})}")
    return out


def _usage_line(totals: Mapping[str, Any]) -> str:
    return (f"{totals.get('prompt_tokens', 0):,} prompt + {totals.get('completion_tokens', 0):,} completion tokens"
            f" · {_plural(totals.get('model_calls', 0), 'model call')} · ${totals.get('cost_usd', 0.0):.4f}"
            f" · {totals.get('seconds', 0.0):.2f}s")


# ---------------------------------------------------------------- comparison


def compare_json(a: Report, b: Report) -> dict[str, Any]:
    """Both summaries and ``diff`` (b − a) of every ratio and count; Δ is None where a side is."""
    ja, jb = _as_json(a), _as_json(b)
    categories_a, categories_b = ja.get("categories") or {}, jb.get("categories") or {}
    diff = {
        "categories": {c.value: _scores_delta(categories_a.get(c.value) or {}, categories_b.get(c.value) or {})
                       for c in Category},
        "overall": _scores_delta(ja.get("overall") or {}, jb.get("overall") or {}),
        "clean": {
            "findings": _delta(_get(ja, "clean", "findings"), _get(jb, "clean", "findings")),
            "findings_per_case": _delta(_get(ja, "clean", "findings_per_case"), _get(jb, "clean", "findings_per_case")),
        },
        "severity_agreement": {
            "share": _delta(_get(ja, "severity_agreement", "share"), _get(jb, "severity_agreement", "share")),
        },
        "totals": {k: _delta(_get(ja, "totals", k), _get(jb, "totals", k)) for k in _USAGE},
    }
    return {"a": _summary(ja), "b": _summary(jb), "diff": diff, "warnings": _compare_warnings(ja, jb)}


def render_compare_text(a: Report, b: Report, *, labels: Sequence[str] = ("a", "b")) -> str:
    """Two evaluations side by side: a | b | Δ for each ratio, then for each count, per category."""
    ja, jb = _as_json(a), _as_json(b)
    la, lb = (_line(x) for x in labels)
    groups = [("PRECISION", "precision"), ("RECALL", "recall"), ("F1", "f1")]
    out = [f"Comparison: {la} → {lb}", f"{la}: {_headline(ja)}", f"{lb}: {_headline(jb)}", ""]
    out += _compare_table_text(ja, jb, groups, la, lb)
    out.append("")
    out += _compare_table_text(ja, jb, [("TP", "tp"), ("FP", "fp"), ("FN", "fn")], la, lb)
    out += ["", *_compare_notes(ja, jb, la, lb, _line)]
    return "\n".join(out) + "\n"


def render_compare_markdown(a: Report, b: Report, *, labels: Sequence[str] = ("a", "b")) -> str:
    """Two evaluations side by side as Markdown tables (a | b | Δ per category)."""
    ja, jb = _as_json(a), _as_json(b)
    la, lb = (_cell(x) for x in labels)
    out = ["### Review evaluation: comparison", "", f"- **{la}**: {_headline(ja)}", f"- **{lb}**: {_headline(jb)}", ""]
    for keys in (_RATIOS, _COUNTS):
        names = [{"f1": "F1"}.get(k, k.capitalize() if k in _RATIOS else k.upper()) for k in keys]
        out.append("| Category | " + " | ".join(f"{n} {la} | {n} {lb} | Δ" for n in names) + " |")
        out.append("|---|" + "---:|" * (3 * len(keys)))
        for name, sa, sb in _paired_scores(ja, jb):
            cells = [c for k in keys for c in _triple(sa.get(k), sb.get(k), ratio=k in _RATIOS)]
            if name == "overall":
                cells, name = [f"**{c}**" for c in cells], "**overall**"
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("")
    out += [f"- {line}" for line in _compare_notes(ja, jb, la, lb, _inline_md)]
    return "\n".join(out) + "\n"


def _summary(data: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("categories", "overall", "clean", "severity_agreement", "tolerance", "cross_category_allowed", "totals")
    return {k: data[k] for k in keys if k in data}


def _scores_delta(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _delta(a.get(k), b.get(k)) for k in (*_COUNTS, *_RATIOS)}


def _delta(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    d = b - a
    return d if isinstance(d, int) else round(d, 4)


def _get(data: Mapping[str, Any], section: str, key: str) -> Any:
    return (data.get(section) or {}).get(key)


def _compare_warnings(a: Mapping[str, Any], b: Mapping[str, Any], la: str = "a", lb: str = "b") -> list[str]:
    """What makes the two evaluations not strictly comparable."""
    out = []
    if a.get("tolerance") != b.get("tolerance"):
        out.append(f"line tolerance differs: {a.get('tolerance')} vs {b.get('tolerance')}")
    if bool(a.get("cross_category_allowed")) != bool(b.get("cross_category_allowed")):
        out.append("cross-category matching differs")
    names_a = {c["name"] for c in a.get("cases") or []}
    names_b = {c["name"] for c in b.get("cases") or []}
    if names_a and names_b and names_a != names_b:
        only_a, only_b = sorted(names_a - names_b), sorted(names_b - names_a)
        if only_a:
            out.append(f"cases only in {la}: {', '.join(only_a)}")
        if only_b:
            out.append(f"cases only in {lb}: {', '.join(only_b)}")
    for side, data in ((la, a), (lb, b)):
        failed = _get(data, "totals", "failed")
        if failed:
            out.append(f"{_plural(failed, 'case')} failed in {side} (not counted)")
    return out


def _paired_scores(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[tuple[str, Mapping, Mapping]]:
    return [(name, sa, sb) for (name, sa), (_, sb) in zip(_score_items(a), _score_items(b))]


def _triple(a: Any, b: Any, *, ratio: bool) -> tuple[str, str, str]:
    """a, b and Δ formatted."""
    fmt = _ratio if ratio else (lambda v: NONE if v is None else str(v))
    return fmt(a), fmt(b), _signed(_delta(a, b), ratio=ratio)


def _compare_table_text(a: Mapping[str, Any], b: Mapping[str, Any], groups: list[tuple[str, str]],
                        la: str, lb: str) -> list[str]:
    """A text table with a group header over each a | b | Δ triple."""
    labels = ("CATEGORY", *(x for _ in groups for x in (la, lb, "Δ")))
    rows = [(name, *(c for _, k in groups for c in _triple(sa.get(k), sb.get(k), ratio=k in _RATIOS)))
            for name, sa, sb in _paired_scores(a, b)]
    widths = [max(len(r[i]) for r in [labels, *rows]) for i in range(len(labels))]
    for g, (title, _) in enumerate(groups):  # widen a group whose title is longer than its columns
        cols = slice(1 + 3 * g, 4 + 3 * g)
        short = len(title) - (sum(widths[cols]) + 2 * 2)
        if short > 0:
            widths[3 + 3 * g] += short
    group_line = "".ljust(widths[0])
    for g, (title, _) in enumerate(groups):
        span = sum(widths[1 + 3 * g: 4 + 3 * g]) + 2 * 2
        group_line += "   " + title.rjust(span)
    return [group_line.rstrip(), *_format_rows([labels, *rows], widths, left=1, gap_every=3)]


def _compare_notes(a: Mapping[str, Any], b: Mapping[str, Any], la: str, lb: str,
                   text: Callable[[str], str]) -> list[str]:
    """The lines under the comparison tables: clean, severity, cost, warnings."""
    fpc = (_get(a, "clean", "findings_per_case"), _get(b, "clean", "findings_per_case"))
    share = (_get(a, "severity_agreement", "share"), _get(b, "severity_agreement", "share"))
    cost = (_get(a, "totals", "cost_usd"), _get(b, "totals", "cost_usd"))
    secs = (_get(a, "totals", "seconds"), _get(b, "totals", "seconds"))
    out = [
        f"Clean findings per case: {la} {_ratio(fpc[0])} · {lb} {_ratio(fpc[1])} · Δ {_signed(_delta(*fpc))}",
        f"Severity agreement: {la} {_ratio(share[0])} · {lb} {_ratio(share[1])} · Δ {_signed(_delta(*share))}",
        f"Cost: {la} {_money(cost[0])} · {lb} {_money(cost[1])} · "
        f"time: {la} {_seconds(secs[0])} · {lb} {_seconds(secs[1])}",
    ]
    out += [f"Warning: {text(w)}" for w in _compare_warnings(a, b, la, lb)]
    return out


# ---------------------------------------------------------------- formatting


def _text_table(headers: list[tuple[str, ...]], rows: list[tuple[str, ...]], *, left: int) -> list[str]:
    all_rows = [*headers, *rows]
    widths = [max(len(r[i]) for r in all_rows) for i in range(len(all_rows[0]))]
    return _format_rows(all_rows, widths, left=left)


def _format_rows(rows: list[tuple[str, ...]], widths: list[int], *, left: int, gap_every: int = 0) -> list[str]:
    """Rows with the first ``left`` columns left-aligned, the rest right-aligned."""
    out = []
    for row in rows:
        line = ""
        for i, (cell, width) in enumerate(zip(row, widths)):
            if i:
                line += "   " if gap_every and (i - left) % gap_every == 0 else "  "
            line += cell.ljust(width) if i < left else cell.rjust(width)
        out.append(line.rstrip())
    return out


def _ratio(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f}"


def _signed(value: float | int | None, *, ratio: bool = True) -> str:
    if value is None:
        return NONE
    if ratio:
        text = f"{value:+.2f}"
        return text[1:] if text in ("+0.00", "-0.00") else text
    return f"{value:+d}" if value else "0"


def _money(value: float | None) -> str:
    return NONE if value is None else f"${value:.4f}"


def _seconds(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f}s"


def _plural(n: int, word: str, suffix: str = "s") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}{suffix}"


def _line(text: str) -> str:
    """One safe line of plain text."""
    return " ".join(strip_controls(str(text)).split())


def _inline_md(text: str) -> str:
    """One line of plain text for Markdown, HTML-escaped."""
    return html.escape(_line(text), quote=False)


def _code_md(text: str) -> str:
    return "`" + _line(text).replace("`", "'") + "`"


def _cell(text: str) -> str:
    """Plain text safe inside a Markdown table cell."""
    return _inline_md(text).replace("|", "\\|")
