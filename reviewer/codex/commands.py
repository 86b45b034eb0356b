"""Bodies of ``reviewer rules check`` and ``reviewer rules list``; each returns an exit code."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from reviewer.codex.check import check_rules
from reviewer.codex.loader import load_rules, rule_dirs

__all__ = ["rules_check", "rules_list"]


def rules_check(extra_dirs: Iterable[str | Path] = ()) -> int:
    """Validate the packaged rules and ``extra_dirs``; print 'N rules OK' or one line per problem."""
    extra = list(extra_dirs)
    dirs = rule_dirs(extra)
    notes: list[str] = []
    problems = check_rules(dirs, notes)
    for note in notes:
        print(f"reviewer: note: {note}", file=sys.stderr)
    if problems:
        for problem in problems:
            print(problem)
        return 1
    print(f"{len(load_rules(extra))} rules OK")
    return 0


def rules_list(path: str | None = None, extra_dirs: Iterable[str | Path] = ()) -> int:
    """Print ``ID  severity  category  title`` for the rules that apply to ``path`` (or all)."""
    rules = load_rules(extra_dirs)
    shown = rules.for_path(path) if path else [r for r in rules.all() if r.active]
    if not shown:
        print(f"no Codex rule applies to {path}" if path else "no Codex rules")
        return 0
    width = max(len(r.id) for r in shown)
    print(f"{'ID':<{width}}  {'severity':<10}  {'category':<11}  title")
    for rule in shown:
        status = "" if rule.status == "stable" else f" ({rule.status})"
        print(f"{rule.id:<{width}}  {rule.severity.value:<10}  {rule.category.value:<11}  {rule.title}{status}")
    return 0
