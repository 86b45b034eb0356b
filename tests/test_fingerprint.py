"""Fingerprints survive real-world edits around a finding and tell different findings apart."""

from __future__ import annotations

import pytest

from reviewer.fingerprint import anchor_text, enclosing_symbol, fingerprint, normalise_code, title_key
from reviewer.models import Category, FileDiff, Finding, Severity
from tests.support.diff_builder import file_diff

BASE = """\
import sqlite3


def connect(path):
    return sqlite3.connect(path)


def count(conn):
    return conn.execute("SELECT COUNT(*) FROM users").fetchone()
"""

V1 = """\
import sqlite3


def connect(path):
    return sqlite3.connect(path)


def find_user(conn, name):
    cursor = conn.cursor()
    query = "SELECT * FROM users WHERE name = '" + name + "'"
    cursor.execute(query)
    return cursor.fetchone()


def count(conn):
    return conn.execute("SELECT COUNT(*) FROM users").fetchone()
"""

SQL_LINE = "    query = \"SELECT * FROM users WHERE name = '\" + name + \"'\""


def _finding(file: FileDiff, needle: str, *, rule_id: str | None = "SEC-003", title: str = "SQL injection",
             category: Category = Category.SECURITY, side: str = "new") -> Finding:
    """A finding on the first diff line of ``file`` whose content contains ``needle``."""
    attr = "new_line" if side == "new" else "old_line"
    line = next(getattr(ln, attr) for ln in file.iter_lines() if needle in ln.content and getattr(ln, attr))
    return Finding(path=file.path, line=line, side=side, severity=Severity.CRITICAL, category=category,
                   rule_id=rule_id, title=title, agent="security")


def _fp(new_text: str, needle: str = "query = ", **kw) -> tuple[str, int]:
    file = file_diff("app/db.py", BASE, new_text)
    finding = _finding(file, needle, **kw)
    return fingerprint(finding, file), finding.line


def test_fingerprint_is_short_hex_and_deterministic():
    first, _ = _fp(V1)
    again, _ = _fp(V1)
    assert first == again
    assert len(first) == 16 and int(first, 16) >= 0


def test_survives_shift_by_twenty_lines():
    header = "".join(f"SETTING_{i} = {i}\n" for i in range(20))
    shifted = V1.replace("import sqlite3\n", "import sqlite3\n" + header, 1)
    fp1, line1 = _fp(V1)
    fp2, line2 = _fp(shifted)
    assert line2 == line1 + 20
    assert fp2 == fp1


def test_survives_reindentation():
    wrapped = V1.replace(
        SQL_LINE + "\n    cursor.execute(query)\n",
        "    if name:\n    " + SQL_LINE + "\n        cursor.execute(query)\n",
    )
    assert "        query = " in wrapped
    assert _fp(wrapped)[0] == _fp(V1)[0]


def test_survives_unrelated_rename_on_nearby_line():
    renamed = V1.replace("cursor = conn.cursor()", "cur = conn.cursor()").replace(
        "cursor.execute(query)", "cur.execute(query)").replace("return cursor.fetchone()", "return cur.fetchone()")
    assert renamed != V1
    assert _fp(renamed)[0] == _fp(V1)[0]


def test_survives_moved_block():
    block = V1[V1.index("def find_user"):V1.index("def count")]
    moved = V1.replace(block, "") + "\n\n" + block.rstrip("\n") + "\n"
    fp_moved, line_moved = _fp(moved)
    fp_v1, line_v1 = _fp(V1)
    assert line_moved != line_v1
    assert fp_moved == fp_v1


def test_survives_rebase_onto_a_newer_target():
    newer_base = BASE.replace("import sqlite3\n", "import logging\nimport sqlite3\n\nLOG = logging.getLogger()\n")
    newer_base = newer_base.replace("def connect(path):", "def open_db(path):")
    rebased_head = V1.replace("import sqlite3\n", "import logging\nimport sqlite3\n\nLOG = logging.getLogger()\n")
    rebased_head = rebased_head.replace("def connect(path):", "def open_db(path):")
    file = file_diff("app/db.py", newer_base, rebased_head)
    finding = _finding(file, "query = ")
    assert finding.line != _fp(V1)[1]
    assert fingerprint(finding, file) == _fp(V1)[0]


def test_survives_formatter_spacing_and_quote_style():
    reformatted = V1.replace(SQL_LINE, "    query = \"SELECT * FROM users WHERE name = '\"+name+\"'\"")
    assert reformatted != V1
    assert normalise_code("cursor.execute( query , args )") == normalise_code("cursor.execute(query, args)")
    assert normalise_code("f('x');") == normalise_code('f("x")')
    assert _fp(reformatted, needle="query = ")[0] == _fp(V1)[0]


def test_same_rule_different_wording_matches():
    assert _fp(V1, title="SQL injection")[0] == _fp(V1, title="User input concatenated into a query")[0]


def test_without_rule_inflection_order_and_filler_words_match():
    a, _ = _fp(V1, rule_id=None, title="Possible SQL injection via string formatting")
    b, _ = _fp(V1, rule_id=None, title="SQL Injection: string formatted")
    assert title_key("Hard-coded secrets") == title_key("hardcoded secret")
    assert a == b


def test_different_rules_on_same_line_differ():
    assert _fp(V1, rule_id="SEC-003")[0] != _fp(V1, rule_id="PY-010")[0]


def test_different_issues_without_rule_on_same_line_differ():
    a, _ = _fp(V1, rule_id=None, title="SQL injection through string concatenation")
    b, _ = _fp(V1, rule_id=None, title="Unused variable")
    assert a != b


def test_same_rule_on_different_code_differs():
    assert _fp(V1, needle="query = ")[0] != _fp(V1, needle="cursor.execute(query)")[0]


def test_changed_anchor_code_gives_a_new_identity():
    fixed = V1.replace(SQL_LINE, '    query = "SELECT * FROM users WHERE name = ?"')
    assert _fp(fixed)[0] != _fp(V1)[0]


def test_same_code_in_two_functions_differs_by_symbol():
    text = "def a(x):\n    return eval(x)\n\n\ndef b(x):\n    return eval(x)\n"
    file = file_diff("m.py", "", text)
    first = Finding(path="m.py", line=2, severity=Severity.CRITICAL, category=Category.SECURITY,
                    rule_id="PY-001", title="eval", agent="security")
    second = first.model_copy(update={"line": 6})
    assert enclosing_symbol(file, first) == "a" and enclosing_symbol(file, second) == "b"
    assert fingerprint(first, file) != fingerprint(second, file)


def test_category_and_path_are_part_of_identity():
    file = file_diff("app/db.py", BASE, V1)
    base = _finding(file, "query = ")
    assert fingerprint(base.model_copy(update={"category": Category.QUALITY}), file) != fingerprint(base, file)
    other_file = file.model_copy(update={"old_path": "app/other.py", "new_path": "app/other.py"})
    assert fingerprint(base.model_copy(update={"path": "app/other.py"}), other_file) != fingerprint(base, file)


def test_trivial_line_anchors_to_the_nearest_meaningful_code():
    text = "function load(url) {\n  if (!url) {\n    throw new Error('no url');\n  }\n}\n"
    file = file_diff("web/load.js", "", text)
    finding = Finding(path="web/load.js", line=4, severity=Severity.NOTE, category=Category.QUALITY,
                      title="x", agent="quality")
    assert anchor_text(file, finding) == normalise_code("    throw new Error('no url');")


def test_removed_line_anchors_on_the_old_side():
    file = file_diff("app/db.py", V1, BASE)
    finding = _finding(file, "query = ", side="old")
    assert anchor_text(file, finding) == normalise_code(SQL_LINE)
    assert enclosing_symbol(file, finding) == "find_user"


def test_file_level_finding_has_no_anchor_but_a_stable_fingerprint():
    file = file_diff("app/db.py", BASE, V1)
    finding = Finding(path="app/db.py", severity=Severity.NOTE, category=Category.DOCS,
                      title="Module lacks a docstring", agent="docs")
    assert anchor_text(file, finding) == ""
    assert fingerprint(finding, file) == fingerprint(finding, None)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("    def method(self, x):", "method"),
        ("class Repo(Base):", "Repo"),
        ("export async function loadUser(id) {", "loadUser"),
        ("func (r *Repo) Get(id int) error {", "Get"),
        ("const handler = async (req, res) => {", "handler"),
        ("    public static int parse(String s) {", "parse"),
        ("pub(crate) fn build(x: u8) -> u8 {", "build"),
    ],
)
def test_enclosing_symbol_recognises_common_languages(line, expected):
    indent = line[: len(line) - len(line.lstrip())]
    text = f"{line}\n{indent}    body = 1\n"
    file = file_diff("x.src", "", text)
    finding = Finding(path="x.src", line=2, severity=Severity.NOTE, category=Category.QUALITY,
                      title="t", agent="quality")
    assert enclosing_symbol(file, finding) == expected


def test_enclosing_symbol_falls_back_to_the_section_header():
    old = "def work(items):\n" + "".join(f"    step_{i}()\n" for i in range(10)) + "    done()\n"
    new = old.replace("    done()\n", "    eval(items)\n    done()\n")
    file = file_diff("w.py", old, new)
    assert file.hunks[0].section == "def work(items):"
    finding = Finding(path="w.py", line=12, severity=Severity.NOTE, category=Category.SECURITY,
                      title="eval", agent="security")
    assert anchor_text(file, finding) == "eval(items)"
    assert enclosing_symbol(file, finding) == "work"


def test_sibling_definition_is_not_taken_as_enclosing():
    text = "def outer():\n    def helper():\n        return 1\n    value = eval(helper())\n"
    file = file_diff("o.py", "", text)
    finding = Finding(path="o.py", line=4, severity=Severity.NOTE, category=Category.SECURITY,
                      title="eval", agent="security")
    assert enclosing_symbol(file, finding) == "outer"


def test_widened_hunk_that_shows_the_method_keeps_the_symbol():
    body = "".join(f"        step_{i}(item)\n" for i in range(6))
    base = "class Store:\n    def save(self, item):\n" + body + "        return item\n"
    v1 = base.replace("        return item\n", "        eval(item)\n        return item\n")
    v2 = v1.replace("    def save(self, item):\n", '    def save(self, item):\n        """Save it."""\n')
    narrow, wide = file_diff("s.py", base, v1), file_diff("s.py", base, v2)
    assert not any("def save" in ln.content for ln in narrow.iter_lines())
    assert any("def save" in ln.content for ln in wide.iter_lines())
    first, second = _finding(narrow, "eval(item)"), _finding(wide, "eval(item)")
    assert enclosing_symbol(narrow, first) == enclosing_symbol(wide, second) == "Store"
    assert fingerprint(first, narrow) == fingerprint(second, wide)
