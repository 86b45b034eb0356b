"""``reviewer rules check``: validate rule folders and prove every detector and analyzer example."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from reviewer.codex.analyzers import run_tool, tool_available
from reviewer.codex.detectors import snippet_fires
from reviewer.codex.loader import display_path, rule_files
from reviewer.codex.schema import ANALYZER_TOOLS, Rule
from reviewer.errors import RuleError
from reviewer.yaml_mapping import describe_errors, load_mapping

__all__ = ["AREA_PREFIXES", "check_rules"]

AREA_PREFIXES = {
    "security": "SEC", "errors": "ERR", "python": "PY", "javascript": "JS", "go": "GO",
    "sql": "SQL", "docs": "DOC", "performance": "PERF", "release": "REL",
}
"""The ID prefix each shipped area folder requires; other folders may use any prefix."""

_FILE_NAME = re.compile(r"^(?P<id>[A-Z][A-Z0-9]{1,9}-\d{3,4})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.ya?ml$")


def check_rules(dirs: Iterable[str | Path], notes: list[str] | None = None) -> list[str]:
    """Return every problem in the rule files under ``dirs`` (an empty list means valid).

    Checks: YAML and schema, file name ``<ID>-<slug>.yaml``, the area prefix of the folder,
    IDs unique across all folders, ``replaced_by`` targets, that each detector fires on
    every ``fire`` example and on no ``pass`` example, and that each analyzer mapping holds on
    the examples (``_analyzer_examples``). What could not be checked (an analyzer that is not
    installed) is appended to ``notes``.
    """
    problems: list[str] = []
    seen: dict[str, str] = {}
    loaded: list[tuple[str, Rule]] = []
    for folder in (Path(d) for d in dirs):
        if not folder.is_dir():
            problems.append(f"{folder}: Codex rules folder not found")
            continue
        for file in rule_files(folder):
            shown = display_path(file, folder)
            rule, errors = _parse(file, shown)
            problems.extend(errors)
            if rule is None:
                continue
            problems.extend(_naming(rule, file, folder, shown))
            if rule.id in seen:
                problems.append(f"{shown}: duplicate id '{rule.id}' (already used by {seen[rule.id]})")
                continue
            seen[rule.id] = shown
            loaded.append((shown, rule))
    for shown, rule in loaded:
        if rule.replaced_by and rule.replaced_by not in seen:
            problems.append(f"{shown}: replaced_by '{rule.replaced_by}' is not a known rule")
        problems.extend(_examples(rule, shown))
    problems.extend(_analyzer_examples(loaded, notes if notes is not None else []))
    return problems


def _parse(file: Path, shown: str) -> tuple[Rule | None, list[str]]:
    """Validate one file; return the rule or the problems (one per bad key)."""
    try:
        data = load_mapping(file.read_text(encoding="utf-8"), shown, RuleError)
    except (OSError, UnicodeDecodeError):
        return None, [f"{shown}: not valid YAML"]
    except RuleError as exc:
        return None, [str(exc)]
    try:
        return Rule.model_validate(data), []
    except ValidationError as exc:
        return None, [f"{shown}: {message}" for message in describe_errors(exc)]


def _naming(rule: Rule, file: Path, folder: Path, shown: str) -> list[str]:
    """File name must be ``<ID>-<slug>.yaml``; a shipped area folder fixes the ID prefix."""
    problems = []
    name = _FILE_NAME.match(file.name)
    if name is None:
        problems.append(f"{shown}: file name must be '<ID>-<slug>.yaml' with a lower-case kebab-case slug")
    elif name["id"] != rule.id:
        problems.append(f"{shown}: key 'id' is '{rule.id}' but the file name says '{name['id']}'")
    area = file.resolve().relative_to(folder.resolve()).parts[0] if file.parent != folder else None
    expected = AREA_PREFIXES.get(area or "")
    if expected and rule.prefix != expected:
        problems.append(f"{shown}: key 'id' in folder '{area}/' must start with '{expected}-'")
    return problems


def _examples(rule: Rule, shown: str) -> list[str]:
    """A detector must fire on each ``fire`` example and stay silent on each ``pass`` example."""
    if rule.detector is None:
        return []
    problems = []
    for number, snippet in enumerate(rule.examples.fire, start=1):
        if not snippet_fires(rule, snippet):
            problems.append(f"{shown}: examples.fire[{number}] does not trigger the detector")
    for number, snippet in enumerate(rule.examples.pass_, start=1):
        if snippet_fires(rule, snippet):
            problems.append(f"{shown}: examples.pass[{number}] triggers the detector")
    return problems


_SUFFIX = {"python": ".py", "shell": ".sh"}


def _analyzer_examples(loaded: list[tuple[str, Rule]], notes: list[str]) -> list[str]:
    """Each analyzer mapping, proved on the rule's examples (one run per analyzer for all rules).

    No ``pass`` example may produce a mapped code (the analyzer would bring back a false
    positive the rule rules out). A rule checked only by its analyzer needs every ``fire``
    example to produce a mapped code; a rule that also has a detector needs at least one.
    Snippets are dedented (an indented one-liner is still code to the analyzer).
    """
    problems: list[str] = []
    for tool, language in ANALYZER_TOOLS.items():
        mapped = [(shown, rule) for shown, rule in loaded if rule.active and any(a.tool == tool for a in rule.analyzer)]
        if not mapped:
            continue
        if not tool_available(tool):
            notes.append(f"{tool} is not installed: the analyzer examples of {len(mapped)} rule(s) were not run")
            continue
        texts: dict[str, str] = {}
        for _, rule in mapped:
            for kind, snippets in (("fire", rule.examples.fire), ("pass", rule.examples.pass_)):
                for number, snippet in enumerate(snippets, start=1):
                    texts[f"{rule.id}/{kind}_{number}{_SUFFIX[language]}"] = textwrap.dedent(snippet)
        codes = {c for _, r in mapped for a in r.analyzer if a.tool == tool for c in a.codes}
        run = run_tool(tool, texts, codes)
        if not run.ran:
            problems.append(f"{tool} could not check the analyzer examples ({run.problem})")
            continue
        found: dict[str, set[str]] = {}
        for hit in run.hits:
            found.setdefault(hit.path, set()).add(hit.code)
        for shown, rule in mapped:
            own = {c for a in rule.analyzer if a.tool == tool for c in a.codes}
            fired = [bool(found.get(f"{rule.id}/fire_{n}{_SUFFIX[language]}", set()) & own)
                     for n in range(1, len(rule.examples.fire) + 1)]
            for number in range(1, len(rule.examples.pass_) + 1):
                hit = found.get(f"{rule.id}/pass_{number}{_SUFFIX[language]}", set()) & own
                if hit:
                    problems.append(f"{shown}: examples.pass[{number}] triggers {tool} {', '.join(sorted(hit))}")
            if rule.detector is None:
                problems.extend(f"{shown}: examples.fire[{n}] does not trigger {tool} ({', '.join(sorted(own))})"
                                for n, ok in enumerate(fired, start=1) if not ok)
            elif not any(fired):
                problems.append(f"{shown}: no examples.fire triggers {tool} ({', '.join(sorted(own))}); "
                                "add one that shows the mapping")
    return problems
