"""The shape of one Engineering Codex rule file (strict: unknown keys are errors)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reviewer.codex.languages import LANGUAGES, language_of
from reviewer.globs import any_match
from reviewer.models import Category, Severity

__all__ = [
    "ANALYZER_TOOLS", "ID_PATTERN", "Analyzer", "Detector", "Enclosing", "Evidence", "Examples", "Inside", "Rule",
    "Scope", "TreeQuery", "Where", "rule_json_schema",
]

ID_PATTERN = r"^[A-Z][A-Z0-9]{1,9}-\d{3,4}$"
"""A rule ID: an area prefix and a number, e.g. ``SEC-001``. IDs are never reused."""

RuleStatus = Literal["stable", "deprecated", "removed"]
LineFilter = Literal["code", "comment", "any"]
Evidence = Literal["proof", "hint"]
"""What a deterministic match shows: ``proof`` (the match is the violation: reported at the
rule's severity) or ``hint`` (a lead: reported at most as ``suggestion``)."""
AnalyzerTool = Literal["ruff", "shellcheck"]
ANALYZER_TOOLS: dict[str, str] = {"ruff": "python", "shellcheck": "shell"}
"""Each analyzer the reviewer runs, and the language of the files it reads."""
_CODE_FORMS = {"ruff": re.compile(r"^[A-Z]{1,6}[0-9]{1,4}$"), "shellcheck": re.compile(r"^SC[0-9]{4}$")}
_PLACEHOLDER = re.compile(r"\{@([A-Za-z_][\w.-]*)\}")


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


def _placeholders(value: str) -> list[str]:
    """The capture names a condition regex interpolates as ``{@name}``."""
    return _PLACEHOLDER.findall(value)


def _compile_template(value: str | None) -> str | None:
    """Check a condition regex, its ``{@capture}`` placeholders standing for escaped text."""
    if value is not None:
        _compile(_PLACEHOLDER.sub("x", value))
    return value


class Scope(_Strict):
    """Which files a rule applies to: a path matching a glob, not excluded, in a listed language."""

    globs: list[str] = Field(default_factory=lambda: ["**"], min_length=1, description="Paths the rule covers")
    exclude: list[str] = Field(default_factory=list, description="Paths the rule never covers (tests, scripts…)")
    languages: list[str] = Field(default_factory=list, description="Languages covered; empty means any")
    note: list[str] = Field(
        default_factory=list,
        description="Paths still covered, where findings are only a note (documented fixture folders)",
    )

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


class Inside(_Strict):
    """A condition on the nodes that enclose the match (its ancestors in the syntax tree).

    The enclosing nodes of one of ``kinds`` are looked at (only the nearest one with
    ``nearest``; only within ``depth`` levels up when set); the condition holds when one of
    them exists and, with ``pattern``, the text of its ``field`` child (the whole node without
    ``field``) matches ``pattern``.
    """

    kinds: list[str] = Field(min_length=1, description="Node types, e.g. if_statement, function_definition")
    field: str | None = Field(default=None, description="Child field whose text is tested, e.g. condition")
    pattern: str | None = Field(default=None, description="Regex searched in that text ({@capture} allowed)")
    nearest: bool = Field(default=False, description="Test only the nearest enclosing node of these kinds")
    depth: int | None = Field(default=None, ge=1, description="Look at most this many levels up")

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return _compile_template(value)


class Where(_Strict):
    """Conditions on a query match; every condition given must hold for the match to be reported.

    Regexes may contain ``{@name}``: the text of capture ``name``, escaped. A condition that
    names a capture the match does not have (an optional capture) is skipped.
    """

    text: dict[str, str] = Field(default_factory=dict, description="Capture → regex its text must match")
    not_text: dict[str, str] = Field(default_factory=dict, description="Capture → regex its text must not match")
    literal: list[str] = Field(default_factory=list, description="Captures that must be constants")
    not_literal: list[str] = Field(
        default_factory=list, description="Captures that must not be constants (strings without interpolation, "
                                          "numbers, booleans, null, and operations on them)"
    )
    inside: list[Inside] = Field(default_factory=list, description="Enclosing nodes that must exist")
    not_inside: list[Inside] = Field(default_factory=list, description="Enclosing nodes that must not exist")
    followed_by: str | None = Field(
        default=None, description="Regex the code after the match, to the end of its function, must match"
    )
    not_followed_by: str | None = Field(
        default=None, description="Regex the code after the match, to the end of its function, must not match"
    )
    in_function: str | None = Field(default=None, description="Regex the enclosing function must match")
    not_in_function: str | None = Field(default=None, description="Regex the enclosing function must not match")

    @field_validator("text", "not_text")
    @classmethod
    def _regexes(cls, value: dict[str, str]) -> dict[str, str]:
        for pattern in value.values():
            _compile_template(pattern)
        return value

    @field_validator("followed_by", "not_followed_by", "in_function", "not_in_function")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return _compile_template(value)

    def captures(self) -> set[str]:
        """Every capture name the conditions refer to."""
        names = {*self.text, *self.not_text, *self.literal, *self.not_literal}
        regexes = [*self.text.values(), *self.not_text.values(), self.followed_by, self.not_followed_by,
                   self.in_function, self.not_in_function, *(i.pattern for i in (*self.inside, *self.not_inside))]
        for regex in regexes:
            names.update(_placeholders(regex or ""))
        return names


class TreeQuery(_Strict):
    """A tree-sitter query over the changed file's syntax tree (the parser of the code context)."""

    languages: list[str] = Field(min_length=1, description="Languages the query is written for")
    query: str = Field(min_length=3, description="tree-sitter query; predicates #eq?, #match?, #any-of? work")
    capture: str = Field(default="match", description="The capture reported: its first line, if added")
    where: Where = Field(default_factory=Where)
    evidence: Evidence | None = Field(default=None, description="Overrides the rule's evidence for this query")

    @model_validator(mode="after")
    def _compiles(self) -> TreeQuery:
        from reviewer.codex.tree_queries import TREE_LANGUAGES, query_captures

        unknown = sorted(set(self.languages) - set(TREE_LANGUAGES))
        if unknown:
            raise ValueError(f"no syntax tree for {', '.join(unknown)}; tree queries read "
                             f"{', '.join(sorted(TREE_LANGUAGES))}")
        for language in self.languages:
            captures = query_captures(language, self.query, self.capture)  # ValueError: the parser's message
            missing = sorted(self.where.captures() - captures)
            if missing:
                raise ValueError(f"where names capture(s) {', '.join(missing)} the query does not have")
        return self


class Detector(_Strict):
    """A deterministic check over the added lines: a line regex, tree queries, or both.

    With ``tree``, files in a language a query is written for are read through the syntax tree,
    and ``pattern`` (when given) only decides added lines the parser could not read (syntax
    errors) and files in the rule's other languages.
    """

    pattern: str | None = Field(default=None, description="Python regex searched in each added line")
    not_pattern: str | None = Field(
        default=None, description="Regex that suppresses the finding when found in the line's whole statement"
    )
    ignore_case: bool = False
    lines: LineFilter = Field(default="code", description="Which lines to search: code, comment or any")
    enclosing: Enclosing | None = None
    tree: list[TreeQuery] = Field(default_factory=list, description="Syntax-tree queries (see the README)")

    @field_validator("pattern", "not_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return _compile(value)

    @model_validator(mode="after")
    def _something_to_match(self) -> Detector:
        if self.pattern is None and not self.tree:
            raise ValueError("a detector needs a pattern, a tree query, or both")
        if self.pattern is None and (self.not_pattern or self.enclosing or self.ignore_case):
            raise ValueError("not_pattern, enclosing and ignore_case refine a pattern; this detector has none")
        return self

    def tree_for(self, language: str | None) -> list[TreeQuery]:
        """The queries written for ``language``."""
        return [q for q in self.tree if language in q.languages]


class Analyzer(_Strict):
    """A maintained analyzer that implements the rule: its codes, on added lines, are this rule."""

    tool: AnalyzerTool = Field(description="ruff (Python) or shellcheck (shell scripts)")
    codes: list[str] = Field(min_length=1, description="The tool's codes that mean this rule, e.g. S506, SC2164")

    @model_validator(mode="after")
    def _codes(self) -> Analyzer:
        form = _CODE_FORMS[self.tool]
        bad = [c for c in self.codes if not form.match(c)]
        if bad:
            raise ValueError(f"not {self.tool} code(s): {', '.join(bad)}")
        return self


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
    evidence: Evidence = Field(
        default="hint",
        description="What a detector or analyzer match shows: proof (reported at the rule's severity) or "
                    "hint (at most suggestion)",
    )
    detector: Detector | None = None
    analyzer: list[Analyzer] = Field(default_factory=list, description="Analyzers whose codes are this rule")

    @field_validator("analyzer", mode="before")
    @classmethod
    def _one_or_more(cls, value: object) -> object:
        return [value] if isinstance(value, dict) else value

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

    @model_validator(mode="after")
    def _languages_in_scope(self) -> Rule:
        scoped = set(self.scope.languages)
        if not scoped:
            return self
        for tree_query in self.detector.tree if self.detector else []:
            outside = sorted(set(tree_query.languages) - scoped)
            if outside:
                raise ValueError(f"detector.tree is written for {', '.join(outside)}, outside scope.languages")
        for analyzer in self.analyzer:
            if ANALYZER_TOOLS[analyzer.tool] not in scoped:
                raise ValueError(f"analyzer {analyzer.tool} reads {ANALYZER_TOOLS[analyzer.tool]} files, "
                                 "outside scope.languages")
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
    analyzer = schema["properties"]["analyzer"]
    schema["properties"]["analyzer"] = {  # one mapping or a list of them
        "anyOf": [{"$ref": "#/$defs/Analyzer"}, {"items": analyzer["items"], "type": "array"}],
        "description": analyzer["description"], "title": analyzer["title"],
    }
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Engineering Codex rule"
    return schema

