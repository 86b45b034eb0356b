"""Test-wide isolation: no network-bound cost map, no stray model or GitLab settings."""

import os

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

import pytest  # noqa: E402

_LEAKY_PREFIXES = ("REVIEWER_", "CI_", "GITLAB_", "OPENAI_", "ANTHROPIC_")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """Each test starts without reviewer/CI variables from the developer's shell or CI."""
    for key in list(os.environ):
        if key.startswith(_LEAKY_PREFIXES) or key == "CI":
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path_factory.getbasetemp() / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.test")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "author@example.test")


@pytest.fixture
def scripted_model():
    """A started scripted OpenAI-compatible server (see tests/support/scripted_model.py)."""
    from tests.support.scripted_model import ScriptedModel

    with ScriptedModel() as server:
        yield server


@pytest.fixture(scope="session")
def local_model():
    """The real local model server (xllamacpp + SmolLM2); skips when either is not installed."""
    from tests.support.local_model import LocalModel, LocalModelUnavailable, gguf_path

    try:
        gguf_path()
    except LocalModelUnavailable as exc:
        pytest.skip(f"local model unavailable: {exc}")
    with LocalModel() as server:
        yield server
