"""Per-language rules for the outline builder: one ``Syntax`` per language family."""

from __future__ import annotations

from reviewer.context.languages import Family
from reviewer.context.syntax.base import Syntax
from reviewer.context.syntax.go import GO
from reviewer.context.syntax.javascript import JAVASCRIPT
from reviewer.context.syntax.python import PYTHON

__all__ = ["syntax_for"]

_SYNTAX: dict[Family, Syntax] = {"python": PYTHON, "js": JAVASCRIPT, "go": GO}


def syntax_for(family: Family) -> Syntax:
    """The rules of ``family``."""
    return _SYNTAX[family]
