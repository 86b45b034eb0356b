"""Small builders for expected and reported findings in the evaluation tests."""

from __future__ import annotations

from reviewer.evaluation.cases import Expected
from reviewer.evaluation.matching import Reported
from reviewer.models import Category, Severity


def exp(path: str = "app/db.py", lines: int | list[int] = (10, 12), category: str = "security",
        severity: str = "suggestion", rule_id: str | None = None, why: str = "a reason") -> Expected:
    """An expected finding (``lines`` as in case.yaml)."""
    return Expected(path=path, lines=list(lines) if isinstance(lines, tuple) else lines,
                    category=category, severity=severity, rule_id=rule_id, why=why)


def rep(path: str = "app/db.py", first: int | None = 10, last: int | None = None, category: str = "security",
        severity: str = "important", title: str = "t", agent: str = "a") -> Reported:
    """A reported finding; ``first=None`` is a file-level one."""
    return Reported(path=path, first=first, last=last, category=Category(category), severity=Severity(severity),
                    title=title, agent=agent)
