"""Positions and line codes against the table in gitlab-api.md §2."""

import hashlib

import pytest

from reviewer.diff import line_code, parse_git_diff, parse_gitlab_diff, position_for
from reviewer.diff.positions import commentable_lines, line_range_for, text_position

README_SHA1 = hashlib.sha1(b"README.md").hexdigest()
TABLE_DIFF = "@@ -10,3 +10,4 @@\n a\n-b\n+c\n+d\n e\n"


@pytest.fixture
def readme():
    return parse_gitlab_diff(TABLE_DIFF, old_path="README.md", new_path="README.md")


def test_sha1_of_readme_matches_the_doc():
    assert README_SHA1.startswith("8ec9a00b")
    assert line_code("README.md", 12, 11) == f"{README_SHA1}_12_11"


@pytest.mark.parametrize(
    ("line", "side", "expected_lines", "code", "line_type"),
    [
        (10, "new", {"old_line": 10, "new_line": 10}, "10_10", "old"),
        (10, "old", {"old_line": 10, "new_line": 10}, "10_10", "old"),
        (11, "old", {"old_line": 11}, "11_11", "old"),
        (11, "new", {"new_line": 11}, "12_11", "new"),
        (12, "new", {"new_line": 12}, "12_12", "new"),
        (13, "new", {"old_line": 12, "new_line": 13}, "12_13", "old"),
        (12, "old", {"old_line": 12, "new_line": 13}, "12_13", "old"),
    ],
)
def test_table_rows(readme, line, side, expected_lines, code, line_type):
    position = position_for(readme, line, side)
    assert position == {
        "old_path": "README.md",
        "new_path": "README.md",
        **expected_lines,
        "line_code": f"{README_SHA1}_{code}",
        "type": line_type,
    }


@pytest.mark.parametrize(("line", "side"), [(9, "new"), (14, "new"), (13, "old"), (9, "old"), (1, "new")])
def test_lines_outside_the_diff_have_no_position(readme, line, side):
    assert position_for(readme, line, side) is None


def test_bad_side_is_rejected(readme):
    with pytest.raises(ValueError):
        position_for(readme, 10, "both")  # type: ignore[arg-type]


def test_commentable_lines(readme):
    assert commentable_lines(readme) == {
        ("new", 10), ("old", 10), ("old", 11), ("new", 11), ("new", 12), ("new", 13), ("old", 12),
    }


def test_new_file_uses_the_new_path_on_both_sides_and_old_counter_zero():
    text = (
        "diff --git a/src/new.py b/src/new.py\nnew file mode 100644\nindex 0000000..1111111\n"
        "--- /dev/null\n+++ b/src/new.py\n@@ -0,0 +1,2 @@\n+one\n+two\n"
    )
    (file,) = parse_git_diff(text)
    sha = hashlib.sha1(b"src/new.py").hexdigest()
    assert position_for(file, 2) == {
        "old_path": "src/new.py", "new_path": "src/new.py", "new_line": 2,
        "line_code": f"{sha}_0_2", "type": "new",
    }


def test_deleted_file_uses_the_old_path_and_new_counter_zero():
    text = (
        "diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\nindex 1111111..0000000\n"
        "--- a/gone.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two\n"
    )
    (file,) = parse_git_diff(text)
    sha = hashlib.sha1(b"gone.txt").hexdigest()
    assert position_for(file, 2, "old") == {
        "old_path": "gone.txt", "new_path": "gone.txt", "old_line": 2,
        "line_code": f"{sha}_2_0", "type": "old",
    }
    assert position_for(file, 2, "new") is None


def test_rename_hashes_the_new_path_and_keeps_both_paths():
    file = parse_gitlab_diff("@@ -1,2 +1,2 @@\n keep\n-old\n+new\n", old_path="a.py", new_path="b.py",
                             renamed_file=True)
    sha = hashlib.sha1(b"b.py").hexdigest()
    assert position_for(file, 2, "new") == {
        "old_path": "a.py", "new_path": "b.py", "new_line": 2, "line_code": f"{sha}_3_2", "type": "new",
    }


def test_line_range_and_full_text_position(readme):
    assert line_range_for(readme, 11, 12) == {
        "start": {"line_code": f"{README_SHA1}_12_11", "type": "new"},
        "end": {"line_code": f"{README_SHA1}_12_12", "type": "new"},
    }
    assert line_range_for(readme, 12, 11) is None
    assert line_range_for(readme, 9, 12) is None
    body = text_position(readme, 12, base_sha="b" * 40, start_sha="s" * 40, head_sha="h" * 40, start_line=10)
    assert body == {
        "position_type": "text", "base_sha": "b" * 40, "start_sha": "s" * 40, "head_sha": "h" * 40,
        "old_path": "README.md", "new_path": "README.md", "new_line": 12,
        "line_range": {
            "start": {"line_code": f"{README_SHA1}_10_10", "type": "old"},
            "end": {"line_code": f"{README_SHA1}_12_12", "type": "new"},
        },
    }
    single = text_position(readme, 11, "old", base_sha="b", start_sha="s", head_sha="h")
    assert single is not None and "line_range" not in single and single["old_line"] == 11
    assert text_position(readme, 99, base_sha="b", start_sha="s", head_sha="h") is None
