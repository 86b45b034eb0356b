"""How a definition's signature changed between the base and the head, in words."""

from __future__ import annotations

from reviewer.context.outline import Definition
from reviewer.context.syntax.base import Param

__all__ = ["signature_change"]


def signature_change(old: Definition, new: Definition) -> str:
    """``signature changed: parameter `timeout` added, …``; '' when callers see no difference."""
    parts = _param_changes(old.params or (), new.params or ())
    if old.returns != new.returns:
        parts.append("return type changed")
    if parts:
        return "signature changed: " + ", ".join(parts)
    return "signature changed" if old.header != new.header else ""


def _param_changes(old: tuple[Param, ...], new: tuple[Param, ...]) -> list[str]:
    old_names = [p.name for p in old]
    new_names = [p.name for p in new]
    added = [n for n in new_names if n not in old_names]
    removed = [n for n in old_names if n not in new_names]
    if len(added) == len(removed) == 1 and old_names.index(removed[0]) == new_names.index(added[0]):
        parts = [f"parameter `{removed[0]}` renamed to `{added[0]}`"]
    else:
        parts = [f"parameter `{n}` added" for n in added] + [f"parameter `{n}` removed" for n in removed]
    kept_old = [n for n in old_names if n in new_names]
    if kept_old != [n for n in new_names if n in old_names]:
        parts.append("parameters reordered")
    before = {p.name: p for p in old}
    for param in new:
        if param.name in before:
            parts.extend(_param_difference(before[param.name], param))
    return parts


def _param_difference(old: Param, new: Param) -> list[str]:
    parts = []
    if old.default != new.default:
        if old.default is None:
            parts.append(f"parameter `{new.name}` made optional")
        elif new.default is None:
            parts.append(f"parameter `{new.name}` made required")
        else:
            parts.append(f"default of `{new.name}` changed")
    if old.annotation != new.annotation:
        parts.append(f"type of `{new.name}` changed")
    return parts
