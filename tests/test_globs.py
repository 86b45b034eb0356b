"""reviewer.globs: the one path-glob matcher (Codex scopes, agent scopes, risk paths, ignore lists)."""

import pytest

from reviewer.globs import any_match, compile_glob, glob_match, normalise_path


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        # ** spans folders, including none
        ("a.py", "**/*.py", True),
        ("src/pkg/a.py", "**/*.py", True),
        ("src/a.pyc", "**/*.py", False),
        ("src/pkg/a.py", "src/**/*.py", True),
        ("src/a.py", "src/**/*.py", True),
        ("lib/src/a.py", "src/**/*.py", False),
        ("anything/at/all", "**", True),
        ("db/migrations/0001_init.py", "**/migrations/**", True),
        ("migrations/0001_init.py", "**/migrations/**", True),
        ("db/migrations", "**/migrations/**", False),
        ("db/mymigrations/x.py", "**/migrations/**", False),
        ("api/app_migration_util.py", "**/*migration*/**", False),
        ("db/data_migrations/x.py", "**/*migration*/**", True),
        ("src/oauth/login.py", "**/auth/**", False),
        ("docs/a.md", "docs/**", True),
        ("docs", "docs/**", False),
        ("docsx/a.md", "docs/**", False),
        ("Dockerfile", "**/Dockerfile", True),
        ("svc/Dockerfile.dev", "**/Dockerfile", False),
        ("ops/Dockerfile.prod", "**/Dockerfile*", True),
        ("V12__add_index.sql", "**/V*__*.sql", True),
        ("a/.env.local", "**/.env*", True),
        # a pattern with / matches the whole path
        ("src/a.py", "src/*.py", True),
        ("src/pkg/a.py", "src/*.py", False),
        ("README.md", "/README.md", True),
        ("a/b/README.md", "/README.md", False),
        ("build/out.o", "./build/**", True),
        # a pattern without / matches a file or folder name at any depth (like .gitignore)
        ("a.py", "*.py", True),
        ("src/a.py", "*.py", True),
        ("certs/dev.pem", "*.pem", True),
        ("x.snap.txt", "*.snap", False),
        ("x/Dockerfile", "Dockerfile", True),
        ("x/Dockerfile.dev", "Dockerfile", False),
        ("tests/fixtures/data.json", "fixtures", True),
        # a trailing / names a folder
        ("docs/a/b.md", "docs/", True),
        ("x/docs/a.md", "docs/", True),
        ("mydocs/a.md", "docs/", False),
        ("docs", "docs/", False),
        # ? [] {}
        ("a/b/c.txt", "a/?/c.txt", True),
        ("a/bb/c.txt", "a/?/c.txt", False),
        ("a/b/c.txt", "a?b/c.txt", False),
        ("lib/x1.go", "lib/x[0-9].go", True),
        ("lib/xa.go", "lib/x[0-9].go", False),
        ("lib/xa.go", "lib/x[!0-9].go", True),
        ("lib/xa.go", "lib/x[^0-9].go", True),
        ("lib/x/.go", "lib/x[!0-9].go", False),
        ("b.py", "[!abc].py", False),
        ("[unclosed.py", "[unclosed.py", True),
        ("src/a_test.go", "**/{test_*,*_test}.*", True),
        ("src/atest.go", "**/{test_*,*_test}.*", False),
        ("a{b.py", "a{b.py", True),
        ("a,b.py", "a,b.py", True),
        # paths are normalised; regex characters are literal
        ("./src/a.py", "src/*.py", True),
        ("src\\a.py", "src/*.py", True),
        ("src/a+b(1).py", "src/a+b(1).py", True),
    ],
)
def test_glob_match(path: str, pattern: str, expected: bool) -> None:
    assert glob_match(path, pattern) is expected


def test_any_match() -> None:
    assert any_match("src/app.py", ["**/*.md", "src/*.py"]) is True
    assert any_match("src/app.py", ["**/*.md"]) is False
    assert any_match("a.py", []) is False


def test_compiled_patterns_are_cached() -> None:
    assert compile_glob("**/*.py") is compile_glob("**/*.py")


def test_normalise_path() -> None:
    assert normalise_path("./a/b") == "a/b"
    assert normalise_path("/a\\b") == "a/b"
