"""Git's header paths: C-style quoting, a/ b/ prefixes, the two paths of a ``diff --git`` line."""

from __future__ import annotations

import pytest

from reviewer.diff import unquote_git_path
from reviewer.diff.git_paths import header_file_path, split_git_header, strip_prefix


@pytest.mark.parametrize(
    ("quoted", "plain"),
    [
        ('"caf\\303\\251.txt"', "café.txt"),
        ('"tab\\there"', "tab\there"),
        ('"q\\"uote\\\\slash"', 'q"uote\\slash'),
        ('"nl\\nx\\a\\b\\f\\v\\r"', "nl\nx\a\b\f\v\r"),
        ('"\\346\\227\\245"', "日"),
        ('"bad\\377byte"', "bad\ufffdbyte"),
        ("plain.txt", "plain.txt"),
        ('"unterminated', '"unterminated'),
        ('"a" "b"', '"a" "b"'),
    ],
)
def test_unquote_git_path(quoted, plain):
    assert unquote_git_path(quoted) == plain


@pytest.mark.parametrize(
    ("rest", "pair"),
    [
        ("a/a b/a b/a b/a", ("a b/a", "a b/a")),  # spaces: the split where both sides name one file
        ('"a/\\303\\251 x" "b/\\303\\251 x"', ("é x", "é x")),
        ('a/plain "b/t\\tab"', ("plain", "t\tab")),
        ("a/one b/two", ("one", "two")),  # a rename: the usual prefixes are trusted
        ('"a/open b/x', None),
        ("nospace", None),
    ],
)
def test_split_git_header(rest, pair):
    assert split_git_header(rest) == pair


def test_header_file_path_and_strip_prefix():
    assert header_file_path("a/src/x.py\t2024-01-01 10:00:00") == "a/src/x.py"
    assert header_file_path('"b/caf\\303\\251"') == "b/café"
    assert (strip_prefix("a/src/x.py"), strip_prefix("b/x"), strip_prefix("c/x")) == ("src/x.py", "x", "c/x")
