"""Through the CLI: the CI job token put in REVIEWER_GITLAB_TOKEN is named as such (exit 2, one
line), not reported as an invalid or expired token."""

from __future__ import annotations

from reviewer.gitlab_mr.errors import MSG_TOKEN_IS_JOB_TOKEN, MSG_UNAUTHORIZED
from tests.support.cli_runner import run_reviewer

JOB_VALUE = "glcbt-64_Zx9AbCdEfGhIjKlMnOpQ"


def _review(world, env: dict[str, str]):
    return run_reviewer("review", "--gitlab-url", world.sim.url, "--project", "group/proj", "--mr", str(world.iid),
                        env=env)


def test_the_job_token_copied_into_the_reviewer_variable_is_refused_before_any_request(world):
    result = _review(world, {"REVIEWER_GITLAB_TOKEN": JOB_VALUE, "CI_JOB_TOKEN": JOB_VALUE})
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [f"reviewer: error: {MSG_TOKEN_IS_JOB_TOKEN}"]
    assert world.sim.request_log == []
    assert JOB_VALUE not in result.stderr + result.stdout


def test_a_job_token_refused_with_401_says_it_is_a_job_token(world):
    world.sim.add_token(JOB_VALUE, "bot", kind="job")  # a real job token, sent as a private token
    result = _review(world, {"REVIEWER_GITLAB_TOKEN": JOB_VALUE})
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [f"reviewer: error: {MSG_TOKEN_IS_JOB_TOKEN}"]
    assert MSG_TOKEN_IS_JOB_TOKEN.startswith("REVIEWER_GITLAB_TOKEN holds a CI job token")
    assert "project access token with the api scope" in MSG_TOKEN_IS_JOB_TOKEN and "not expired" not in result.stderr
    assert any(r.status == 401 for r in world.sim.request_log)


def test_any_other_rejected_token_keeps_the_expired_hint(world):
    result = _review(world, {"REVIEWER_GITLAB_TOKEN": "glpat-not-known-000000"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"reviewer: error: {MSG_UNAUTHORIZED}"]
