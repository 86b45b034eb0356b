"""reviewer: a multi-agent AI code reviewer for GitLab merge requests."""

__version__ = "0.1.0"
__all__ = ["__version__"]
