"""``reviewer review --local``: ruff and shellcheck results arrive as Codex findings on the added
lines; without shellcheck the review says so and still succeeds."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from reviewer.codex.analyzers import tool_available
from tests.support.cli_runner import run_reviewer
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.skipif(not (tool_available("ruff") and tool_available("shellcheck")),
                                reason="needs ruff and shellcheck")

BASE = '''import yaml


def read_settings(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)
'''
FEATURE = '''import yaml


def read_settings(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def read_legacy(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh)
    except:
        return {}
'''
DEPLOY = '''#!/bin/bash
set -u
cd "$RELEASE_DIR"
tar xzf release.tgz
'''
# New-side lines: 12 yaml.load (ruff S506 -> SEC-006), 13 bare except (ruff E722 -> ERR-001),
# 3 of the script: cd without `|| exit` (shellcheck SC2164 -> ERR-014).


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    repo = GitRepo.init(tmp_path_factory.mktemp("analyzers") / "repo")
    repo.commit("Base", {"app/settings.py": BASE})
    repo.branch("feature")
    repo.commit("Read legacy settings, add a deploy script",
                {"app/settings.py": FEATURE, "scripts/deploy.sh": DEPLOY})
    return repo.root


def review(repo: Path, tmp_path: Path, env: dict[str, str] | None = None) -> tuple[int, str, dict]:
    report = tmp_path / "review.json"
    result = run_reviewer("review", "--local", "--repo", repo, "--base", "main", "--format", "text",
                          "--json-report", report, env=env)
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return result.returncode, result.stdout + result.stderr, data


def found(report: dict) -> dict[tuple[str, str], dict]:
    return {(f["path"], f["rule_id"]): f for f in report["findings"]}


def test_analyzer_results_carry_codex_rule_ids_on_added_lines(repo, tmp_path) -> None:
    code, output, report = review(repo, tmp_path)
    assert code == 0, output
    findings = found(report)
    sec = findings[("app/settings.py", "SEC-006")]
    assert (sec["line"], sec["severity"], sec["agent"]) == (12, "important", "codex-detector")
    assert "Found by ruff (S506" in sec["body"]
    bare = findings[("app/settings.py", "ERR-001")]
    assert (bare["line"], bare["severity"]) == (13, "important") and "Found by ruff (E722" in bare["body"]
    cd = findings[("scripts/deploy.sh", "ERR-014")]
    assert (cd["line"], cd["severity"]) == (3, "suggestion") and "Found by shellcheck (SC2164)" in cd["body"]
    assert sum(1 for f in report["findings"] if f["rule_id"] == "SEC-006") == 1  # no duplicate from the pattern
    assert "not installed" not in output


def test_without_shellcheck_a_notice_appears_and_the_review_succeeds(repo, tmp_path) -> None:
    bin_dir = tmp_path / "bin"  # git only: shellcheck is not on this PATH
    bin_dir.mkdir()
    os.symlink(shutil.which("git"), bin_dir / "git")
    code, output, report = review(repo, tmp_path, env={"PATH": str(bin_dir)})
    assert code == 0, output
    assert "shellcheck is not installed" in output and "ERR-014" in output
    findings = found(report)
    assert ("scripts/deploy.sh", "ERR-014") not in findings
    assert findings[("app/settings.py", "SEC-006")]["line"] == 12  # ruff comes with the package: still there
