"""The format registry and dispatch."""

from __future__ import annotations

import pytest

from reviewer.errors import ConfigError
from reviewer.output import FORMATS, render


def test_formats_are_the_documented_four() -> None:
    assert FORMATS == ("text", "json", "markdown", "codequality")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_a_newline_terminated_string(sample_result, fmt: str) -> None:
    report = render(sample_result, fmt)
    assert report.endswith("\n") and "src/auth/login.py" in report


def test_unknown_format_is_a_config_error(sample_result) -> None:
    with pytest.raises(ConfigError, match="unknown output format 'xml'.*text, json, markdown, codequality"):
        render(sample_result, "xml")


def test_color_only_changes_text(sample_result) -> None:
    assert "\x1b[" in render(sample_result, "text", color=True)
    assert render(sample_result, "json", color=True) == render(sample_result, "json")
