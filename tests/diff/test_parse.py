"""Golden tests of the diff parser over real-world shapes, plus independent cross-checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import unidiff

from reviewer.diff import parse_git_diff, parse_gitlab_diff
from reviewer.errors import DiffError
from tests.diff.golden import KIND_MARK, to_golden

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "diffs"
GIT_FIXTURES = sorted(FIXTURES.glob("*.diff"))
GITLAB_FIXTURES = sorted(FIXTURES.glob("*.gitlab.json"))
GITLAB_QUIRK_PREFIXES = ("--- a", "+++ b", "+++ a", "--- /dev/null", "+++ /dev/null")
# Shapes unidiff cannot read (that is why the parser is our own): left out of the cross-check.
UNIDIFF_UNREADABLE = {"mnemonic_prefix", "no_prefix"}


def _read_diff(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _gitlab_items(path: Path) -> list[dict]:
    return json.loads(path.read_text("utf-8"))


def _parse_item(item: dict):
    return parse_gitlab_diff(
        item["diff"], old_path=item["old_path"], new_path=item["new_path"], new_file=item["new_file"],
        deleted_file=item["deleted_file"], renamed_file=item["renamed_file"], a_mode=item["a_mode"],
        b_mode=item["b_mode"],
    )


def _expected(name: str) -> list[dict]:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text("utf-8"))


def test_there_are_enough_golden_shapes():
    assert len(GIT_FIXTURES) + len(GITLAB_FIXTURES) >= 15
    for path in [*GIT_FIXTURES, *GITLAB_FIXTURES]:
        name = path.name.removesuffix(".diff").removesuffix(".gitlab.json")
        assert (FIXTURES / f"{name}.expected.json").is_file(), name


@pytest.mark.parametrize("path", GIT_FIXTURES, ids=lambda p: p.stem)
def test_git_diff_golden(path):
    assert to_golden(parse_git_diff(_read_diff(path))) == _expected(path.stem)


@pytest.mark.parametrize("path", GITLAB_FIXTURES, ids=lambda p: p.name.removesuffix(".gitlab.json"))
def test_gitlab_diff_golden(path):
    files = [_parse_item(item) for item in _gitlab_items(path)]
    assert to_golden(files) == _expected(path.name.removesuffix(".gitlab.json"))


@pytest.mark.parametrize("path", [p for p in GIT_FIXTURES if p.stem != "empty"], ids=lambda p: p.stem)
def test_hunk_counts_agree_with_headers(path):
    hunks = [hunk for file in parse_git_diff(_read_diff(path)) for hunk in file.hunks]
    assert hunks
    for hunk in hunks:
        assert sum(ln.kind != "added" for ln in hunk.lines) == hunk.old_count
        assert sum(ln.kind != "removed" for ln in hunk.lines) == hunk.new_count


@pytest.mark.parametrize("path", [p for p in GIT_FIXTURES if p.stem in UNIDIFF_UNREADABLE], ids=lambda p: p.stem)
def test_unidiff_cannot_read_the_shapes_left_out_of_the_cross_check(path):
    with pytest.raises(unidiff.UnidiffParseError):
        unidiff.PatchSet(_read_diff(path))


@pytest.mark.parametrize("path", [p for p in GIT_FIXTURES if p.stem not in UNIDIFF_UNREADABLE],
                         ids=lambda p: p.stem)
def test_line_numbers_agree_with_unidiff(path):
    text = _read_diff(path)
    patch = unidiff.PatchSet(text)
    theirs = [
        [(ln.line_type, ln.source_line_no, ln.target_line_no, ln.value.rstrip("\r\n"))
         for hunk in patched for ln in hunk if ln.line_type in "+- "]
        for patched in patch
    ]
    ours = [
        [(KIND_MARK[ln.kind], ln.old_line, ln.new_line, ln.content) for ln in file.iter_lines()]
        for file in parse_git_diff(text)
    ]
    # unidiff also reads a "---/+++" pair in a commit message as a file without lines
    assert [lines for lines in ours if lines] == [lines for lines in theirs if lines]


@pytest.mark.parametrize("path", GIT_FIXTURES, ids=lambda p: p.stem)
def test_gitlab_strings_parse_like_the_git_diff_they_came_from(path):
    # Files with header-like lines are left out: GitLab numbers those differently on purpose
    # (see the gitlab golden file); every other fixture has a file to compare.
    files = [f for f in parse_git_diff(_read_diff(path))
             if not any(ln.startswith(GITLAB_QUIRK_PREFIXES) for ln in f.diff_text.split("\n"))]
    assert files or path.stem in ("empty", "header_lookalikes_blank_context")
    for file in files:
        again = parse_gitlab_diff(
            file.diff_text, old_path=file.old_path, new_path=file.new_path, new_file=file.new_file,
            deleted_file=file.deleted_file, renamed_file=file.renamed_file, a_mode=file.a_mode, b_mode=file.b_mode,
        )
        assert again.hunks == file.hunks
        assert again.model_dump(exclude={"binary"}) == file.model_dump(exclude={"binary"})


def test_gitlab_drops_header_like_lines_and_git_does_not():
    diff = "@@ -1,3 +1,3 @@\n a\n--- a/b\n+++ b/c\n z\n"
    gitlab = parse_gitlab_diff(diff, old_path="q.sql", new_path="q.sql")
    (git,) = parse_git_diff("diff --git a/q.sql b/q.sql\n--- a/q.sql\n+++ b/q.sql\n" + diff)
    assert [(ln.kind, ln.old_line, ln.new_line) for ln in git.iter_lines()] == [
        ("context", 1, 1), ("removed", 2, None), ("added", None, 2), ("context", 3, 3)]
    assert [(ln.kind, ln.old_line, ln.new_line) for ln in gitlab.iter_lines()] == [
        ("context", 1, 1), ("context", 2, 2)]


def test_diff_text_is_the_exact_hunk_text_of_each_file():
    text = _read_diff(FIXTURES / "only_deletions_and_line_one.diff")
    files = parse_git_diff(text)
    assert [f.diff_text for f in files] == [
        chunk[chunk.index("@@ "):] for chunk in text.split("diff --git ")[1:]
    ]


def test_empty_and_whitespace_input():
    assert parse_git_diff("") == []
    assert parse_git_diff("\n\n") == []
    file = parse_gitlab_diff("", old_path="a", new_path="a")
    assert file.hunks == [] and file.diff_text == "" and not file.binary


def test_last_line_without_newline_and_trailing_garbage():
    (file,) = parse_git_diff("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n a\n+b")
    assert [(ln.content, ln.new_line) for ln in file.iter_lines()] == [("a", 1), ("b", 2)]
    (file,) = parse_git_diff("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n-- \n2.39.5\n\n")
    assert len(file.hunks[0].lines) == 2


def test_truncated_hunk_keeps_what_is_there():
    (file,) = parse_git_diff("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n a\n-b\n")
    assert [(ln.kind, ln.old_line) for ln in file.iter_lines()] == [("context", 1), ("removed", 2)]


def test_gitlab_paths_are_filled_in_from_one_another():
    new = parse_gitlab_diff("@@ -0,0 +1 @@\n+x\n", old_path="", new_path="n.py", new_file=True)
    gone = parse_gitlab_diff("@@ -1 +0,0 @@\n-x\n", old_path="d.py", new_path="", deleted_file=True)
    assert (new.old_path, new.new_path, gone.old_path, gone.new_path) == ("n.py", "n.py", "d.py", "d.py")


def test_git_binary_patch_in_gitlab_string_marks_binary():
    file = parse_gitlab_diff("GIT binary patch\nliteral 5\nMcmZQzOv=my00M6TI{*Lx\n\n", old_path="b", new_path="b")
    assert file.binary and file.hunks == []


def test_header_without_names_is_an_error():
    with pytest.raises(DiffError):
        parse_git_diff("diff --git \n@@ -1 +1 @@\n-a\n+b\n")
    with pytest.raises(DiffError):
        parse_git_diff("--- /dev/null\n+++ /dev/null\n@@ -1 +1 @@\n-a\n+b\n")


@pytest.mark.parametrize(
    ("header", "old", "new"),
    [
        ("diff --git a/a b/a b/a b/a", "a b/a", "a b/a"),
        ("diff --git a/x y/x b/x y/x", "x y/x", "x y/x"),
        ("diff --git x x", "x", "x"),
        ('diff --git "a/\\303\\251 x" "b/\\303\\251 x"', "é x", "é x"),
        ('diff --git a/plain "b/t\\tab"', "plain", "t\tab"),
        ("diff --git a/one b/two", "one", "two"),
    ],
)
def test_header_paths_for_binary_files(header, old, new):
    (file,) = parse_git_diff(f"{header}\nindex 1..2 100644\nBinary files differ\n")
    assert (file.old_path, file.new_path, file.binary) == (old, new, True)
