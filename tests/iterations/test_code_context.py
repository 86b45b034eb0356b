"""Code context in a GitLab run: from the job's checkout when it holds the reviewed head, else
through the repository files API (capped, no call-site search, said in the summary)."""

from __future__ import annotations

from tests.iterations.conftest import TOKEN, Scenario
from tests.support.cli_runner import run_reviewer

CONTEXT = '<untrusted source="code_context">'


def _review(scenario: Scenario, **env: str):
    done = run_reviewer(
        "review", "--gitlab-url", scenario.sim.url, "--project", scenario.project.path_with_namespace,
        "--mr", str(scenario.mr.iid), "--format", "json",
        env={"REVIEWER_GITLAB_TOKEN": TOKEN, "REVIEWER_MODEL": "openai/scripted",
             "REVIEWER_API_BASE": scenario.model.base_url, "REVIEWER_API_KEY": "x", **env})
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_the_checkout_of_the_head_gives_context_without_api_reads(scenario: Scenario):
    _review(scenario, CI_PROJECT_DIR=str(scenario.repo))
    prompts = scenario.security_prompts()
    assert prompts and all(CONTEXT in p for p in prompts)
    assert "def helper_m1(value):" in prompts[0]  # the enclosing module code of a change, beyond the hunk
    raw_reads = [r for r in scenario.sim.request_log if "/repository/files/" in r.path and "app/mod" in r.path]
    assert raw_reads == []
    assert "repository files API" not in scenario.summary()


def test_without_a_checkout_context_comes_through_the_files_api_and_the_summary_says_so(scenario: Scenario):
    _review(scenario)
    prompts = scenario.security_prompts()
    assert prompts and all(CONTEXT in p for p in prompts)
    raw_reads = [r for r in scenario.sim.request_log if "/repository/files/" in r.path and "app%2Fmod" in r.path]
    assert 0 < len(raw_reads) <= 100
    assert "Code context was read through the repository files API" in scenario.summary()
