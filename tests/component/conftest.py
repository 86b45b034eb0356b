"""Fixtures: a consumer repository served by the GitLab simulator, with an MR and a bot token."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.component.harness import BOT_TOKEN, Consumer, build_consumer_repo
from tests.support.gitlab_sim import GitLabSimulator


@pytest.fixture(scope="session")
def consumer_template(tmp_path_factory) -> Path:
    """The consumer repository, built once and copied per test."""
    repo = tmp_path_factory.mktemp("consumer-template") / "shop"
    with pytest.MonkeyPatch.context() as mp:
        # Session fixtures run before the autouse env isolation: keep the developer's git config out.
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(tmp_path_factory.getbasetemp() / "gitconfig"))
        build_consumer_repo(repo)
    return repo


@pytest.fixture
def consumer(consumer_template: Path, tmp_path: Path, scripted_model) -> Iterator[Consumer]:
    """A fresh consumer repo (on ``feature``), its project and MR in a running simulator."""
    repo = tmp_path / "shop"
    shutil.copytree(consumer_template, repo)
    home = tmp_path / "gcl-home"
    home.mkdir()
    with GitLabSimulator() as sim:
        sim.add_user("dev", role="developer")
        sim.add_user("bot", role="developer")
        sim.add_token(BOT_TOKEN, "bot", scopes=("api",))
        project = sim.create_project("group/shop", repo)
        mr = sim.create_mr(project, "feature", "main", title="Add total with discount", author="dev")
        yield Consumer(repo=repo, home=home, sim=sim, model=scripted_model, project=project, mr=mr)
