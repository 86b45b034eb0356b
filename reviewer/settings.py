"""Settings: the only reader of the environment and of the repository's config file.

Precedence, lowest first: built-in defaults < the repo config file (read from the target
branch) < ``REVIEWER_*`` environment variables < command-line flags.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewer.errors import ConfigError
from reviewer.models import Severity
from reviewer.prompting.overrides import PromptOverrides, repo_folder
from reviewer.yaml_mapping import describe_errors, load_mapping

CONFIG_FILE_NAME = ".reviewer.yml"
AgentFailurePolicy = Literal["fail", "warn"]
AGENT_FAILURE_POLICIES: tuple[str, ...] = ("fail", "warn")
NO_MODEL_HELP = (
    "set REVIEWER_MODEL to a litellm model name (e.g. openai/gpt-4o-mini, anthropic/claude-sonnet-4-5) "
    "and, for an OpenAI-compatible gateway, REVIEWER_API_BASE"
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelAlias(_Strict):
    """What one model alias (used by agents) resolves to."""

    model: str | None = Field(default=None, description="litellm model name; None uses REVIEWER_MODEL")
    fallbacks: list[str] = Field(default_factory=list, description="Models tried in order when it fails")
    api_base: str | None = Field(default=None, description="OpenAI-compatible base URL for this alias")
    max_output_tokens: int = Field(default=2000, ge=64, description="Cap on the reply's tokens")
    context_window: int | None = Field(
        default=None, ge=1024, description="Override of the model's context size in tokens"
    )
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)


class ModelCall(_Strict):
    """Everything ``reviewer.llm`` needs to call one resolved alias."""

    alias: str
    model: str
    fallbacks: list[str] = Field(default_factory=list)
    api_base: str | None = None
    api_key: str | None = Field(default=None, repr=False)
    timeout_s: float = 120.0
    max_retries: int = 4
    max_output_tokens: int = 2000
    context_window: int | None = None
    temperature: float = 0.0
    seed: int | None = 7


class RiskThresholds(_Strict):
    """Tier thresholds; Cloudflare's published numbers are the defaults."""

    trivial_max_lines: int = Field(default=10, ge=0)
    trivial_max_files: int = Field(default=20, ge=0)
    light_max_lines: int = Field(default=100, ge=0)
    light_max_files: int = Field(default=20, ge=0)
    full_over_files: int = Field(default=50, ge=0, description="More files than this is always full")
    sensitive_paths: list[str] = Field(
        default_factory=lambda: [
            "**/auth/**", "**/*auth*.*", "**/security/**", "**/*crypto*", "**/*secret*",
            "**/*password*", "**/*token*", "**/*session*", "**/*permission*", "**/*acl*",
            "**/.gitlab-ci.yml", "**/Dockerfile", "**/*.tf", "**/iam/**", "**/oauth*/**",
        ],
        description="Globs of security-sensitive paths: a change touching one is always full",
    )
    migration_paths: list[str] = Field(
        default_factory=lambda: ["**/migrations/**", "**/migrate/**", "**/*.sql", "**/alembic/**"],
        description="Globs of migrations: they always count and always raise the tier to full",
    )


class AgentOverride(_Strict):
    """Per-agent switches in the repo config file."""

    enabled: bool = True
    model: str | None = Field(default=None, description="Model alias or litellm model for this agent")


class PathInstruction(_Strict):
    """Extra instructions for files matching a glob, given to every agent reviewing them."""

    path: str
    instructions: str


class ContextConfig(_Strict):
    """Code context: the code around each change, what it uses and who calls it, at head."""

    enabled: bool = Field(default=True, description="false: the agents see only the diff, as before")
    min_tokens: int = Field(default=4000, ge=0, description="Context allowance of a chunk, at least")
    max_ratio: float = Field(default=3.0, ge=0, description="… or this many times the chunk's diff tokens")
    max_tokens: int = Field(default=12000, ge=0, description="… but never more than this")
    call_sites: int = Field(default=5, ge=0, description="Call sites shown per changed signature, at least")

    def allowance(self, diff_tokens: int) -> int:
        """The context tokens a chunk with ``diff_tokens`` of diff may carry."""
        return int(min(max(self.min_tokens, self.max_ratio * diff_tokens), self.max_tokens))


class RepoConfig(_Strict):
    """The schema of ``.reviewer.yml`` in the reviewed repository."""

    agents: dict[str, AgentOverride] = Field(default_factory=dict)
    path_instructions: list[PathInstruction] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list, description="Globs of files never reviewed")
    inline_min_severity: Severity = Field(
        default=Severity.SUGGESTION, description="Findings below this go to the summary only"
    )
    max_inline_comments: int = Field(default=20, ge=0)
    max_findings_per_severity: dict[Severity, int] = Field(
        default_factory=lambda: {
            Severity.CRITICAL: 20, Severity.IMPORTANT: 15, Severity.SUGGESTION: 10, Severity.NOTE: 5,
        }
    )
    codex_rule_dirs: list[str] = Field(default_factory=list, description="Extra Codex rule folders")
    prompts_dir: str | None = Field(
        default=None,
        description="Folder (relative to the repository root) of prompt templates that replace the packaged "
                    "ones of the same name, read from the target branch",
    )
    models: dict[str, ModelAlias] = Field(default_factory=dict)
    risk: RiskThresholds = Field(default_factory=RiskThresholds)
    token_budget: int = Field(default=400_000, ge=1000, description="Prompt tokens one review may spend")
    skip_drafts: bool = Field(default=False, description="Do not review draft merge requests (GitLab only)")
    context: ContextConfig = Field(default_factory=ContextConfig)
    verify: list[Severity] = Field(
        default_factory=lambda: [Severity.CRITICAL, Severity.IMPORTANT],
        description="Severities of model findings a second model call checks before posting ([] turns it off)",
    )
    on_agent_failure: AgentFailurePolicy | None = Field(
        default=None,
        description="fail: any failed model call exits 3; warn: never exits 3 for it; unset: exit 3 only "
                    "when every model call failed",
    )

    @field_validator("prompts_dir")
    @classmethod
    def _repo_folder(cls, value: str | None) -> str | None:
        return None if value is None else repo_folder(value)

    @field_validator("agents", mode="before")
    @classmethod
    def _agent_shorthand(cls, value: Any) -> Any:
        """Allow ``agents: {docs: false}`` as shorthand for ``{docs: {enabled: false}}``."""
        if isinstance(value, dict):
            return {k: ({"enabled": v} if isinstance(v, bool) else v) for k, v in value.items()}
        return value


def parse_repo_config(text: str | None, source: str = CONFIG_FILE_NAME) -> RepoConfig:
    """Parse the repo config file; a missing file gives the defaults, a bad one a ConfigError."""
    data = load_mapping(text or "", source, empty_ok=True)
    try:
        return RepoConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {describe_errors(exc, RepoConfig)[0]}") from exc


class Environment(BaseModel):
    """The ``REVIEWER_*`` and CI variables the reviewer reads, captured once."""

    model: str | None = None
    api_base: str | None = None
    api_key: str | None = Field(default=None, repr=False)
    alias_models: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = 120.0
    max_retries: int = 4
    token_budget: int | None = None
    gitlab_token: str | None = Field(default=None, repr=False)
    job_token: str | None = Field(default=None, repr=False)
    gitlab_url: str | None = None
    project: str | None = None
    mr_iid: int | None = None
    in_ci: bool = False
    dry_run: bool = False
    config_path: str = CONFIG_FILE_NAME
    on_agent_failure: AgentFailurePolicy | None = None
    project_dir: str | None = Field(default=None, description="CI_PROJECT_DIR: the job's checkout of the MR")

    @classmethod
    def read(cls, env: Mapping[str, str] | None = None) -> Environment:
        """Read the process environment (or ``env``) into an Environment."""
        env = os.environ if env is None else env
        aliases = {
            key[len("REVIEWER_MODEL_"):].lower(): value
            for key, value in env.items()
            if key.startswith("REVIEWER_MODEL_") and value
        }
        gitlab_url = (env.get("REVIEWER_GITLAB_URL") or env.get("CI_SERVER_URL")
                      or env.get("CI_API_V4_URL") or None)  # the client strips a trailing /api/v4
        iid = env.get("CI_MERGE_REQUEST_IID")
        try:
            return cls(
                model=env.get("REVIEWER_MODEL") or None,
                api_base=env.get("REVIEWER_API_BASE") or None,
                api_key=env.get("REVIEWER_API_KEY") or None,
                alias_models=aliases,
                timeout_s=float(env.get("REVIEWER_LLM_TIMEOUT", "120")),
                max_retries=int(env.get("REVIEWER_LLM_MAX_RETRIES", "4")),
                token_budget=int(env["REVIEWER_TOKEN_BUDGET"]) if env.get("REVIEWER_TOKEN_BUDGET") else None,
                gitlab_token=env.get("REVIEWER_GITLAB_TOKEN") or None,
                job_token=env.get("CI_JOB_TOKEN") or None,
                gitlab_url=gitlab_url,
                project=env.get("CI_MERGE_REQUEST_PROJECT_ID") or None,
                mr_iid=int(iid) if iid else None,
                in_ci=bool(env.get("CI")),
                dry_run=_truthy(env.get("REVIEWER_DRY_RUN", "")),
                config_path=env.get("REVIEWER_CONFIG") or CONFIG_FILE_NAME,
                on_agent_failure=_policy(env.get("REVIEWER_ON_AGENT_FAILURE", "")),
                project_dir=env.get("CI_PROJECT_DIR") or None,
            )
        except ValueError as exc:
            raise ConfigError(f"environment: {exc}") from exc


def _policy(value: str) -> AgentFailurePolicy | None:
    """``REVIEWER_ON_AGENT_FAILURE``: fail, warn, or empty (the default)."""
    word = value.strip().lower()
    if not word:
        return None
    if word not in AGENT_FAILURE_POLICIES:
        raise ValueError(f"REVIEWER_ON_AGENT_FAILURE must be fail or warn, got {value!r}")
    return "fail" if word == "fail" else "warn"


def _truthy(value: str) -> bool:
    """Interpret a boolean-ish environment value ("true", "1", "yes")."""
    if value.strip().lower() in ("", "0", "false", "no", "off"):
        return False
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"expected true or false, got {value!r}")


class Settings(BaseModel):
    """Resolved settings for one review run."""

    env: Environment = Field(default_factory=Environment)
    repo: RepoConfig = Field(default_factory=RepoConfig)
    extra_rule_dirs: list[Path] = Field(default_factory=list)
    prompt_overrides: PromptOverrides = Field(
        default_factory=PromptOverrides,
        description="Templates that replace packaged ones (--prompts-dir, then the config's prompts_dir); "
                    "every render of the run reads them",
    )

    @property
    def model_configured(self) -> bool:
        """True when some model is set for the default alias or any other."""
        return bool(self.env.model or self.env.alias_models or any(a.model for a in self.repo.models.values()))

    @property
    def on_agent_failure(self) -> AgentFailurePolicy | None:
        """What a failed model call does to the exit status (environment overrides the repo config)."""
        return self.env.on_agent_failure or self.repo.on_agent_failure

    @property
    def token_budget(self) -> int:
        """The per-review prompt-token budget (environment overrides the repo config)."""
        return self.env.token_budget or self.repo.token_budget

    def alias_has_model(self, alias: str) -> bool:
        """True when ``alias`` names a model of its own (``REVIEWER_MODEL_<ALIAS>`` or the repo's
        ``models.<alias>.model``), rather than falling back to ``REVIEWER_MODEL``."""
        name = alias.lower()
        config = self.repo.models.get(name)
        return bool(self.env.alias_models.get(name) or (config is not None and config.model))

    def resolve_model(self, alias_or_model: str) -> ModelCall | None:
        """Resolve an agent's model alias (or a literal litellm model) to a call; None if unset.

        Lookup: ``REVIEWER_MODEL_<ALIAS>`` → repo ``models.<alias>.model`` → ``REVIEWER_MODEL``.
        A value containing ``/`` that is not a known alias is taken as a litellm model name.
        """
        alias = alias_or_model.lower()
        cfg = self.repo.models.get(alias, ModelAlias())
        model = self.env.alias_models.get(alias) or cfg.model
        if model is None and "/" in alias_or_model and alias not in self.repo.models:
            model = alias_or_model
        model = model or self.env.model
        if not model:
            return None
        return ModelCall(
            alias=alias,
            model=model,
            fallbacks=list(cfg.fallbacks),
            api_base=cfg.api_base or self.env.api_base,
            api_key=self.env.api_key,
            timeout_s=self.env.timeout_s,
            max_retries=self.env.max_retries,
            max_output_tokens=cfg.max_output_tokens,
            context_window=cfg.context_window,
            temperature=cfg.temperature,
        )
