"""Prompt sizes: per-hunk sizes from one rendering, cutting a file and a huge hunk to fit."""

from __future__ import annotations

from reviewer.prompt_sizes import PromptSizer
from tests.support.diff_builder import file_diff

MODEL = "openai/gpt-4o-mini"


def _big_file():
    old = "\n".join(f"line_{i} = {i}" for i in range(200))
    new = "\n".join(f"line_{i} = {i} + 1  # changed" if i % 25 == 0 else f"line_{i} = {i}" for i in range(200))
    return file_diff("src/big.py", old, new)


def test_hunk_sizes_from_one_rendering_match_rendering_each_hunk():
    big = _big_file()
    sizer = PromptSizer(None)
    header = sizer.measure(MODEL, big.model_copy(update={"hunks": []}))
    each = [sizer.measure(MODEL, big.model_copy(update={"hunks": [h]})) - header for h in big.hunks]
    assert len(big.hunks) == 8 and sizer.hunk_tokens(MODEL, big) == each


def test_split_keeps_every_hunk_in_order_and_each_part_within_room():
    big = _big_file()
    sizer = PromptSizer(None)
    whole = sizer.measure(MODEL, big)
    parts, too_big = sizer.split(big, MODEL, whole // 3)
    assert not too_big and len(parts) >= 3
    assert [h for part, _ in parts for h in part.hunks] == big.hunks
    assert all(tokens <= whole // 3 for _, tokens in parts)


def test_a_huge_hunk_is_cut_line_by_line_and_an_oversized_line_is_flagged():
    huge = file_diff("src/blob.py", "", "".join(f"value_{i} = {i}\n" for i in range(300)))
    sizer = PromptSizer(None)
    room = sizer.measure(MODEL, huge) // 4
    parts, too_big = sizer.split(huge, MODEL, room)
    assert not too_big and len(parts) >= 4
    assert [ln for part, _ in parts for h in part.hunks for ln in h.lines] == huge.hunks[0].lines
    line = file_diff("src/line.py", "", "DATA = '" + "ab " * 3000 + "'\n")
    parts, too_big = sizer.split(line, MODEL, 200)
    assert too_big and parts == []
