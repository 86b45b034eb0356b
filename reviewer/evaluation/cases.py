"""Evaluation cases: a directory holding ``case.yaml`` (a change and the findings it should get).

Looking for cases skips hidden directories and never looks inside a case directory, so a
repository checked out beside a ``case.yaml`` is not searched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewer.errors import ConfigError
from reviewer.globs import normalise_path
from reviewer.models import Category, Severity
from reviewer.yaml_mapping import load_mapping

__all__ = ["CASE_FILE", "Case", "Expected", "load_case", "load_cases"]

CASE_FILE = "case.yaml"


class Expected(BaseModel):
    """A finding the reviewer should report: where (head-file lines), what area, how severe at least."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    lines: tuple[int, int] = Field(description="First and last line in the head file")
    category: Category
    severity: Severity = Field(default=Severity.SUGGESTION, description="Minimum severity that agrees")
    rule_id: str | None = None
    why: str

    @property
    def first(self) -> int:
        """First line of the range."""
        return self.lines[0]

    @property
    def last(self) -> int:
        """Last line of the range."""
        return self.lines[1]

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        path = normalise_path(value.strip())
        if not path:
            raise ValueError("must not be empty")
        return path

    @field_validator("lines", mode="before")
    @classmethod
    def _lines(cls, value: Any) -> tuple[int, int]:
        """Accept ``n``, ``[n]`` or ``[first, last]``; every line positive, first ≤ last."""
        items = value if isinstance(value, list) else [value]
        if not 1 <= len(items) <= 2 or not all(isinstance(n, int) and not isinstance(n, bool) for n in items):
            raise ValueError("must be a line number or [first, last]")
        first, last = items[0], items[-1]
        if first < 1 or last < 1:
            raise ValueError("line numbers must be positive")
        if first > last:
            raise ValueError(f"first line {first} is after last line {last}")
        return first, last

    @field_validator("why")
    @classmethod
    def _why(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


class _CaseFile(BaseModel):
    """The schema of ``case.yaml``."""

    model_config = ConfigDict(extra="forbid")

    repo: str
    base: str
    head: str
    title: str = ""
    description: str = ""
    expected: list[Expected] = Field(default_factory=list)
    notes: Any = None
    language: str | None = None
    tags: list[str] = Field(default_factory=list)
    source: str | None = Field(default=None, description="Where the case came from (written by the importers)")

    @field_validator("repo", "base", "head", mode="before")
    @classmethod
    def _non_empty(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be a non-empty string (quote a SHA that YAML would read as a number)")
        return value.strip()

    @field_validator("title", "description", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("expected", "tags", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        return [] if value is None else value


@dataclass(frozen=True)
class Case:
    """One loaded case; ``name`` is its directory relative to the root searched ("." for the root)."""

    name: str
    dir: Path
    repo_path: Path
    base: str
    head: str
    title: str = ""
    description: str = ""
    expected: list[Expected] = field(default_factory=list)
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    source: str | None = None

    @property
    def clean(self) -> bool:
        """True when the reviewer should report nothing."""
        return not self.expected

    @property
    def is_bundle(self) -> bool:
        """True when the repository is a git bundle file (else a repository directory)."""
        return self.repo_path.is_file()


def load_cases(root: Path) -> list[Case]:
    """Every case under ``root`` (``root`` itself may be one), sorted by name; ConfigError if none."""
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(f"{root}: not a directory")
    files = []
    for current, dirs, names in os.walk(root):
        if CASE_FILE in names:
            files.append(Path(current) / CASE_FILE)
            dirs.clear()  # a case directory is a leaf
        else:
            dirs[:] = [d for d in dirs if not d.startswith(".")]
    if not files:
        raise ConfigError(f"no {CASE_FILE} under {root}")
    cases = [load_case(file, (file.parent.relative_to(root).as_posix())) for file in files]
    return sorted(cases, key=lambda c: c.name)


def load_case(file: Path, name: str | None = None) -> Case:
    """Read and check one ``case.yaml``; ``name`` defaults to its directory's name."""
    file = Path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from exc
    data = load_mapping(text, str(file))
    try:
        spec = _CaseFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{file}: {_first_error(exc)}") from exc
    repo_path = (file.parent / spec.repo).resolve()
    if not repo_path.exists():
        raise ConfigError(f"{file}: repo: {spec.repo} does not exist (a git bundle or repository directory)")
    return Case(
        name=name if name is not None else file.parent.name,
        dir=file.parent,
        repo_path=repo_path,
        base=spec.base,
        head=spec.head,
        title=spec.title,
        description=spec.description,
        expected=list(spec.expected),
        language=spec.language,
        tags=list(spec.tags),
        source=spec.source,
    )


def _first_error(exc: ValidationError) -> str:
    """The first validation problem as ``key.path: problem`` on one line."""
    err = exc.errors()[0]
    loc = _location(err["loc"])
    if err["type"] == "extra_forbidden":
        model = Expected if "expected" in err["loc"][:1] and len(err["loc"]) > 2 else _CaseFile
        allowed = ", ".join(sorted(model.model_fields))
        problem = f"unknown key (allowed: {allowed})"
    elif err["type"] == "missing":
        problem = "required"
    elif err["type"] in ("model_type", "dict_type"):
        problem = "must be a mapping of keys"
    else:
        problem = str(err["msg"]).removeprefix("Value error, ")
    return " ".join(f"{loc}: {problem}".split()) if loc else " ".join(problem.split())


def _location(loc: tuple) -> str:
    """``('expected', 1, 'lines')`` → ``expected[1].lines``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
