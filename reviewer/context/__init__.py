"""The code-context engine: what a model agent needs to see beyond the diff hunks.

``code_context(files, reader)`` reads the changed files at head (and at the base, only when a
definition could have been removed or its signature changed) through a ``SourceReader`` and
returns ``ContextItem`` values in priority order:

1. ``enclosing``: the function, class header and member, or top-level statement around each
   change (rules in ``reviewer.context.enclosing``);
2. ``definition``: repository definitions the added lines use, found through the file's own
   definitions, ``self``/``this``/Go receivers, imports and re-exports (``reviewer.context.resolve``);
3. ``call_site``: uses in other files of definitions whose signature changed or that were
   removed or renamed (``reviewer.context.callers``).

Python, JavaScript, TypeScript (TSX) and Go are parsed with tree-sitter; any other file, or a
change whose block holds a syntax error, gets a window of lines instead. No region is shown
twice, refused paths are never read and texts over 1 MB are skipped.
"""

from reviewer.context.engine import code_context
from reviewer.context.model import ContextItem, ContextKind, SourceLine, SourceReader
from reviewer.context.repository import Repository

__all__ = ["ContextItem", "ContextKind", "Repository", "SourceLine", "SourceReader", "code_context"]
