"""Commands that need no model never import litellm (≈ 2 s and ≈ 200 MB of a run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.gitrepo import GitRepo

_PROBE = """
import contextlib, io, sys
from reviewer.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(["--help"])
with contextlib.redirect_stdout(io.StringIO()):
    codes = [main(["rules", "check"]), main(["review", "--local", "--repo", sys.argv[1], "--base", "main"])]
print(codes, "litellm" in sys.modules)
"""


def test_help_rules_check_and_a_review_without_a_model_do_not_import_litellm(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "repo")
    repo.commit("base", {"app.py": "x = 1\n"})
    repo.branch("feature")
    repo.commit("change", {"app.py": "x = 1\ny = eval(input())\n"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWER_")}
    result = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", _PROBE, str(repo.root)], env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[0, 0] False"
