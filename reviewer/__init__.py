"""reviewer: a multi-agent AI code reviewer for GitLab merge requests."""

__version__ = "0.2.0"
__all__ = ["__version__"]
