"""Messages are shortened at a word boundary, never in the middle of a word."""

from __future__ import annotations

from reviewer.short_text import shorten, truncate


def test_short_text_is_folded_onto_one_line_and_kept():
    assert shorten("set the\n  `OPENAI_API_KEY`   variable", 80) == "set the `OPENAI_API_KEY` variable"


def test_long_text_is_cut_at_the_last_word_that_fits():
    text = "or set the `OPENAI_API_KEY` or `OPENAI_ADMIN_KEY` environment variable."
    cut = shorten(text, 40)
    assert cut == "or set the `OPENAI_API_KEY` or…" and len(cut) <= 40


def test_a_single_long_word_is_the_only_thing_cut_inside():
    assert shorten("x" * 50, 10) == "x" * 9 + "…"


def test_truncate_keeps_line_breaks_and_cuts_at_white_space():
    text = "first line\nsecond line of the body\nthird"
    assert truncate(text, 100) == text
    assert truncate(text, 25) == "first line\nsecond line…"
