"""What the added lines use: the repository definitions their names resolve to, as regions."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from reviewer.context.outline import Definition, Outline
from reviewer.context.references import references
from reviewer.context.regions import Region
from reviewer.context.resolve import Found, Resolver

__all__ = ["SHORT_DEFINITION", "Used", "definition_region", "used_definitions"]

SHORT_DEFINITION = 30
"""Definitions up to this many lines are shown whole; longer ones as signature and docs."""
_CONSTRUCTORS = ("__init__", "constructor")


@dataclass(frozen=True)
class Used:
    """A definition the change uses, and whether it calls it."""

    found: Found
    call: bool


def used_definitions(outline: Outline, added: Collection[int], resolver: Resolver) -> list[Used]:
    """The distinct definitions the ``added`` lines of ``outline`` refer to, in order of first use."""
    lines = {line for line in added if not outline.touches_error(line, line)}
    used: dict[tuple[str, str], Used] = {}
    for ref in references(outline, lines):
        found = resolver.resolve(outline, ref)
        if found is None:
            continue
        key = (found.path, found.definition.qualified)
        known = used.get(key)
        if known is None or (ref.call and not known.call):
            used[key] = Used(found, ref.call)
    return list(used.values())


def definition_region(used: Used, outline: Outline) -> Region:
    """The region of a used definition (``outline`` is its file): whole when short, else signature and docs."""
    definition = used.found.definition
    lines = set(range(definition.first, definition.end + 1))
    if definition.length > SHORT_DEFINITION:
        lines = _signature_and_docs(definition)
        constructor = next((outline.by_qualified[f"{definition.qualified}.{name}"] for name in _CONSTRUCTORS
                            if f"{definition.qualified}.{name}" in outline.by_qualified), None)
        if definition.kind == "class" and constructor is not None:
            lines |= _signature_and_docs(constructor)
    note = "called by the change" if used.call else "used by the change"
    return Region("definition", used.found.path, definition.qualified, frozenset(lines),
                  definition.first, definition.end, note)


def _signature_and_docs(definition: Definition) -> set[int]:
    lines = set(range(definition.first, definition.signature_end + 1))
    if definition.doc is not None:
        lines.update(range(definition.doc[0], definition.doc[1] + 1))
    return lines
