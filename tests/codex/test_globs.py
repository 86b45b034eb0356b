"""glob_match: whole-path globs with ``**``."""

import pytest

from reviewer.codex.globs import glob_match, normalise_path


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("a.py", "**/*.py", True),
        ("src/pkg/a.py", "**/*.py", True),
        ("src/a.pyc", "**/*.py", False),
        ("src/a.py", "*.py", False),
        ("a.py", "*.py", True),
        ("src/a.py", "src/*.py", True),
        ("src/pkg/a.py", "src/*.py", False),
        ("src/pkg/a.py", "src/**/*.py", True),
        ("src/a.py", "src/**/*.py", True),
        ("db/migrations/0001_init.py", "**/migrations/**", True),
        ("migrations/0001_init.py", "**/migrations/**", True),
        ("db/migrations", "**/migrations/**", False),
        ("api/app_migration_util.py", "**/*migration*/**", False),
        ("db/data_migrations/x.py", "**/*migration*/**", True),
        ("db/mymigrations/x.py", "**/migrations/**", False),
        ("anything/at/all", "**", True),
        ("docs/a.md", "docs/**", True),
        ("docs", "docs/**", False),
        ("docsx/a.md", "docs/**", False),
        ("a/b/c.txt", "a/?/c.txt", True),
        ("a/bb/c.txt", "a/?/c.txt", False),
        ("a/b/c.txt", "a?b/c.txt", False),
        ("Dockerfile", "**/Dockerfile*", True),
        ("ops/Dockerfile.prod", "**/Dockerfile*", True),
        ("V12__add_index.sql", "**/V*__*.sql", True),
        ("lib/x1.go", "lib/x[0-9].go", True),
        ("lib/xa.go", "lib/x[0-9].go", False),
        ("lib/xa.go", "lib/x[!0-9].go", True),
        ("a/.env.local", "**/.env*", True),
        ("./src/a.py", "src/*.py", True),
        ("src\\a.py", "src/*.py", True),
        ("src/a+b(1).py", "src/a+b(1).py", True),
    ],
)
def test_glob_match(path: str, pattern: str, expected: bool) -> None:
    assert glob_match(path, pattern) is expected


def test_normalise_path() -> None:
    assert normalise_path("./a/b") == "a/b"
    assert normalise_path("/a\\b") == "a/b"
