"""The code around each change: its function, its class header and member, or its top-level statement.

Rules:

- A changed line inside functions is shown with the outermost enclosing function of at most
  ``WHOLE_FUNCTION`` lines; when every enclosing function is longer, the innermost one is shown
  as its signature (decorators and leading comment included) plus ``WINDOW`` lines either side
  of each change in it, with ``… N lines omitted …`` markers for the rest.
- A change in a class or type outside its methods shows the whole class when it is at most
  ``SMALL_CLASS`` lines, else its header (plus ``HEADER_EXTRA`` lines) and the member statement
  around the change.
- A change at module level shows the top-level statement around it (a few lines when it is
  on a blank line), cut like a long function when over ``WHOLE_FUNCTION`` lines.
- When the chosen block contains a syntax error, the change falls back to a line window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reviewer.context.outline import Outline
from reviewer.context.regions import Region
from reviewer.context.window import window_regions

__all__ = ["HEADER_EXTRA", "SMALL_CLASS", "WHOLE_FUNCTION", "WINDOW", "enclosing_regions"]

WHOLE_FUNCTION = 80
WINDOW = 10
SMALL_CLASS = 30
HEADER_EXTRA = 3
_AROUND = 2  # lines either side of a change on a blank line between statements


@dataclass(frozen=True)
class _Block:
    """A block to show: its extent, the lines always kept, and the part cut when long."""

    symbol: str
    start: int
    end: int
    keep: tuple[int, int]
    body: tuple[int, int]


def enclosing_regions(outline: Outline, changed: Iterable[int], notes: Mapping[str, str]) -> list[Region]:
    """The enclosing regions of ``changed`` lines of ``outline``; ``notes`` by qualified name."""
    groups: dict[_Block, list[int]] = {}
    broken: list[int] = []
    for line in changed:
        block = _block(outline, line)
        if outline.touches_error(block.start, block.end):
            broken.append(line)
        else:
            groups.setdefault(block, []).append(line)
    regions = [_region(outline.path, block, lines, notes.get(block.symbol, "")) for block, lines in groups.items()]
    return regions + window_regions(outline.path, broken, len(outline.lines))


def _block(outline: Outline, line: int) -> _Block:
    chain = outline.containers(line)
    functions = [d for d in reversed(chain) if d.is_function]
    if functions:
        pick = next((f for f in functions if f.length <= WHOLE_FUNCTION), functions[-1])
        return _Block(pick.qualified, pick.first, pick.end, (pick.first, pick.signature_end), (pick.first, pick.end))
    owner = next((d for d in chain if d.kind in ("class", "type")), None)
    if owner is not None:
        header = (owner.first, owner.signature_end)
        if owner.length <= SMALL_CLASS or owner.body is None:
            return _Block(owner.qualified, owner.first, owner.end, header, (owner.first, owner.end))
        member = outline.statement_at(owner.body, line) or _around(line, owner.first, owner.end)
        keep = (owner.first, min(owner.end, owner.signature_end + HEADER_EXTRA))
        return _Block(owner.qualified, owner.first, owner.end, keep, member)
    statement = outline.statement_at(outline.root, line) or _around(line, 1, len(outline.lines))
    return _Block("<module>", statement[0], statement[1], (statement[0], statement[0]), statement)


def _around(line: int, low: int, high: int) -> tuple[int, int]:
    return max(low, line - _AROUND), min(high, line + _AROUND)


def _region(path: str, block: _Block, changed: list[int], note: str) -> Region:
    shown = set(range(block.keep[0], block.keep[1] + 1))
    low, high = block.body
    if high - low + 1 <= WHOLE_FUNCTION:
        shown.update(range(low, high + 1))
    else:
        for line in changed:
            shown.update(range(max(low, line - WINDOW), min(high, line + WINDOW) + 1))
    return Region("enclosing", path, block.symbol, frozenset(shown), block.start, block.end, note)
