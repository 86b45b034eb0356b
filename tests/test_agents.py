"""Agents as data: the shipped YAML files, validation errors, repo overrides, file scopes."""

from __future__ import annotations

import pytest

from reviewer.agents import AgentSpec, apply_overrides, load_agents
from reviewer.errors import ConfigError
from reviewer.models import Category, RiskTier
from reviewer.resources import data_dir
from reviewer.settings import parse_repo_config

GOOD_YAML = """\
name: {name}
description: A test agent.
category: quality
tiers: [full]
prompt: quality.md.j2
"""


def test_shipped_agents_load_with_their_templates():
    specs = {s.name: s for s in load_agents()}
    assert set(specs) == {"security", "quality", "codex", "docs", "performance", "release"}
    for name, spec in specs.items():
        assert spec.category == Category(name)
        assert spec.enabled
        assert (data_dir("prompts") / spec.prompt).is_file(), spec.prompt
        assert spec.limits.max_findings >= 1
    assert specs["codex"].runs_in(RiskTier.TRIVIAL)
    assert [n for n, s in specs.items() if s.runs_in(RiskTier.TRIVIAL)] == ["codex"]
    assert all(s.runs_in(RiskTier.FULL) for s in specs.values())
    assert specs["performance"].tiers == [RiskTier.FULL]
    assert specs["docs"].model == "fast"


@pytest.mark.parametrize(
    ("agent", "path", "expected"),
    [
        ("docs", "README.md", True),
        ("docs", "docs/guide/setup.rst", True),
        ("docs", "src/pkg/__init__.py", True),
        ("docs", "src/pkg/service.py", False),
        ("security", "src/auth/login.py", True),
        ("security", ".gitlab-ci.yml", True),
        ("security", "Dockerfile", True),
        ("security", "docs/guide.md", False),
        ("performance", "src/app/views.py", True),
        ("performance", "tests/test_views.py", False),
        ("performance", "src/app/views_test.go", False),
        ("performance", "db/migrations/0001_init.sql", False),
        ("release", "db/migrations/0001_init.sql", True),
        ("release", "CHANGELOG.md", True),
        ("quality", "src/app/logo.png", False),
    ],
)
def test_shipped_scopes(agent, path, expected):
    spec = next(s for s in load_agents() if s.name == agent)
    assert spec.in_scope(path) is expected


def test_unknown_key_names_the_file_and_key(tmp_path):
    (tmp_path / "extra.yaml").write_text(GOOD_YAML.format(name="extra") + "temperature: 0.3\n")
    with pytest.raises(ConfigError, match=r"extra\.yaml: unknown key 'temperature'"):
        load_agents([tmp_path])


def test_nested_unknown_key_is_named(tmp_path):
    (tmp_path / "extra.yaml").write_text(GOOD_YAML.format(name="extra") + "limits: {max_tokens: 5}\n")
    with pytest.raises(ConfigError, match=r"extra\.yaml: unknown key 'limits\.max_tokens'"):
        load_agents([tmp_path])


def test_bad_yaml_names_the_file_and_line(tmp_path):
    (tmp_path / "broken.yaml").write_text("name: x\ntiers: [full\n")
    with pytest.raises(ConfigError, match=r"broken\.yaml: not valid YAML at line \d+$"):
        load_agents([tmp_path])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "the top level must be a mapping"),
        (GOOD_YAML.format(name="x").replace("quality\n", "style\n", 1), "bad value for 'category'"),
        (GOOD_YAML.format(name="x").replace("tiers: [full]", "tiers: []"), "bad value for 'tiers'"),
        (GOOD_YAML.format(name="x").replace("prompt: quality.md.j2\n", ""), "missing key 'prompt'"),
        (GOOD_YAML.format(name="Bad Name"), "bad value for 'name'"),
        (GOOD_YAML.format(name="x") + "source: elsewhere\n", "unknown key 'source'"),
    ],
)
def test_invalid_specs_are_config_errors(tmp_path, text, message):
    (tmp_path / "agent.yml").write_text(text)
    with pytest.raises(ConfigError, match="agent.yml: " + message):
        load_agents([tmp_path])


def test_duplicate_name_in_one_folder_is_an_error(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD_YAML.format(name="same"))
    (tmp_path / "b.yaml").write_text(GOOD_YAML.format(name="same"))
    with pytest.raises(ConfigError, match=r"b\.yaml: agent 'same' is already defined in a\.yaml"):
        load_agents([tmp_path])


def test_later_folder_adds_and_replaces_agents(tmp_path):
    (tmp_path / "security.yaml").write_text(GOOD_YAML.format(name="security").replace("quality", "security"))
    (tmp_path / "licensing.yaml").write_text(GOOD_YAML.format(name="licensing"))
    specs = {s.name: s for s in load_agents([data_dir("agents"), tmp_path])}
    assert len(specs) == 7
    assert specs["security"].tiers == [RiskTier.FULL]
    assert specs["licensing"].category == Category.QUALITY


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="agents folder not found"):
        load_agents([tmp_path / "nope"])


def test_overrides_switch_agents_and_models():
    config = parse_repo_config("agents:\n  docs: false\n  security: {model: strong}\n")
    specs = {s.name: s for s in apply_overrides(load_agents(), config)}
    assert specs["docs"].enabled is False
    assert specs["security"].model == "strong" and specs["security"].enabled
    assert specs["quality"].model == "default"


def test_model_only_override_keeps_a_disabled_agent_disabled():
    spec = AgentSpec(name="x", description="d", category=Category.DOCS, tiers=[RiskTier.FULL],
                     prompt="docs.md.j2", enabled=False)
    config = parse_repo_config("agents:\n  x: {model: fast}\n")
    [out] = apply_overrides([spec], config)
    assert out.enabled is False and out.model == "fast"


def test_override_of_unknown_agent_names_it():
    config = parse_repo_config("agents:\n  securty: false\n")
    known = r"agents\.securty: unknown agent 'securty' \(known: codex, docs"
    with pytest.raises(ConfigError, match=r"^\.reviewer\.yml: " + known):
        apply_overrides(load_agents(), config)
    with pytest.raises(ConfigError, match=r"^ci/reviewer\.yml: agents\.securty: "):
        apply_overrides(load_agents(), config, "ci/reviewer.yml")
