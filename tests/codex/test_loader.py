"""load_rules and RuleSet: the shipped Codex, extra folders, repo rule texts, and one-line errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from reviewer.codex.loader import RuleSet, load_rules
from reviewer.errors import RuleError
from reviewer.models import Category, Severity
from tests.codex.rule_files import rule_data, write_rule


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules()


def test_shipped_set_covers_every_area(shipped: RuleSet) -> None:
    assert len(shipped) >= 45
    prefixes = Counter(r.prefix for r in shipped)
    for prefix in ("SEC", "ERR", "PY", "JS", "GO", "SQL", "DOC", "PERF", "REL"):
        assert prefixes[prefix] >= 3, prefix
    assert {r.category for r in shipped} == set(Category)
    with_detector = [r for r in shipped if r.detector]
    assert 20 <= len(with_detector) < len(shipped), "judgement rules must stay detector-free"


def test_get_ids_all(shipped: RuleSet) -> None:
    rule = shipped.get("SEC-006")
    assert rule is not None and rule.severity is Severity.IMPORTANT and rule.category is Category.SECURITY
    assert shipped.get("SEC-999") is None
    assert shipped.ids() == sorted(shipped.ids())
    assert [r.id for r in shipped.all()] == shipped.ids()
    assert "SEC-006" in shipped and "NOPE-001" not in shipped


def test_for_path_filters_by_glob_language_and_exclude(shipped: RuleSet) -> None:
    py = {r.id for r in shipped.for_path("src/app/models.py")}
    assert {"PY-001", "SEC-006", "ERR-001"} <= py
    assert not {"JS-001", "GO-001", "SQL-002"} & py
    go = {r.id for r in shipped.for_path("pkg/store/store.go")}
    assert {"GO-002", "ERR-007"} <= go and "PY-001" not in go
    migration = {r.id for r in shipped.for_path("app/db/migrations/0042_orders.sql")}
    assert {"SQL-002", "SQL-005"} <= migration
    assert "SQL-002" not in {r.id for r in shipped.for_path("app/queries/orders.sql")}
    # scope.exclude: print() is fine in tests and CLIs, not in library code
    assert "PY-002" in {r.id for r in shipped.for_path("src/lib/core.py")}
    assert "PY-002" not in {r.id for r in shipped.for_path("tests/test_core.py")}
    assert "PY-002" not in {r.id for r in shipped.for_path("src/lib/cli.py")}


def test_for_path_by_category(shipped: RuleSet) -> None:
    security = shipped.for_path("src/app.py", category="security")
    assert security and all(r.category is Category.SECURITY for r in security)
    assert shipped.for_path("src/app.py", category=Category.SECURITY) == security


def test_extra_dirs_are_loaded(tmp_path: Path) -> None:
    write_rule(tmp_path / "team", "ACME-001-frobnicate.yaml", rule_data())
    rules = load_rules([tmp_path / "team"])
    assert rules.get("ACME-001") is not None
    assert rules.get("SEC-001") is not None
    assert rules.sources["ACME-001"].name == "ACME-001-frobnicate.yaml"


def test_removed_rule_stays_known_but_never_applies(tmp_path: Path) -> None:
    write_rule(tmp_path, "ACME-002-old.yaml", rule_data("ACME-002", status="removed", replaced_by="ACME-001"))
    write_rule(tmp_path, "ACME-001-new.yaml", rule_data("ACME-001"))
    rules = load_rules([tmp_path])
    assert "ACME-002" in rules.ids()
    ids = {r.id for r in rules.for_path("x.py")}
    assert "ACME-001" in ids and "ACME-002" not in ids


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (rule_data(colour="red"), "unknown key 'colour'"),
        (rule_data(severity="blocker"), "bad value for 'severity'"),
        (rule_data(category="style"), "bad value for 'category'"),
        (rule_data(title=None), "missing key 'title'"),
        (rule_data(id="acme-1"), "bad value for 'id'"),
        (rule_data(rule="Always call safe_frob."), "must be conditional"),
        (rule_data(detector={"pattern": "frob(("}), "detector.pattern"),
        (rule_data(detector={"pattern": "x", "flags": "i"}), "unknown key 'detector.flags'"),
        (rule_data(scope={"globs": ["**"], "languages": ["cobol"]}), "unknown language(s) cobol"),
        (rule_data(examples={"fire": ["x"], "pass": []}), "examples.pass"),
        (rule_data(replaced_by="ACME-002"), "replaced_by is only allowed"),
    ],
)
def test_schema_errors_name_file_and_key(tmp_path: Path, data: dict, message: str) -> None:
    write_rule(tmp_path / "team", "ACME-001-frobnicate.yaml", data)
    with pytest.raises(RuleError) as err:
        load_rules([tmp_path / "team"])
    text = str(err.value)
    assert text.startswith("team/ACME-001-frobnicate.yaml: ")
    assert message in text
    assert "\n" not in text


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    write_rule(tmp_path / "team", "ACME-001-x.yaml", "id: ACME-001\ntitle: [unclosed\n")
    with pytest.raises(RuleError, match=r"^team/ACME-001-x\.yaml: not valid YAML at line \d+$"):
        load_rules([tmp_path / "team"])


def test_top_level_must_be_mapping(tmp_path: Path) -> None:
    write_rule(tmp_path / "team", "ACME-001-x.yaml", "- just\n- a list\n")
    with pytest.raises(RuleError, match="top level must be a mapping"):
        load_rules([tmp_path / "team"])


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    write_rule(tmp_path / "team", "a/ACME-001-one.yaml", rule_data())
    write_rule(tmp_path / "team", "b/ACME-001-two.yaml", rule_data())
    with pytest.raises(RuleError) as err:
        load_rules([tmp_path / "team"])
    assert str(err.value) == (
        "team/b/ACME-001-two.yaml: duplicate id 'ACME-001' (already used by team/a/ACME-001-one.yaml)"
    )


def test_duplicate_of_a_shipped_id(tmp_path: Path) -> None:
    write_rule(tmp_path / "team", "SEC-001-mine.yaml", rule_data("SEC-001"))
    expected = r"team/SEC-001-mine\.yaml: duplicate id 'SEC-001' \(already used by codex_rules/security/SEC-001-"
    with pytest.raises(RuleError, match=expected):
        load_rules([tmp_path / "team"])


def test_missing_extra_dir(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="Codex rules folder not found"):
        load_rules([tmp_path / "nowhere"])


def test_for_path_agrees_with_each_rules_scope(shipped: RuleSet) -> None:
    """The per-path cache gives what asking every rule gives, for paths of many shapes."""
    paths = ["src/app.py", "tests/test_app.py", "db/migrations/0001.sql", "web/ui.test.ts", "Dockerfile",
             "svc/main.go", "docs/README.md", ".gitlab-ci.yml", "pkg/x_test.go", "codex_rules/a.yaml"]
    for path in paths * 2:  # the second round is served from the cache
        assert shipped.for_path(path) == [r for r in shipped if r.applies_to(path)]


def _text(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def test_repo_rule_texts_load_with_packaged_and_folder_rules(tmp_path: Path) -> None:
    write_rule(tmp_path / "team", "ACME-001-frobnicate.yaml", rule_data())
    texts = {".codex/REPO-001-widgets.yaml": _text(rule_data("REPO-001"))}
    rules = load_rules([tmp_path / "team"], extra_texts=texts)
    assert {"ACME-001", "REPO-001", "SEC-001"} <= set(rules.ids())
    assert rules.sources["REPO-001"] == Path(".codex/REPO-001-widgets.yaml")
    assert "REPO-001" in {r.id for r in rules.for_path("src/x.py")}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_text(rule_data("REPO-001", colour="red")), "unknown key 'colour'"),
        ("id: REPO-001\ntitle: [unclosed\n", "not valid YAML at line 3"),
        ("- a list\n", "the top level must be a mapping of keys"),
    ],
)
def test_broken_repo_rule_is_one_line_naming_the_repo_file(text: str, message: str) -> None:
    with pytest.raises(RuleError) as err:
        load_rules(extra_texts={"rules/team/REPO-001-x.yml": text})
    assert str(err.value) == f"rules/team/REPO-001-x.yml: {message}"


def test_repo_rule_reusing_an_id_names_both_files(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"^\.codex/mine\.yaml: duplicate id 'SEC-001' \(already used by "
                                        r"codex_rules/security/SEC-001-[\w-]+\.yaml\)$"):
        load_rules(extra_texts={".codex/mine.yaml": _text(rule_data("SEC-001"))})
    write_rule(tmp_path / "team", "ACME-001-one.yaml", rule_data())
    with pytest.raises(RuleError) as err:
        load_rules([tmp_path / "team"], extra_texts={".codex/a.yaml": _text(rule_data())})
    assert str(err.value) == ".codex/a.yaml: duplicate id 'ACME-001' (already used by team/ACME-001-one.yaml)"
    with pytest.raises(RuleError, match=r"^\.codex/b\.yaml: duplicate id 'REPO-001' \(already used by \.codex/a\.yaml\)$"):
        load_rules(extra_texts={".codex/b.yaml": _text(rule_data("REPO-001")),
                                ".codex/a.yaml": _text(rule_data("REPO-001"))})
