"""The reviewer's exception hierarchy; the CLI turns these into one-line messages."""


class ReviewerError(Exception):
    """Root of every error the reviewer raises on purpose."""


class ConfigError(ReviewerError):
    """Bad flags, environment or configuration file: the user must fix something (exit 2)."""


class RuleError(ConfigError):
    """An Engineering Codex rule file is invalid."""


class DiffError(ReviewerError):
    """A diff could not be parsed."""


class SourceError(ReviewerError):
    """The change under review could not be read (git or GitLab)."""


class LLMError(ReviewerError):
    """A model call failed after retries, fallbacks and the repair attempt."""


class GitLabError(ReviewerError):
    """A GitLab API call failed in a way the reviewer cannot recover from."""


class GitLabAuthError(GitLabError, ConfigError):
    """The token is missing, wrong, or lacks the scope or role the call needs."""
