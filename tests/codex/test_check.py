"""check_rules: the shipped Codex is valid, and every kind of problem is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.codex.check import check_rules
from reviewer.codex.schema import rule_json_schema
from reviewer.resources import data_dir
from tests.codex.rule_files import rule_data, write_rule


def test_shipped_rules_pass_the_check() -> None:
    """`reviewer rules check` is part of the test suite: schema, names, IDs, every example."""
    assert check_rules([data_dir("codex_rules")]) == []


def test_schema_json_is_current() -> None:
    shipped = json.loads((data_dir("codex_rules") / "schema.json").read_text(encoding="utf-8"))
    assert shipped == rule_json_schema(), "regenerate codex_rules/schema.json (see codex_rules/README.md)"


def test_valid_extra_folder(tmp_path: Path) -> None:
    write_rule(tmp_path, "ACME-001-frobnicate.yaml", rule_data())
    assert check_rules([tmp_path]) == []


def test_reports_every_schema_error_with_file(tmp_path: Path) -> None:
    write_rule(tmp_path, "ACME-001-frobnicate.yaml", rule_data(colour="red", severity="blocker"))
    problems = check_rules([tmp_path])
    name = f"{tmp_path.name}/ACME-001-frobnicate.yaml"
    assert f"{name}: unknown key 'colour'" in problems
    assert any(p.startswith(f"{name}: bad value for 'severity'") for p in problems)


def test_file_name_must_match_id(tmp_path: Path) -> None:
    write_rule(tmp_path, "ACME-002-frobnicate.yaml", rule_data("ACME-001"))
    write_rule(tmp_path, "frobnicate.yaml", rule_data("ACME-003"))
    write_rule(tmp_path, "ACME-004-Frob_Nicate.yaml", rule_data("ACME-004"))
    problems = check_rules([tmp_path])
    folder = tmp_path.name
    assert f"{folder}/ACME-002-frobnicate.yaml: key 'id' is 'ACME-001' but the file name says 'ACME-002'" in problems
    assert any(p.startswith(f"{folder}/frobnicate.yaml: file name must be") for p in problems)
    assert any(p.startswith(f"{folder}/ACME-004-Frob_Nicate.yaml: file name must be") for p in problems)


def test_area_folder_fixes_the_prefix(tmp_path: Path) -> None:
    write_rule(tmp_path, "security/ACME-001-frobnicate.yaml", rule_data())
    write_rule(tmp_path, "acme/ACME-002-frobnicate.yaml", rule_data("ACME-002"))
    assert check_rules([tmp_path]) == [
        f"{tmp_path.name}/security/ACME-001-frobnicate.yaml: key 'id' in folder 'security/' must start with 'SEC-'"
    ]


def test_duplicates_across_folders(tmp_path: Path) -> None:
    write_rule(tmp_path / "one", "ACME-001-a.yaml", rule_data())
    write_rule(tmp_path / "two", "ACME-001-b.yaml", rule_data())
    assert check_rules([tmp_path / "one", tmp_path / "two"]) == [
        "two/ACME-001-b.yaml: duplicate id 'ACME-001' (already used by one/ACME-001-a.yaml)"
    ]


def test_examples_must_behave_as_labelled(tmp_path: Path) -> None:
    data = rule_data(examples={"fire": ["frobnicate(x)", "frob(x)"], "pass": ["safe_frob(x)", "y = frobnicate(z)"]})
    write_rule(tmp_path, "ACME-001-frobnicate.yaml", data)
    name = f"{tmp_path.name}/ACME-001-frobnicate.yaml"
    assert check_rules([tmp_path]) == [
        f"{name}: examples.fire[2] does not trigger the detector",
        f"{name}: examples.pass[2] triggers the detector",
    ]


def test_examples_of_judgement_rules_are_not_run(tmp_path: Path) -> None:
    write_rule(tmp_path, "ACME-001-frobnicate.yaml", rule_data(detector=None, examples={"fire": ["a"], "pass": ["a"]}))
    assert check_rules([tmp_path]) == []


def test_replaced_by_must_exist(tmp_path: Path) -> None:
    write_rule(tmp_path, "ACME-001-frobnicate.yaml", rule_data(status="deprecated", replaced_by="ACME-009"))
    assert check_rules([tmp_path]) == [
        f"{tmp_path.name}/ACME-001-frobnicate.yaml: replaced_by 'ACME-009' is not a known rule"
    ]


def test_bad_yaml_and_missing_folder(tmp_path: Path) -> None:
    write_rule(tmp_path / "r", "ACME-001-x.yaml", "id: [\n")
    problems = check_rules([tmp_path / "r", tmp_path / "missing"])
    assert problems[0].startswith("r/ACME-001-x.yaml: not valid YAML at line ")
    assert problems[1] == f"{tmp_path / 'missing'}: Codex rules folder not found"


def test_every_shipped_rule_validates_against_schema_json() -> None:
    """Editors check rule files with schema.json: it accepts what the loader accepts (e.g. ``analyzer``
    as one mapping or a list)."""
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    folder = data_dir("codex_rules")
    validator = jsonschema.Draft202012Validator(json.loads((folder / "schema.json").read_text(encoding="utf-8")))
    problems = [f"{p.name}: {e.message}" for p in sorted(folder.rglob("*.yaml"))
                for e in validator.iter_errors(yaml.safe_load(p.read_text(encoding="utf-8")))]
    assert problems == []
