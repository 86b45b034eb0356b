"""Locate the data folders (agents/, prompts/, codex_rules/) through the package, never the cwd."""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` shipped with the package.

    In a wheel the folders live in ``reviewer/_data/``; in a source checkout (editable
    install, tests) they sit beside the package at the repository root.
    """
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder {name!r} is missing from the reviewer installation")
