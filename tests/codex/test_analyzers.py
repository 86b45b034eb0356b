"""Analyzers (ruff, shellcheck) behind Codex rules: mapped to rule IDs, on added lines only, once
per review, replacing the detector's finding on the same line; trouble is a notice, never a failure."""

from __future__ import annotations

import pytest

from reviewer.codex import analyzers, run_codex
from reviewer.codex.analyzers import tool_available
from reviewer.codex.loader import RuleSet, load_rules
from reviewer.models import Severity
from tests.codex.test_false_positives import HeadReader
from tests.support.diff_builder import file_diff

needs_ruff = pytest.mark.skipif(not tool_available("ruff"), reason="ruff is not installed")
needs_shellcheck = pytest.mark.skipif(not tool_available("shellcheck"), reason="shellcheck is not installed")

CONFIG = '''import yaml


def load(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh)
    except:
        return None
'''
DEPLOY = '''#!/bin/bash
cd "$RELEASE_DIR"
rm -rf "$OUT_DIR/"*
export VERSION=$(git describe --tags)
'''


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules()


def by_rule(findings) -> dict[str, list[tuple[int | None, str]]]:
    out: dict[str, list[tuple[int | None, str]]] = {}
    for f in findings:
        out.setdefault(f.rule_id, []).append((f.line, f.severity.value))
    return out


@needs_ruff
def test_ruff_results_become_codex_findings_replacing_the_detectors(shipped: RuleSet) -> None:
    run = run_codex([file_diff("svc/config.py", "", CONFIG)], shipped)
    found = by_rule(run.findings)
    assert found["SEC-006"] == [(7, "important")]  # one finding: ruff's S506 replaced the pattern's
    assert found["ERR-001"] == [(8, "important")]  # E722
    sec = next(f for f in run.findings if f.rule_id == "SEC-006")
    assert sec.agent == "codex-detector" and "Found by ruff (S506 unsafe-yaml-load)" in sec.body
    assert sec.title == shipped.get("SEC-006").title and run.notices == []
    assert [a.tool for a in run.analyzers] == ["ruff"]  # once, no shell script in the change


@needs_ruff
def test_only_added_lines_count(shipped: RuleSet) -> None:
    old = CONFIG.replace("    except:\n", "    except OSError:\n")
    file = file_diff("svc/config.py", old, CONFIG)
    with_head = run_codex([file], shipped, HeadReader({"svc/config.py": CONFIG}))
    assert set(by_rule(with_head.findings)) == {"ERR-001"}  # yaml.load is on an unchanged line
    assert with_head.notices == []
    # without the head text ruff is not run on a fragment; the detectors still decide, and the reader is told
    diff_only = run_codex([file], shipped)
    assert set(by_rule(diff_only.findings)) == {"ERR-001"}
    assert diff_only.notices == ["ruff was not run on 1 changed Python file whose full text was not available "
                                 "(only the diff); the Codex detectors still ran."]


@needs_shellcheck
def test_shellcheck_results_become_codex_findings(shipped: RuleSet) -> None:
    run = run_codex([file_diff("scripts/deploy.sh", "", DEPLOY)], shipped)
    found = by_rule(run.findings)
    assert found["ERR-014"] == [(2, "suggestion")]
    assert found["ERR-016"] == [(3, "important")]
    assert found["ERR-015"] == [(4, "suggestion")]
    body = next(f.body for f in run.findings if f.rule_id == "ERR-016")
    assert "Found by shellcheck (SC2115)" in body


def test_a_missing_analyzer_is_a_notice(shipped: RuleSet, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no shellcheck on PATH
    run = run_codex([file_diff("scripts/deploy.sh", "", DEPLOY)], shipped)
    assert not {"ERR-014", "ERR-015", "ERR-016"} & set(by_rule(run.findings))
    assert run.notices == ["shellcheck is not installed (install the shellcheck system package; the reviewer's image "
                           "has it), so 1 shell script was not checked by it; the Codex detectors still ran, but "
                           "ERR-014, ERR-015, ERR-016 have none."]


@needs_ruff
def test_a_timeout_or_failure_is_a_notice_and_the_detectors_stand(shipped: RuleSet, monkeypatch) -> None:
    files = [file_diff("svc/config.py", "", CONFIG)]
    slow = run_codex(files, shipped, timeout=0.000001)
    assert "ruff did not finish within" in slow.notices[0]
    assert by_rule(slow.findings)["SEC-006"] == [(7, "important")]  # the detector's own finding
    assert "Found by" not in next(f.body for f in slow.findings if f.rule_id == "SEC-006")
    monkeypatch.setattr(analyzers, "tool_command", lambda tool: ["false"])
    broken = run_codex(files, shipped)
    assert broken.notices[0].startswith("ruff failed (exit 1)")
    assert "SEC-006" in by_rule(broken.findings)


def test_files_not_for_review_are_not_analyzed(shipped: RuleSet) -> None:
    vendored = file_diff("vendor/lib/config.py", "", CONFIG).model_copy(update={"skip_reason": "vendored"})
    run = run_codex([vendored], shipped)
    assert run.findings == [] and run.analyzers == [] and run.notices == []


@needs_ruff
def test_a_rule_outside_its_scope_is_not_reported_from_the_analyzer(shipped: RuleSet) -> None:
    """SEC-006 excludes tests: ruff's S506 there is not turned into a finding."""
    run = run_codex([file_diff("tests/test_config.py", "", CONFIG)], shipped)
    assert "SEC-006" not in by_rule(run.findings) and by_rule(run.findings)["ERR-001"] == [(8, "important")]
    assert {f.severity for f in run.findings} <= {Severity.IMPORTANT}
