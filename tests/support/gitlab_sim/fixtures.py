"""Pytest fixture: `gitlab_sim`, a started simulator stopped after the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .simulator import GitLabSimulator


@pytest.fixture
def gitlab_sim() -> Iterator[GitLabSimulator]:
    """A running simulator with no users, tokens or projects yet."""
    with GitLabSimulator() as sim:
        yield sim
