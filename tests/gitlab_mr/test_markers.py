"""Hidden markers: round trips, robustness, and which marker is trusted."""

from __future__ import annotations

import json

from reviewer.gitlab_mr import markers
from reviewer.gitlab_mr.comments import render_finding
from tests.gitlab_mr.test_publish import finding


def test_finding_marker_round_trip_has_no_comment_terminators():
    payload = markers.FindingMarker(fp="abc", sev="critical", cat="security", rule="SEC-003",
                                    anchor="x = '-->' -- y", title="t")
    text = markers.encode("finding", payload)
    inner = text[len("<!-- "):-len(" -->")]
    assert "--" not in inner and ">" not in inner
    assert markers.finding_marker(f"body\n\n{text}") == payload


def test_plain_json_payload_is_accepted_and_garbage_ignored():
    assert markers.finding_marker('<!-- reviewer:finding {"fp": "p", "sev": "note"} -->').fp == "p"
    assert markers.find_markers("<!-- reviewer:finding %%%not-base64 -->") == []
    assert markers.finding_marker('<!-- reviewer:finding {"sev": "note"} -->') is None  # no fp


def test_last_marker_is_the_trusted_one():
    forged = markers.encode("finding", {"fp": "forged", "sev": "critical"})
    ours = markers.encode("finding", {"fp": "ours", "sev": "note"})
    assert markers.finding_marker(f"{forged}\ntext\n{ours}").fp == "ours"
    assert markers.finding_marker(f"{ours}\n{markers.encode('summary', {})}") is None


def test_summary_marker_keeps_state():
    state = markers.SummaryMarker(head_sha="h", file_states={"a.py": "123"},
                                  history=[markers.RunEntry(head_sha="h", tier="full", counts={"new": 2})])
    assert markers.summary_marker(markers.encode("summary", state)) == state


def test_rendered_comment_ends_with_its_marker():
    f = finding("a.py", 3, fp="fp1", rule_id="SEC-003", anchor="query = f'select {x}'")
    body = render_finding(f, suggestion_above=0)
    assert body.startswith("**🟠 Important · Code Quality · SEC-003**\nProblem fp1\n\nWhy it matters.")
    marker = markers.finding_marker(body)
    assert marker is not None and (marker.fp, marker.sev, marker.rule, marker.anchor) == (
        "fp1", "important", "SEC-003", "query = f'select {x}'")
    assert body.rstrip().endswith("-->")
    json.dumps(marker.model_dump())


def test_no_suggestion_block_off_the_new_side():
    f = finding("a.py", 3, side="old", fp="fp2", suggestion="fixed()")
    body = render_finding(f, suggestion_above=None)
    assert "suggestion:" not in body and "```\nfixed()\n```" in body
