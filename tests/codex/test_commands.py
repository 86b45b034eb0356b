"""`reviewer rules check` / `rules list` bodies: output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.codex.commands import rules_check, rules_list
from reviewer.codex.loader import load_rules
from tests.codex.rule_files import rule_data, write_rule


def test_rules_check_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert rules_check([]) == 0
    assert capsys.readouterr().out == f"{len(load_rules())} rules OK\n"


def test_rules_check_with_extra_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_rule(tmp_path / "team", "ACME-001-frobnicate.yaml", rule_data())
    assert rules_check([tmp_path / "team"]) == 0
    assert capsys.readouterr().out == f"{len(load_rules()) + 1} rules OK\n"


def test_rules_check_reports_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_rule(tmp_path / "team", "ACME-001-frobnicate.yaml", rule_data(colour="red"))
    write_rule(tmp_path / "team", "SEC-001-mine.yaml", rule_data("SEC-001"))
    assert rules_check([str(tmp_path / "team")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "team/ACME-001-frobnicate.yaml: unknown key 'colour'" in lines
    assert any(line.startswith("team/SEC-001-mine.yaml: duplicate id 'SEC-001'") for line in lines)
    assert len(lines) == 2


def test_rules_list_for_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert rules_list("web/src/App.tsx", []) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "severity", "category", "title"]
    ids = [line.split()[0] for line in lines[1:]]
    assert "JS-004" in ids and "SEC-013" in ids and "PY-001" not in ids
    js004 = next(line for line in lines if line.startswith("JS-004"))
    assert js004.split()[1:3] == ["suggestion", "codex"]
    assert "Explicit `any` in TypeScript" in js004


def test_rules_list_all_and_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert rules_list(None, []) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(load_rules()) + 1
    assert rules_list("assets/logo.png", []) == 0
    out = capsys.readouterr().out
    assert "DOC-002" in out  # path-independent judgement rules still apply
    assert "PY-001" not in out
