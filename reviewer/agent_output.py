"""The JSON shape an agent's model must return, and its conversion into ``Finding`` values.

The schema is OpenAI-strict friendly: every field is required, optional values are nullable,
and strings and lists carry size limits. Validation salvages what it can: findings are checked
one by one, so one bad finding is dropped (with its reason) and its siblings are kept; text
over a size limit is cut, not fatal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, ValidatorFunctionWrapHandler, field_validator,
    model_validator,
)

from reviewer.llm_schema import summarise_errors
from reviewer.models import DroppedFinding, Finding, Severity
from reviewer.short_text import shorten, truncate

if TYPE_CHECKING:
    from reviewer.agents import AgentSpec

MAX_REPORT_FINDINGS = 20
MAX_DROPPED_TEXT = 300  # of one field of a dropped finding, in the report
_PUBLIC_KEYS = ("path", "line", "end_line", "severity", "rule_id", "title", "body", "suggestion")


_SEVERITY_SYNONYMS = {
    "blocker": "critical", "high": "important", "major": "important", "error": "important",
    "medium": "suggestion", "minor": "suggestion", "warning": "suggestion",
    "low": "note", "info": "note", "optional": "note", "optional note": "note", "nit": "note",
}


class ModelFinding(BaseModel):
    """One problem the model found, anchored to lines of the diff it was shown."""

    # The schema sent to the model is strict (every field required). Validation forgives what
    # loses nothing: omitted nullable fields default to null, unknown keys are ignored, and the
    # usual severity words (high, minor, …) map onto ours. The docstring above goes to the model.
    model_config = ConfigDict(extra="ignore")

    path: str = Field(max_length=500, description="File path exactly as in the diff header")
    line: int = Field(description="First line number, as printed before the diff line")
    end_line: int | None = Field(default=None, description="Last line of a multi-line finding, else null")
    side: Literal["new", "old"] | None = Field(
        default=None, description='"old" when line is a removed line (old-file number), else "new"'
    )
    severity: Severity = Field(description="critical, important, suggestion or note")
    rule_id: str | None = Field(
        default=None, max_length=20, description="A Codex rule ID from the given list, else null"
    )
    title: str = Field(max_length=200, description="The problem in one line")
    body: str = Field(default="", max_length=800, description="Why it matters and how to fix it, in a few sentences")
    suggestion: str | None = Field(
        default=None, max_length=1200, description="Replacement code for lines line..end_line, else null"
    )

    @field_validator("title", "body", mode="before")
    @classmethod
    def _cut_text(cls, value: object, info: Any) -> object:
        """Text over its limit is cut at a word boundary, never a reason to lose the finding."""
        limit = _max_length(cls, info.field_name)
        if isinstance(value, str) and limit and len(value) > limit:
            return shorten(value, limit) if info.field_name == "title" else truncate(value, limit)
        return value

    @field_validator("suggestion", "rule_id", mode="before")
    @classmethod
    def _drop_oversized(cls, value: object, info: Any) -> object:
        """An oversized suggestion (cut code is wrong code) or rule ID (no rule has one) is left out."""
        limit = _max_length(cls, info.field_name)
        return None if isinstance(value, str) and limit and len(value) > limit else value

    @field_validator("line", mode="before")
    @classmethod
    def _no_line(cls, value: object) -> object:
        """``"line": null`` means the finding is about the whole file (line 0 below)."""
        return 0 if value is None else value

    @field_validator("severity", mode="before")
    @classmethod
    def _severity_word(cls, value: object) -> object:
        """Accept any case and the usual synonyms (high → important, low → note, …)."""
        if isinstance(value, str):
            word = value.strip().lower()
            return _SEVERITY_SYNONYMS.get(word, word)
        return value


class AgentReport(BaseModel):
    """An agent's whole answer for one chunk: possibly no findings at all."""

    model_config = ConfigDict(extra="ignore")

    findings: list[ModelFinding] = Field(max_length=MAX_REPORT_FINDINGS)
    _dropped: list[tuple[Any, str]] = PrivateAttr(default_factory=list)

    @property
    def dropped(self) -> list[tuple[Any, str]]:
        """The findings that did not validate (or were over the limit), as ``(item, reason)``."""
        return self._dropped

    @model_validator(mode="wrap")
    @classmethod
    def _salvage(cls, data: object, handler: ValidatorFunctionWrapHandler) -> AgentReport:
        """Validate findings one by one: keep the valid ones (up to the limit), drop the rest."""
        data = _bare_shapes(data)
        items = data.get("findings") if isinstance(data, dict) else None
        if not isinstance(items, list):
            return handler(data)
        kept: list[Any] = []
        dropped: list[tuple[Any, str]] = []
        for item in items:
            try:
                ModelFinding.model_validate(item)
            except ValidationError as exc:
                dropped.append((item, f"does not match the schema: {summarise_errors(exc)}"))
                continue
            if len(kept) < MAX_REPORT_FINDINGS:
                kept.append(item)
            else:
                dropped.append((item, f"over the limit of {MAX_REPORT_FINDINGS} findings in one reply"))
        report = handler({**data, "findings": kept})
        report._dropped = dropped
        return report


def _bare_shapes(data: object) -> object:
    """A bare list of findings, or ``"findings": null``, says the same thing as the schema."""
    if isinstance(data, list):
        return {"findings": data}
    if isinstance(data, dict) and "findings" in data and data["findings"] is None:
        return {**data, "findings": []}
    return data


def _max_length(model: type[BaseModel], name: str) -> int | None:
    """The ``max_length`` constraint of field ``name`` of ``model``, if any."""
    for meta in model.model_fields[name].metadata:
        limit = getattr(meta, "max_length", None)
        if isinstance(limit, int):
            return limit
    return None


def dropped_findings(report: AgentReport, spec: AgentSpec) -> list[DroppedFinding]:
    """The findings ``report`` left out, for the JSON report (stage ``validate``)."""
    out = []
    for item, reason in report.dropped:
        fields = item if isinstance(item, dict) else {"title": item}
        finding = {key: _bounded(fields.get(key)) for key in _PUBLIC_KEYS}
        finding["category"] = spec.category.value
        out.append(DroppedFinding(stage="validate", reason=reason, agent=spec.name, finding=finding))
    return out


def _bounded(value: Any) -> Any:
    """A JSON value kept small: long text cut, nested values shown as short text."""
    if isinstance(value, str):
        return shorten(value, MAX_DROPPED_TEXT)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return shorten(repr(value), MAX_DROPPED_TEXT)


def to_findings(report: AgentReport, spec: AgentSpec) -> list[Finding]:
    """Turn a validated report into findings of ``spec``'s category, most severe first, capped.

    Values are normalised (blank strings to None, reversed ranges ordered, rule IDs upper-cased);
    whether a path, line or rule really exists is the judge's job.
    """
    ranked = sorted(report.findings, key=lambda f: -f.severity.rank)[: spec.limits.max_findings]
    findings = []
    for item in ranked:
        title = item.title.strip()
        if not title:
            continue
        line: int | None = item.line
        end_line = item.end_line
        if line < 1:
            line = end_line = None  # no usable line: the finding is about the file
        elif end_line is not None and end_line < line:
            line, end_line = end_line, line
        if end_line == line:
            end_line = None
        findings.append(
            Finding(
                path=item.path.strip().removeprefix("./"),
                line=line,
                end_line=end_line,
                side=item.side or "new",
                severity=item.severity,
                category=spec.category,
                rule_id=(item.rule_id or "").strip().upper() or None,
                title=title,
                body=item.body.strip(),
                suggestion=item.suggestion if item.suggestion and item.suggestion.strip() else None,
                agent=spec.name,
            )
        )
    return findings
