"""The shape of one Engineering Codex rule file (strict: unknown keys are errors)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reviewer.codex.languages import LANGUAGES, language_of
from reviewer.globs import any_match
from reviewer.models import Category, Severity

__all__ = ["ID_PATTERN", "Detector", "Enclosing", "Examples", "Rule", "Scope", "rule_json_schema"]

ID_PATTERN = r"^[A-Z][A-Z0-9]{1,9}-\d{3,4}$"
"""A rule ID: an area prefix and a number, e.g. ``SEC-001``. IDs are never reused."""

RuleStatus = Literal["stable", "deprecated", "removed"]
LineFilter = Literal["code", "comment", "any"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _compile(value: str | None) -> str | None:
    """Check that ``value`` is a valid Python regular expression."""
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from exc
    return value


class Scope(_Strict):
    """Which files a rule applies to: a path matching a glob, not excluded, in a listed language."""

    globs: list[str] = Field(default_factory=lambda: ["**"], min_length=1, description="Paths the rule covers")
    exclude: list[str] = Field(default_factory=list, description="Paths the rule never covers (tests, scripts…)")
    languages: list[str] = Field(default_factory=list, description="Languages covered; empty means any")

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - LANGUAGES)
        if unknown:
            raise ValueError(f"unknown language(s) {', '.join(unknown)}; known: {', '.join(sorted(LANGUAGES))}")
        return value

    def covers(self, path: str) -> bool:
        """Return True when ``path`` is in this scope (glob, not excluded, language)."""
        if not any_match(path, self.globs) or any_match(path, self.exclude):
            return False
        return not self.languages or language_of(path) in self.languages


class Enclosing(_Strict):
    """A condition on the block around the match, found by indentation within the hunk.

    Walking outwards from the matched line (the line itself first), the first line that
    matches ``block`` decides: the rule fires only if that line also matches ``match``.
    When no line in the hunk decides, the hunk's section header (git's function context)
    may; otherwise the detector stays silent.
    """

    block: str = Field(description="Regex for the lines that open a deciding block (e.g. any def)")
    match: str = Field(description="Regex the deciding block line must match (e.g. async def)")

    @field_validator("block", "match")
    @classmethod
    def _regex(cls, value: str) -> str:
        return _compile(value)


class Detector(_Strict):
    """A deterministic check over added lines; use only where a pattern proves the violation."""

    pattern: str = Field(description="Python regex searched in each added line")
    not_pattern: str | None = Field(
        default=None, description="Regex that suppresses the finding when found in the line's whole statement"
    )
    ignore_case: bool = False
    lines: LineFilter = Field(default="code", description="Which lines to search: code, comment or any")
    enclosing: Enclosing | None = None

    @field_validator("pattern", "not_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return _compile(value)


class Examples(_Strict):
    """Snippets that must fire and must not fire; they double as detector test fixtures."""

    fire: list[str] = Field(min_length=1)
    pass_: list[str] = Field(alias="pass", min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Rule(_Strict):
    """One Engineering Codex rule."""

    id: str = Field(description="Area prefix and number, e.g. SEC-001", json_schema_extra={"pattern": ID_PATTERN})
    title: str = Field(min_length=3, max_length=90, description="Names the pattern, e.g. 'Bare `except:`'")
    rule: str = Field(min_length=10, description="Conditional form: 'If you X, you must Y.'")
    why: str = Field(min_length=10)
    category: Category
    severity: Severity
    scope: Scope = Field(default_factory=Scope)
    examples: Examples
    references: list[str] = Field(default_factory=list)
    status: RuleStatus = "stable"
    since: str = Field(
        description="Version that introduced the rule, e.g. 0.1.0", json_schema_extra={"pattern": r"^\d+\.\d+\.\d+$"}
    )
    replaced_by: str | None = Field(default=None, description="The rule that supersedes a retired one")
    detector: Detector | None = None

    @field_validator("id", "replaced_by")
    @classmethod
    def _rule_id(cls, value: str | None) -> str | None:
        if value is not None and not re.match(ID_PATTERN, value):
            raise ValueError(f"'{value}' is not a rule ID like SEC-001 (upper-case prefix, '-', 3-4 digits)")
        return value

    @field_validator("since", mode="before")
    @classmethod
    def _version(cls, value: object) -> object:
        if not isinstance(value, str) or not re.match(r"^\d+\.\d+\.\d+$", value):
            raise ValueError(f"'{value}' is not a version like 0.1.0 (quote it in YAML)")
        return value

    @field_validator("rule")
    @classmethod
    def _conditional(cls, value: str) -> str:
        if not re.match(r"^(If|When)\b", value) or not re.search(r"\bmust\b", value):
            raise ValueError("must be conditional: 'If you X, you must Y.'")
        return value

    @model_validator(mode="after")
    def _replacement(self) -> Rule:
        if self.replaced_by is not None and self.status == "stable":
            raise ValueError("replaced_by is only allowed on deprecated or removed rules")
        return self

    @property
    def active(self) -> bool:
        """True unless the rule was removed (removed IDs stay known, never reused)."""
        return self.status != "removed"

    def applies_to(self, path: str) -> bool:
        """Return True when the rule is active and ``path`` is in its scope."""
        return self.active and self.scope.covers(path)

    @property
    def prefix(self) -> str:
        """The area prefix of the ID (``SEC`` for ``SEC-001``)."""
        return self.id.split("-", 1)[0]


def rule_json_schema() -> dict:
    """Return the JSON Schema of a rule file (``codex_rules/schema.json`` is generated from it)."""
    schema = Rule.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Engineering Codex rule"
    return schema

