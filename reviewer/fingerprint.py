"""Finding identity: a short digest that survives lines moving, never built from line numbers.

A fingerprint hashes what a finding is about:

- the file path and the category;
- the issue: the rule ID when the finding cites one, otherwise a normalised title key;
- the anchor: the code of the line the finding points at, with layout normalised away
  (indentation, spacing between tokens, quote style, a trailing ``,``/``;``); identifiers
  and literals are kept, so a change to the anchored code itself yields a new identity;
- the enclosing symbol where the diff shows it (the outermost enclosing ``def``/``class``/
  ``function``/``func``… line in the hunk, or the hunk's section header when the hunk does
  not reach the top level).

Trade-off for findings without a rule ID: two wordings match only when they share the same
key words after lowercasing, dropping punctuation, stopwords and review filler ("possible",
"potential", "consider"…), and a light suffix stem ("injected" = "injection", "secrets" =
"secret"; see ``title_key``), in any order. This keeps two different issues on the same line apart (their key words
differ) at the price of missing paraphrases that use other words entirely. Rule-citing
findings do not have this weakness: the same rule on the same code is the same finding.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from reviewer.models import DiffLine, FileDiff, Finding, Hunk, Side

FINGERPRINT_VERSION = "1"
_DIGEST_CHARS = 16

_TOKEN = re.compile(r"\w+|[^\w\s]")
_TRIVIAL = {
    "else:", "try:", "finally:", "pass", "end", "done", "fi", "esac", "return", "break",
    "continue", "}else{", "else{", "do", "begin", "then",
}
_SYMBOL_PATTERNS = (
    # def/class/function/func/fn/... NAME (Go receivers allowed: func (r *T) Name)
    re.compile(
        r"^\s*(?:(?:export|default|pub(?:\([^)]*\))?|async|static|public|private|protected|abstract|final)\s+)*"
        r"(?:def|class|function\*?|func|fn|interface|struct|trait|impl|module|sub|enum|object)\s+"
        r"(?:\([^)]*\)\s*)?\*?\s*([A-Za-z_$][\w$]*)"
    ),
    # const name = (...) => / const name = function / const name = async x =>
    re.compile(
        r"^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?"
        r"(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)"
    ),
    # Java/C#-style methods: modifiers + return type + name(
    re.compile(
        r"^\s*(?:(?:public|private|protected|internal|static|final|synchronized|abstract|override|virtual)\s+)+"
        r"[\w<>\[\],.?]+\s+([A-Za-z_]\w*)\s*\("
    ),
)
_TITLE_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    """a an the and or but if then else of in on at to for from by with without into onto over under
    this that these those it its is are was were be been being has have had do does did not no
    can could may might should would will shall must here there which who whom whose what when where
    why how than too very also just only via per as so such any all some more most less
    possible possibly potential potentially consider considering maybe likely appears seems seem
    issue problem bug finding detected found usage used use using code line lines""".split()
)


def normalise_code(text: str) -> str:
    """Return ``text`` with layout normalised: tokens joined tightly, quotes unified.

    Whitespace only separates two word tokens; single quotes become double quotes; a
    trailing ``,`` or ``;`` is dropped. Identifiers and literal contents are kept as they are.
    """
    tokens = _TOKEN.findall(text.replace("'", '"'))
    while tokens and tokens[-1] in {",", ";"}:
        tokens.pop()
    out: list[str] = []
    prev_word = False
    for tok in tokens:
        is_word = tok[0].isalnum() or tok[0] == "_"
        if out and is_word and prev_word:
            out.append(" ")
        out.append(tok)
        prev_word = is_word
    return "".join(out)


def title_key(title: str) -> str:
    """Return the sorted, de-duplicated key words of a title (see module docstring)."""
    words = {_stem(w) for w in _TITLE_WORD.findall(title.lower().replace("-", "")) if w not in _STOPWORDS}
    words.discard("")
    return " ".join(sorted(words))


def _stem(word: str) -> str:
    """Strip a plural ``s`` and one common suffix so inflected variants meet."""
    if word.endswith("ies") and len(word) > 5:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        word = word[:-1]
    for suffix in ("ation", "ated", "ate", "ion", "ing", "ed", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


def _is_trivial(normalised: str) -> bool:
    """True for lines that identify nothing on their own (``}``, ``else:``, blank…)."""
    return sum(ch.isalnum() for ch in normalised) < 3 or normalised in _TRIVIAL


def _side_attr(side: Side) -> str:
    return "new_line" if side == "new" else "old_line"


def _locate(file: FileDiff | None, finding: Finding) -> tuple[Hunk, int] | None:
    """Return the hunk holding the finding's line (on its side) and the line's index in it."""
    if file is None or finding.line is None:
        return None
    attr = _side_attr(finding.side)
    for hunk in file.hunks:
        for index, diff_line in enumerate(hunk.lines):
            if getattr(diff_line, attr) == finding.line:
                return hunk, index
    return None


def _anchor_candidates(hunk: Hunk, index: int, end_line: int | None, side: Side) -> Iterator[DiffLine]:
    """Yield the finding's own lines first, then the lines after it, then those before it."""
    attr = _side_attr(side)
    on_side = [(i, ln) for i, ln in enumerate(hunk.lines) if getattr(ln, attr) is not None]
    start = getattr(hunk.lines[index], attr)
    last = end_line if end_line is not None and end_line >= start else start
    own = [ln for _, ln in on_side if start <= getattr(ln, attr) <= last]
    after = [ln for _, ln in on_side if getattr(ln, attr) > last]
    before = [ln for _, ln in on_side if getattr(ln, attr) < start]
    yield from own
    yield from after
    yield from reversed(before)


def anchor_text(file: FileDiff | None, finding: Finding) -> str:
    """Return the normalised code ``finding`` anchors to ("" for file-level or unknown lines).

    That is the finding's first line on its side; when that line identifies nothing on its
    own (``}``, a blank line), the first meaningful line of its range, then after it, then
    before it, in the same hunk.
    """
    found = _locate(file, finding)
    if found is None:
        return ""
    hunk, index = found
    first = normalise_code(hunk.lines[index].content)
    if not _is_trivial(first):
        return first
    for diff_line in _anchor_candidates(hunk, index, finding.end_line, finding.side):
        text = normalise_code(diff_line.content)
        if not _is_trivial(text):
            return text
    return first


def _indent(text: str) -> int:
    return len(text.expandtabs(4)) - len(text.expandtabs(4).lstrip())


def _symbol_name(text: str) -> str | None:
    for pattern in _SYMBOL_PATTERNS:
        match = pattern.match(text)
        if match:
            return match.group(1)
    return None


def enclosing_symbol(file: FileDiff | None, finding: Finding) -> str:
    """Return the name of the outermost function or class around the finding's line, or "".

    Walking back through the hunk (on the finding's side) over ever less indented lines, the
    outermost definition seen wins; when the hunk never reaches the top level, the hunk's
    section header (git's nearest top-level line before the hunk) names it instead. The
    outermost name is used, not the innermost, because it does not change when a later push
    widens the hunk to show a method's ``def`` line. Top-level lines have no enclosing symbol.
    """
    found = _locate(file, finding)
    if found is None:
        return ""
    hunk, index = found
    attr = _side_attr(finding.side)
    target = hunk.lines[index].content
    if not target.strip():
        return ""
    depth = _indent(target)
    if depth == 0:
        return _symbol_name(target) or ""
    outermost = ""
    for diff_line in reversed(hunk.lines[:index]):
        if getattr(diff_line, attr) is None or not diff_line.content.strip():
            continue
        indent = _indent(diff_line.content)
        if indent < depth:
            depth = indent
            outermost = _symbol_name(diff_line.content) or outermost
            if depth == 0:
                break
    if depth > 0:
        outermost = _symbol_name(hunk.section) or outermost
    return outermost


def issue_key(finding: Finding) -> str:
    """Return what the finding says: its rule ID, else its normalised title key."""
    if finding.rule_id:
        return "rule:" + finding.rule_id.strip().upper()
    return "title:" + title_key(finding.title)


def fingerprint(finding: Finding, file: FileDiff | None) -> str:
    """Return a short stable hex digest of what ``finding`` is about (never its line number)."""
    parts = (
        FINGERPRINT_VERSION,
        finding.path,
        finding.category.value,
        issue_key(finding),
        anchor_text(file, finding),
        enclosing_symbol(file, finding),
    )
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:_DIGEST_CHARS]
