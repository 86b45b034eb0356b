"""Checks of the benchmark's generator and accounting (run: ``python -m pytest benchmarks -q``)."""

from __future__ import annotations

import difflib
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_review import file_text_given, union_seconds  # noqa: E402
from synthetic_change import Vocab, build_change, file_lines, modify, split_quota  # noqa: E402

from reviewer.diff.parse import parse_git_diff  # noqa: E402


def test_union_counts_overlaps_once_and_clips_to_the_window() -> None:
    intervals = [(0.0, 2.0), (1.0, 3.0), (5.0, 6.0), (9.0, 12.0)]
    assert union_seconds(intervals, 0.0, 10.0) == 3.0 + 1.0 + 1.0
    assert union_seconds(intervals, 2.5, 5.5) == 0.5 + 0.5
    assert union_seconds([], 0.0, 1.0) == 0.0


def test_quotas_sum_exactly_and_are_long_tailed() -> None:
    quotas = split_quota(Vocab(random.Random(3)), 50_000, 1000)
    assert sum(quotas) == 50_000 and min(quotas) >= 1
    assert max(quotas) > 10 * (50_000 / 1000)  # a few big edits, many small ones


def test_generated_text_varies() -> None:
    v = Vocab(random.Random(5))
    for kind in ("py", "ts", "go", "sql", "md", "yaml"):
        lines = file_lines(v, kind, 200)
        assert len(lines) == 200
        assert len(set(lines)) > 120, kind


def test_modify_changes_about_the_quota(tmp_path: Path) -> None:
    change = build_change(tmp_path / "repo", files=40, lines=2000, seed=2, unchanged=5)
    assert change.files == 40
    assert abs(change.changed_lines - 2000) <= 40  # git may align a regenerated line with an old one
    assert set(change.by_change) >= {"added", "modified", "deleted"}
    assert len(change.by_kind) >= 4


def test_modify_keeps_most_lines() -> None:
    v = Vocab(random.Random(7))
    base = file_lines(v, "py", 300)
    head = modify(v, "py", base, 20)
    kept = sum(block.size for block in difflib.SequenceMatcher(None, base, head, autojunk=False).get_matching_blocks())
    assert 280 <= kept < 300 and len(head) - kept + len(base) - kept <= 20


def test_text_given_counts_hunks_of_a_split_file_and_only_the_header_of_a_deletion() -> None:
    diff = (
        "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n"
        "@@ -1,2 +1,2 @@\n-a = 1\n+a = 2\n b = 3\n"
        "@@ -10,2 +10,2 @@\n-c = 4\n+c = 5\n d = 6\n"
        "diff --git a/old.py b/old.py\ndeleted file mode 100644\n--- a/old.py\n+++ /dev/null\n"
        "@@ -1,2 +0,0 @@\n-x = 1\n-y = 2\n"
    )
    app, old = parse_git_diff(diff)
    whole = file_text_given(app, app)
    assert whole.startswith("--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@")
    part = file_text_given(app.model_copy(update={"hunks": app.hunks[:1]}), app)
    assert part == "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n-a = 1\n+a = 2\n b = 3\n"
    assert file_text_given(old, old) == "--- a/old.py\n+++ b/old.py\n"
