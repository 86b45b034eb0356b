"""Run the ``reviewer`` command as a user would: a child process with a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["reviewer_command", "run_reviewer"]

_LEAKY_PREFIXES = ("REVIEWER_", "CI_", "GITLAB_", "OPENAI_", "ANTHROPIC_")


def reviewer_command() -> list[str]:
    """The installed ``reviewer`` console script of this interpreter's venv, else ``python -m reviewer``."""
    script = Path(sys.executable).parent / "reviewer"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "reviewer"]


def run_reviewer(
    *args: str | Path, cwd: Path | None = None, env: Mapping[str, str] | None = None, timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``reviewer args`` and capture its output; no ``REVIEWER_*``/CI variables unless ``env`` sets them."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY_PREFIXES) and k != "CI"}
    clean["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    clean.update(env or {})
    return subprocess.run(  # noqa: S603 - our own console script
        [*reviewer_command(), *map(str, args)],
        cwd=cwd, env=clean, capture_output=True, text=True, timeout=timeout, check=False,
    )
