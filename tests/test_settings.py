"""Settings: environment reading, repo config validation, model alias resolution."""

import pytest

from reviewer.errors import ConfigError
from reviewer.models import Severity
from reviewer.settings import Environment, RepoConfig, Settings, parse_repo_config


def test_missing_or_empty_config_gives_defaults():
    assert parse_repo_config(None) == RepoConfig()
    assert parse_repo_config("  \n") == RepoConfig()


def test_config_values_are_read():
    cfg = parse_repo_config(
        "agents:\n  docs: false\n  security: {model: strong}\n"
        "ignore: ['docs/generated/**']\ninline_min_severity: important\nmax_inline_comments: 5\n"
        "path_instructions:\n  - {path: 'src/**', instructions: 'Prefer pure functions.'}\n"
    )
    assert cfg.agents["docs"].enabled is False
    assert cfg.agents["security"].model == "strong"
    assert cfg.inline_min_severity is Severity.IMPORTANT
    assert cfg.max_inline_comments == 5
    assert cfg.path_instructions[0].path == "src/**"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("agnets: {}\n", "unknown key 'agnets'"),
        ("agents:\n  docs: {enabeld: true}\n", "unknown key 'agents.docs.enabeld'"),
        ("inline_min_severity: loud\n", "bad value for 'inline_min_severity'"),
        ("max_inline_comments: -1\n", "bad value for 'max_inline_comments'"),
        ("- a\n- b\n", "top level must be a mapping"),
        ("key: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_config_names_the_key(text, message):
    with pytest.raises(ConfigError, match="^.reviewer.yml: ") as info:
        parse_repo_config(text)
    assert message in str(info.value)


def test_environment_reads_reviewer_and_ci_variables():
    env = Environment.read(
        {
            "REVIEWER_MODEL": "openai/gpt-4o-mini",
            "REVIEWER_MODEL_FAST": "openai/small",
            "REVIEWER_API_BASE": "http://127.0.0.1:9/v1",
            "REVIEWER_GITLAB_TOKEN": "glpat-secret-value",
            "CI_SERVER_URL": "https://gitlab.example.com",
            "CI_PROJECT_ID": "999",
            "CI_MERGE_REQUEST_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_IID": "7",
            "CI": "true",
            "REVIEWER_DRY_RUN": "true",
        }
    )
    assert env.model == "openai/gpt-4o-mini"
    assert env.alias_models == {"fast": "openai/small"}
    assert env.project == "42", "the MR's project, never CI_PROJECT_ID (a fork in fork pipelines)"
    assert env.mr_iid == 7
    assert env.in_ci and env.dry_run
    assert "glpat-secret-value" not in repr(env)


def test_environment_rejects_bad_numbers():
    with pytest.raises(ConfigError, match="environment"):
        Environment.read({"REVIEWER_LLM_TIMEOUT": "soon"})
    with pytest.raises(ConfigError, match="environment"):
        Environment.read({"REVIEWER_DRY_RUN": "perhaps"})


def test_model_resolution_order():
    repo = parse_repo_config("models:\n  strong: {model: anthropic/claude, fallbacks: [openai/gpt-4o]}\n")
    settings = Settings(env=Environment.read({"REVIEWER_MODEL": "openai/default"}), repo=repo)
    assert settings.resolve_model("default").model == "openai/default"
    strong = settings.resolve_model("strong")
    assert (strong.model, strong.fallbacks) == ("anthropic/claude", ["openai/gpt-4o"])
    assert settings.resolve_model("openai/literal-model").model == "openai/literal-model"
    env_override = Settings(env=Environment.read({"REVIEWER_MODEL_STRONG": "openai/o"}), repo=repo)
    assert env_override.resolve_model("strong").model == "openai/o"


def test_no_model_configured():
    settings = Settings(env=Environment.read({}))
    assert not settings.model_configured
    assert settings.resolve_model("default") is None


def test_alias_settings_and_llm_environment_reach_the_model_call():
    repo = parse_repo_config(
        "models:\n  strong: {model: openai/big, api_base: 'http://127.0.0.1:8/v1', max_output_tokens: 900,"
        " context_window: 32000, temperature: 0.3}\n"
    )
    env = Environment.read({"REVIEWER_API_BASE": "http://127.0.0.1:9/v1", "REVIEWER_API_KEY": "k",
                            "REVIEWER_LLM_TIMEOUT": "7.5", "REVIEWER_LLM_MAX_RETRIES": "1"})
    strong = Settings(env=env, repo=repo).resolve_model("strong")
    assert (strong.api_base, strong.max_output_tokens, strong.context_window, strong.temperature) == (
        "http://127.0.0.1:8/v1", 900, 32000, 0.3)
    assert (strong.api_key, strong.timeout_s, strong.max_retries) == ("k", 7.5, 1)
    plain = Settings(env=env.model_copy(update={"model": "openai/x"}), repo=repo).resolve_model("default")
    assert (plain.api_base, plain.max_output_tokens, plain.context_window) == ("http://127.0.0.1:9/v1", 2000, None)


def test_token_budget_from_the_environment_wins_over_the_repo_config():
    repo = parse_repo_config("token_budget: 9000\n")
    assert Settings(repo=repo).token_budget == 9000
    assert Settings(env=Environment.read({"REVIEWER_TOKEN_BUDGET": "5000"}), repo=repo).token_budget == 5000
    assert Settings().token_budget == 400_000


def test_config_path_comes_from_reviewer_config():
    assert Environment.read({}).config_path == ".reviewer.yml"
    assert Environment.read({"REVIEWER_CONFIG": "ci/reviewer.yml"}).config_path == "ci/reviewer.yml"
