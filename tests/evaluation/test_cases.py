"""Loading evaluation cases: the case.yaml shape, where cases are found, one-line errors."""

from pathlib import Path

import pytest

from reviewer.errors import ConfigError
from reviewer.evaluation.cases import Case, load_case, load_cases
from reviewer.models import Category, Severity

VALID = """\
repo: repo.bundle
base: main
head: feature
title: "Add order export"
description: "exports orders"
expected:
  - path: ./app/db.py
    lines: [15, 16]
    category: security
    severity: important
    rule_id: SEC-003
    why: "user input reaches the SQL string"
  - path: app/views.py
    lines: 7
    category: quality
    why: "unused import"
  - path: README.md
    lines: [3]
    category: docs
    why: "stale"
"""


def write_case(folder: Path, text: str, *, bundle: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if bundle:
        (folder / "repo.bundle").write_bytes(b"# v2 git bundle\n")
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    return folder / "case.yaml"


def clean_case(repo: str = "repo.bundle") -> str:
    return f"repo: {repo}\nbase: main\nhead: feature\n"


def test_a_case_is_read_with_every_field(tmp_path):
    write_case(tmp_path / "orders", VALID)
    [case] = load_cases(tmp_path)
    assert isinstance(case, Case)
    assert (case.name, case.dir, case.base, case.head) == ("orders", tmp_path / "orders", "main", "feature")
    assert case.repo_path == (tmp_path / "orders" / "repo.bundle").resolve()
    assert case.is_bundle is True
    assert (case.title, case.description, case.clean) == ("Add order export", "exports orders", False)
    first, second, third = case.expected
    assert (first.path, first.lines, first.first, first.last) == ("app/db.py", (15, 16), 15, 16)
    assert (first.category, first.severity, first.rule_id) == (Category.SECURITY, Severity.IMPORTANT, "SEC-003")
    assert first.why == "user input reaches the SQL string"
    assert (second.lines, second.severity, second.rule_id) == ((7, 7), Severity.SUGGESTION, None)
    assert third.lines == (3, 3)


def test_a_case_without_expected_findings_is_clean(tmp_path):
    write_case(tmp_path / "a", clean_case())
    write_case(tmp_path / "b", clean_case() + "expected: []\n")
    write_case(tmp_path / "c", clean_case() + "expected:\n")
    cases = load_cases(tmp_path)
    assert [(c.name, c.clean, c.expected, c.title) for c in cases] == [
        ("a", True, [], ""), ("b", True, [], ""), ("c", True, [], "")]


def test_optional_top_level_keys_are_allowed(tmp_path):
    write_case(tmp_path, clean_case() + "notes: {from: aacr}\nlanguage: python\ntags: [sql, orm]\n"
                                        "source: aacr-bench\ntitle:\n")
    [case] = load_cases(tmp_path)
    assert (case.language, case.tags, case.source, case.title) == ("python", ["sql", "orm"], "aacr-bench", "")


def test_cases_are_found_recursively_and_sorted_by_name(tmp_path):
    write_case(tmp_path / "zeta", clean_case())
    write_case(tmp_path / "group" / "beta", clean_case())
    write_case(tmp_path / "alpha", clean_case())
    (tmp_path / "empty").mkdir()
    assert [c.name for c in load_cases(tmp_path)] == ["alpha", "group/beta", "zeta"]


def test_the_root_may_be_the_case(tmp_path):
    write_case(tmp_path, clean_case())
    [case] = load_cases(tmp_path)
    assert (case.name, case.dir) == (".", tmp_path)


def test_hidden_folders_and_folders_inside_a_case_are_not_searched(tmp_path):
    write_case(tmp_path / "real", clean_case())
    write_case(tmp_path / ".cache" / "ignored", clean_case())
    write_case(tmp_path / "real" / "checkout" / "inner", clean_case())
    assert [c.name for c in load_cases(tmp_path)] == ["real"]


def test_repo_may_be_a_directory_or_absolute(tmp_path):
    repo = tmp_path / "clones" / "shop"
    repo.mkdir(parents=True)
    write_case(tmp_path / "cases" / "rel", clean_case("../../clones/shop"), bundle=False)
    write_case(tmp_path / "cases" / "abs", clean_case(str(repo)), bundle=False)
    cases = load_cases(tmp_path / "cases")
    assert [(c.name, c.repo_path, c.is_bundle) for c in cases] == [
        ("abs", repo.resolve(), False), ("rel", repo.resolve(), False)]


def test_a_sha_may_be_quoted(tmp_path):
    write_case(tmp_path, "repo: repo.bundle\nbase: '1234567'\nhead: 'abc1234'\n")
    [case] = load_cases(tmp_path)
    assert (case.base, case.head) == ("1234567", "abc1234")


def test_load_case_names_the_case_after_its_folder(tmp_path):
    file = write_case(tmp_path / "orders", clean_case())
    assert load_case(file).name == "orders"
    assert load_case(file, "x/orders").name == "x/orders"


def entry(**changes) -> str:
    fields = {"path": "app/db.py", "lines": "[15, 16]", "category": "security", "why": "a reason"} | changes
    body = "".join(f"    {k}: {v}\n" for k, v in fields.items() if v is not None)
    return clean_case() + "expected:\n  - path: app/ok.py\n    lines: 1\n    category: docs\n    why: fine\n" \
        + "  -" + body[3:]


@pytest.mark.parametrize(("text", "message"), [
    (entry(lines="[20, 10]"), "expected[1].lines: first line 20 is after last line 10"),
    (entry(lines="0"), "expected[1].lines: line numbers must be positive"),
    (entry(lines="[-2, 3]"), "expected[1].lines: line numbers must be positive"),
    (entry(lines="[1, 2, 3]"), "expected[1].lines: must be a line number or [first, last]"),
    (entry(lines="[]"), "expected[1].lines: must be a line number or [first, last]"),
    (entry(lines="'15'"), "expected[1].lines: must be a line number or [first, last]"),
    (entry(lines="true"), "expected[1].lines: must be a line number or [first, last]"),
    (entry(lines=None), "expected[1].lines: required"),
    (entry(category="style"), "expected[1].category: Input should be 'security', 'quality', 'codex', 'docs', "
                              "'performance' or 'release'"),
    (entry(severity="high"), "expected[1].severity: Input should be 'critical', 'important', 'suggestion' or "
                             "'note'"),
    (entry(why=None), "expected[1].why: required"),
    (entry(why="'  '"), "expected[1].why: must not be empty"),
    (entry(path="''"), "expected[1].path: must not be empty"),
    (entry(colour="red"), "expected[1].colour: unknown key (allowed: category, lines, path, rule_id, "
                          "severity, why)"),
    (clean_case() + "owner: me\n", "owner: unknown key (allowed: base, description, expected, head, "
                                   "language, notes, repo, source, tags, title)"),
    (clean_case() + "expected: {path: a}\n", "expected: Input should be a valid list"),
    (clean_case() + "expected: [fix it]\n", "expected[0]: must be a mapping of keys"),
    ("repo: repo.bundle\nhead: feature\n", "base: required"),
    ("repo: repo.bundle\nbase: main\n", "head: required"),
    ("base: main\nhead: feature\n", "repo: required"),
    ("repo: repo.bundle\nbase: ''\nhead: feature\n", "base: must be a non-empty string"),
    ("repo: repo.bundle\nbase: main\nhead: 1234567\n", "head: must be a non-empty string (quote a SHA"),
    ("repo: missing.bundle\nbase: main\nhead: feature\n", "repo: missing.bundle does not exist"),
    ("repo: [a\n", "not valid YAML at line"),
    ("- repo\n", "the top level must be a mapping of keys"),
    ("", "the top level must be a mapping of keys"),
])
def test_each_problem_is_one_line_naming_the_file(tmp_path, text, message):
    file = write_case(tmp_path / "evals" / "x", text)
    with pytest.raises(ConfigError) as caught:
        load_cases(tmp_path / "evals")
    error = str(caught.value)
    assert "\n" not in error
    assert error.startswith(f"{file}: ")
    assert message in error


def test_the_error_names_the_file_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_case(tmp_path / "evals" / "x", entry(lines="[20, 10]"))
    with pytest.raises(ConfigError) as caught:
        load_cases(Path("evals"))
    assert str(caught.value) == "evals/x/case.yaml: expected[1].lines: first line 20 is after last line 10"


def test_an_empty_tree_is_an_error(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "case.yml").write_text(clean_case())
    with pytest.raises(ConfigError) as caught:
        load_cases(tmp_path)
    assert str(caught.value) == f"no case.yaml under {tmp_path}"


def test_a_missing_root_is_an_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_cases(tmp_path / "nope")
    assert str(caught.value) == f"{tmp_path / 'nope'}: not a directory"
