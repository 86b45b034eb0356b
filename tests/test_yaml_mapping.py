"""YAML documents whose top level must be a mapping: one message shape for every file kind."""

from __future__ import annotations

import pytest

from reviewer.errors import ConfigError, RuleError
from reviewer.yaml_mapping import load_mapping


def test_a_mapping_is_returned():
    assert load_mapping("a: 1\nb: [x]\n", "f.yml") == {"a": 1, "b": ["x"]}


def test_invalid_yaml_names_the_source_and_line():
    with pytest.raises(ConfigError, match=r"^f\.yml: not valid YAML at line 2$"):
        load_mapping("a: 1\nb: c: d\n", "f.yml")


@pytest.mark.parametrize("text", ["- a\n", "just text\n", ""])
def test_anything_but_a_mapping_is_an_error_of_the_given_type(text):
    with pytest.raises(RuleError, match=r"^r\.yaml: the top level must be a mapping of keys$"):
        load_mapping(text, "r.yaml", RuleError)


def test_an_empty_document_is_empty_when_allowed():
    assert load_mapping("", "f.yml", empty_ok=True) == {}
    assert load_mapping("# only a comment\n", "f.yml", empty_ok=True) == {}
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_mapping("- a\n", "f.yml", empty_ok=True)


def test_describe_errors_names_keys_and_lists_allowed_ones_when_given_the_schema():
    from pydantic import BaseModel, ConfigDict, ValidationError

    from reviewer.yaml_mapping import describe_errors

    class Inner(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str

    class Outer(BaseModel):
        model_config = ConfigDict(extra="forbid")
        inner: Inner
        size: int

    try:
        Outer.model_validate({"inner": {"nmae": "x"}, "size": "big"})
    except ValidationError as exc:
        plain, with_schema = describe_errors(exc), describe_errors(exc, Outer)
    assert "missing key 'inner.name'" in plain and "unknown key 'inner.nmae'" in plain
    assert any(m.startswith("bad value for 'size'") for m in plain)
    assert "unknown key 'inner.nmae' (allowed: name)" in with_schema
