"""language_of and comment prefixes."""

import pytest

from reviewer.codex.languages import LANGUAGES, comment_prefixes, language_of


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("src/app.py", "python"),
        ("web/App.TSX", "typescript"),
        ("web/app.mjs", "javascript"),
        ("cmd/main.go", "go"),
        ("db/V1__init.sql", "sql"),
        ("Dockerfile", "dockerfile"),
        ("ops/Dockerfile.prod", "dockerfile"),
        ("ops/api.dockerfile", "dockerfile"),
        ("requirements-dev.txt", "requirements"),
        (".gitlab-ci.yml", "yaml"),
        ("README", None),
        ("notes.txt", None),
    ],
)
def test_language_of(path: str, language: str | None) -> None:
    assert language_of(path) == language
    assert language is None or language in LANGUAGES


def test_comment_prefixes() -> None:
    assert comment_prefixes("python") == ("#", ">>>")  # doctest prompts are not code
    assert "//" in comment_prefixes("go")
    assert "--" in comment_prefixes("sql")
    assert comment_prefixes(None) == ()
