"""Tree detectors: the query and condition vocabulary, its validation, and graceful fallbacks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reviewer.codex import detectors
from reviewer.codex.check import check_rules
from reviewer.codex.detectors import run_detectors, snippet_fires
from reviewer.codex.loader import RuleSet
from reviewer.codex.schema import Rule
from reviewer.codex.sources import diff_source
from reviewer.models import Severity
from tests.codex.rule_files import rule_data, write_rule
from tests.support.diff_builder import file_diff

CALL = '(call function: (identifier) @fn arguments: (argument_list) @args (#eq? @fn "frobnicate")) @match\n'


def tree_rule(where: dict | None = None, query: str = CALL, languages=("python",), **overrides) -> Rule:
    detector = {"tree": [{"languages": list(languages), "query": query, "where": where or {}}]}
    return Rule.model_validate(rule_data(detector=detector, **overrides))


def lines_of(rule: Rule, new: str, path: str = "a.py", old: str = "") -> list[int]:
    return [f.line for f in run_detectors([file_diff(path, old, new)], RuleSet([rule]))]


def test_query_match_reported_on_its_added_first_line() -> None:
    rule = tree_rule()
    assert lines_of(rule, "x = 1\ny = frobnicate(\n    a,\n)\n") == [2]
    # a call that only gains an argument line is reported on that added line
    old = "y = frobnicate(\n    a,\n)\n"
    assert lines_of(rule, "y = frobnicate(\n    a,\n    b,\n)\n", old=old) == [3]
    assert lines_of(rule, "y = frobnicate(a)\nz = 1\n", old="y = frobnicate(a)\n") == []  # not added


def test_text_and_literal_conditions() -> None:
    data_only = tree_rule({"not_literal": ["args"]},
                          query='(call function: (identifier) @fn arguments: (argument_list (_) @args) '
                                '(#eq? @fn "frobnicate")) @match\n')
    source = 'frobnicate("constant")\nfrobnicate(1 + 2)\nfrobnicate(f"{x}")\nfrobnicate(x)\n'
    assert lines_of(data_only, source) == [3, 4]
    texts = tree_rule({"text": {"args": "secret"}, "not_text": {"args": "secret_ok"}})
    assert lines_of(texts, "frobnicate(secret)\nfrobnicate(secret_ok)\nfrobnicate(x)\n") == [1]


def test_inside_and_not_inside() -> None:
    source = ("def guarded(flag):\n    if flag:\n        frobnicate(a)\n    frobnicate(b)\n\n"
              "async def run():\n    frobnicate(c)\n    def inner():\n        frobnicate(d)\n")
    skip_under_flag = tree_rule({"not_inside": [{"kinds": ["if_statement"], "field": "condition", "pattern": "flag"}]})
    assert lines_of(skip_under_flag, source) == [4, 7, 9]
    nearest_async = tree_rule({"inside": [{"kinds": ["function_definition"], "nearest": True, "pattern": "^async"}]})
    assert lines_of(nearest_async, source) == [7]  # line 9 is in a nested sync def
    direct_statement = tree_rule({"inside": [{"kinds": ["expression_statement"], "depth": 1}]})
    assert lines_of(direct_statement, source + "x = frobnicate(e)\n") == [3, 4, 7, 9]


def test_followed_by_and_in_function_with_captures() -> None:
    query = ('(assignment left: (identifier) @out\n'
             '  right: (call function: (identifier) @fn (#eq? @fn "frobnicate")) @match)\n')
    unchecked = tree_rule({"not_followed_by": r"\b{@out}\.ok\b"}, query=query)
    source = ("def a():\n    r = frobnicate(x)\n    if r.ok:\n        pass\n\n"
              "def b():\n    r = frobnicate(x)\n\n\ndef c():\n    r.ok\n")
    assert lines_of(unchecked, source) == [7]  # c's r.ok is another function
    in_function = tree_rule({"in_function": r"@retry"}, query=query)
    assert lines_of(in_function, "@retry\ndef a():\n    r = frobnicate(x)\n\ndef b():\n    r = frobnicate(x)\n") == [3]


def test_a_condition_naming_a_missing_optional_capture_is_skipped() -> None:
    query = ('(call function: (identifier) @fn arguments: (argument_list . (identifier)? @arg)\n'
             '  (#eq? @fn "frobnicate")) @match\n')
    rule = tree_rule({"not_inside": [{"kinds": ["if_statement"], "field": "condition", "pattern": r"\b{@arg}\b"}]},
                     query=query)
    assert lines_of(rule, "if x:\n    frobnicate(x)\n    frobnicate(y)\n    frobnicate()\n") == [3, 4]


@pytest.mark.parametrize(("tree", "message"), [
    ({"languages": ["python"], "query": "(call (nonsense_node)) @match"}, "does not compile for python"),
    ({"languages": ["python"], "query": "(call) @found"}, "capture 'match' is not in the query"),
    ({"languages": ["python"], "query": "(call) @match", "capture": "found"}, "capture 'found' is not in the query"),
    ({"languages": ["python"], "query": "(call) @match", "where": {"literal": ["value"]}}, "value"),
    ({"languages": ["python"], "query": "(call) @match", "where": {"in_function": "{@nope}"}}, "nope"),
    ({"languages": ["python"], "query": "[(call) (attribute)] @match (#eq? @match \"x\")"}, "does not capture @match"),
    ({"languages": ["ruby"], "query": "(call) @match"}, "no syntax tree for ruby"),
    ({"languages": ["python"], "query": "(call) @match", "where": {"text": {"match": "("}}}, "regular expression"),
])
def test_bad_tree_queries_are_rule_errors(tree: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        Rule.model_validate(rule_data(scope={"globs": ["**"]}, detector={"tree": [tree]}))


def test_schema_rules_for_detectors_and_analyzers() -> None:
    with pytest.raises(ValidationError, match="needs a pattern, a tree query, or both"):
        Rule.model_validate(rule_data(detector={}))
    with pytest.raises(ValidationError, match="refine a pattern"):
        Rule.model_validate(rule_data(detector={"tree": [{"languages": ["python"], "query": CALL}],
                                                "not_pattern": "x"}))
    with pytest.raises(ValidationError, match="outside scope.languages"):
        tree_rule(languages=("go",), query="(call_expression) @match")
    with pytest.raises(ValidationError, match="not ruff code"):
        Rule.model_validate(rule_data(analyzer={"tool": "ruff", "codes": ["bare-except"]}))
    with pytest.raises(ValidationError, match="reads shell files"):
        Rule.model_validate(rule_data(analyzer={"tool": "shellcheck", "codes": ["SC2086"]}))
    both = Rule.model_validate(rule_data(analyzer=[{"tool": "ruff", "codes": ["S506"]}], evidence="proof"))
    assert both.analyzer[0].codes == ["S506"] and both.evidence == "proof"


def test_multi_line_examples_are_checked_as_files(tmp_path) -> None:
    data = rule_data(detector={"tree": [{"languages": ["python"], "query": CALL,
                                         "where": {"not_inside": [{"kinds": ["if_statement"], "field": "condition",
                                                                   "pattern": "safe"}]}}]},
                     examples={"fire": ["if ready:\n    frobnicate(x)\n"], "pass": ["if safe:\n    frobnicate(x)\n",
                                                                              "frobnicate(x)\n"]})
    write_rule(tmp_path, "ACME-001-frobnicate.yaml", data)
    name = f"{tmp_path.name}/ACME-001-frobnicate.yaml"
    assert check_rules([tmp_path]) == [f"{name}: examples.pass[2] triggers the detector"]


def test_a_syntax_error_falls_back_to_the_pattern_on_those_lines_only() -> None:
    rule = Rule.model_validate(rule_data(detector={"pattern": r"\bfrobnicate\(",
                                                   "tree": [{"languages": ["python"], "query": CALL,
                                                             "where": {"text": {"args": "never"}}}]}))
    # the tree decides readable code (its condition rejects frobnicate(x)); a broken line goes to the pattern
    assert lines_of(rule, "frobnicate(x)\nfrobnicate(x) = = ]\n") == [2]
    assert snippet_fires(rule, "frobnicate(x) = = ]\n") and not snippet_fires(rule, "frobnicate(x)\n")


def test_a_failing_query_never_fails_the_review(monkeypatch) -> None:
    rule = Rule.model_validate(rule_data(detector={"pattern": r"\bfrobnicate\(", "tree": [{"languages": ["python"],
                                                                                             "query": CALL}]}))

    def boom(*args, **kwargs):
        raise RuntimeError("tree-sitter exploded")

    monkeypatch.setattr(detectors, "tree_hits", boom)
    assert lines_of(rule, "frobnicate(x)\n") == [1]  # the pattern decides the whole file
    monkeypatch.setattr(detectors, "parse_source", boom)
    assert lines_of(rule, "frobnicate(x)\n") == [1]


def test_diff_source_keeps_line_numbers_and_section_headers() -> None:
    body = "".join(f"    step_{n}()\n" for n in range(8))
    old = f"import time\n\n\nasync def refresh(self):\n{body}"
    file = file_diff("svc/worker.py", old, old + "    time.sleep(1)\n")
    source = diff_source(file)
    lines = source.text.splitlines()
    assert not source.exact and lines[12] == "    time.sleep(1)"
    assert lines[file.hunks[0].new_start - 2] == "async def refresh(self):"  # the section header, above the hunk
    assert diff_source(file_diff("new.py", "", "x = 1\n")).exact


def test_severity_follows_evidence_and_note_scope() -> None:
    hint = Rule.model_validate(rule_data(severity="critical"))
    proof = Rule.model_validate(rule_data(severity="critical", evidence="proof"))
    noted = Rule.model_validate(rule_data(severity="critical", evidence="proof",
                                          scope={"globs": ["**"], "note": ["**/fixtures/**"]}))
    low = Rule.model_validate(rule_data(severity="note"))
    file = file_diff("src/a.py", "", "frobnicate(x)\n")
    fixture = file_diff("tests/fixtures/a.py", "", "frobnicate(x)\n")
    assert run_detectors([file], RuleSet([hint]))[0].severity is Severity.SUGGESTION
    assert run_detectors([file], RuleSet([proof]))[0].severity is Severity.CRITICAL
    assert run_detectors([fixture], RuleSet([noted]))[0].severity is Severity.NOTE
    assert run_detectors([file], RuleSet([low]))[0].severity is Severity.NOTE
