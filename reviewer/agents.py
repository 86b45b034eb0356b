"""Agents as data: load ``agents/*.yaml`` into ``AgentSpec`` values and apply repo overrides.

Adding an agent is adding a YAML file here and a template in ``prompts/``; no Python changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer.errors import ConfigError
from reviewer.globs import any_match
from reviewer.models import Category, RiskTier
from reviewer.resources import data_dir
from reviewer.settings import CONFIG_FILE_NAME, RepoConfig
from reviewer.yaml_mapping import describe_errors, load_mapping


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileScope(_Strict):
    """Which changed files an agent reviews: any ``include`` glob and no ``exclude`` glob."""

    include: list[str] = Field(default_factory=lambda: ["**"], min_length=1)
    exclude: list[str] = Field(default_factory=list)

    def matches(self, path: str) -> bool:
        """True when ``path`` is in this scope."""
        return any_match(path, self.include) and not any_match(path, self.exclude)


class AgentLimits(_Strict):
    """Caps on what one agent reads and says."""

    max_findings: int = Field(default=10, ge=1, le=50, description="Findings kept per chunk")
    max_input_tokens: int = Field(
        default=60_000, ge=1000, description="Diff tokens sent in one call (also bounded by the context)"
    )


class AgentSpec(_Strict):
    """One specialist reviewer, as declared in ``agents/<name>.yaml``."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")
    description: str
    category: Category
    tiers: list[RiskTier] = Field(min_length=1, description="Risk tiers this agent runs in")
    model: str = Field(default="default", min_length=1, description="Model alias (or litellm model name)")
    files: FileScope = Field(default_factory=FileScope)
    prompt: str = Field(pattern=r"^[\w.-]+\.j2$", description="Category template in prompts/")
    limits: AgentLimits = Field(default_factory=AgentLimits)
    rules: Literal["category", "all", "none"] = Field(
        default="category", description="Codex rules in its prompt: its category's, all that apply, or none"
    )
    enabled: bool = True

    def runs_in(self, tier: RiskTier) -> bool:
        """True when this agent takes part in reviews of ``tier``."""
        return tier in self.tiers

    def in_scope(self, path: str) -> bool:
        """True when this agent reviews ``path``."""
        return self.files.matches(path)


def load_agents(dirs: Sequence[Path | str] | None = None) -> list[AgentSpec]:
    """Load every ``*.yaml``/``*.yml`` in ``dirs`` (default: the packaged ``agents/``).

    A later folder's agent replaces an earlier one of the same name, so a repository can
    tune a shipped agent or add its own. Order: first appearance, by file name per folder.
    """
    folders = [data_dir("agents")] if dirs is None else [Path(d) for d in dirs]
    specs: dict[str, AgentSpec] = {}
    for folder in folders:
        if not folder.is_dir():
            raise ConfigError(f"{folder}: agents folder not found")
        seen_here: dict[str, Path] = {}
        for file in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            spec = _load_file(file)
            if spec.name in seen_here:
                raise ConfigError(f"{file}: agent '{spec.name}' is already defined in {seen_here[spec.name].name}")
            seen_here[spec.name] = file
            specs[spec.name] = spec
    return list(specs.values())


def _load_file(file: Path) -> AgentSpec:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot be read ({exc.__class__.__name__})") from exc
    data = load_mapping(text, str(file))
    try:
        return AgentSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{file}: {describe_errors(exc, AgentSpec)[0]}") from exc


def apply_overrides(specs: Iterable[AgentSpec], repo_config: RepoConfig,
                    source: str = CONFIG_FILE_NAME) -> list[AgentSpec]:
    """Apply ``agents:`` from the repo config (enabled, model); an unknown agent name is an error.

    ``source`` is the config file's path, for the error message.
    """
    specs = list(specs)
    by_name = {s.name: s for s in specs}
    for name in repo_config.agents:
        if name not in by_name:
            known = ", ".join(sorted(by_name)) or "none"
            raise ConfigError(f"{source}: agents.{name}: unknown agent '{name}' (known: {known})")
    result = []
    for spec in specs:
        override = repo_config.agents.get(spec.name)
        if override is not None:
            update: dict[str, object] = {}
            if "enabled" in override.model_fields_set:
                update["enabled"] = override.enabled
            if override.model:
                update["model"] = override.model
            spec = spec.model_copy(update=update)
        result.append(spec)
    return result
