"""The retrying client against simulator faults and refused tokens."""

from __future__ import annotations

import pytest

from reviewer.errors import GitLabAuthError, GitLabError
from reviewer.gitlab_mr import load_gitlab_mr, publish
from reviewer.gitlab_mr.client import GitLabClient, RetryPolicy
from reviewer.gitlab_mr.errors import MSG_JOB_READ, MSG_JOB_WRITE, MSG_SCOPE_WRITE, MSG_UNAUTHORIZED
from reviewer.log import configure
from tests.gitlab_mr.conftest import FAST, GUEST_TOKEN, JOB_TOKEN, RO_TOKEN, TOKEN
from tests.gitlab_mr.test_publish import LINE_CASES, result_of, summary_notes, threads_by_fp


def sleeping_client(world, sleeps: list[float], policy: RetryPolicy = FAST) -> GitLabClient:
    return GitLabClient.connect(world.sim.url, TOKEN, policy=policy, sleep=sleeps.append)


def requests_to(world, method: str, suffix: str) -> list:
    return [r for r in world.sim.request_log if r.method == method and r.path.endswith(suffix)]


def test_429_waits_retry_after_once_not_twice(world):
    sleeps: list[float] = []
    client = sleeping_client(world, sleeps)
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    world.sim.faults.add(method="POST", path_regex=r"/discussions$", status=429, times=2, retry_after=1)
    report = publish(client, mr, result_of(LINE_CASES[0][0]), dry_run=False)
    assert len(report.threads) == 1
    assert sleeps == [1.0, 1.0]  # our wait only; python-gitlab's own 429 loop is off
    assert [r.status for r in requests_to(world, "POST", "/discussions")] == [429, 429, 201]
    assert len(threads_by_fp(world.sim, world.mr)) == 1


def test_429_retry_after_is_capped_and_notes_429_backs_off(world):
    sleeps: list[float] = []
    client = sleeping_client(world, sleeps, RetryPolicy(attempts=4, backoff_base=0.25, max_wait=5.0))
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    world.sim.faults.add(method="POST", path_regex=r"/discussions$", status=429, times=1, retry_after=3600)
    world.sim.faults.add(method="POST", path_regex=r"/notes$", status=429, times=2, retry_after=None,
                         notes_variant=True)
    publish(client, mr, result_of(LINE_CASES[0][0]), dry_run=False)
    assert sleeps == [5.0, 0.25, 0.5]
    assert len(summary_notes(world.sim, world.mr)) == 1


def test_5xx_and_dropped_connections_lose_nothing_and_double_nothing(world):
    client = world.client()
    world.sim.faults.add(method="GET", path_regex=r"/diffs$", status=502, times=2)
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    assert len(mr.files) > 100
    # Applied, then the response is lost: a blind retry would post twice.
    faults = [
        world.sim.faults.add(method="POST", path_regex=r"/discussions$", status=500, times=1, after_handling=True),
        world.sim.faults.add(method="POST", path_regex=r"/discussions$", drop_connection=True, times=1,
                             after_handling=True),
        world.sim.faults.add(method="POST", path_regex=r"/discussions$", drop_connection=True, times=1),
        world.sim.faults.add(method="POST", path_regex=r"/notes$", drop_connection=True, times=1,
                             after_handling=True),
    ]
    findings = [c[0] for c in LINE_CASES]
    report = publish(client, mr, result_of(*findings), dry_run=False)
    assert len(report.threads) == len(findings)
    assert [f.fired for f in faults] == [1, 1, 1, 1]
    threads = threads_by_fp(world.sim, world.mr)  # asserts no duplicate fingerprints
    assert sorted(threads) == sorted(f.fingerprint for f in findings)
    assert len(summary_notes(world.sim, world.mr)) == 1
    # and a rerun after all that adds nothing
    again = publish(client, load_gitlab_mr(client, world.project_id, world.iid), result_of(*findings), dry_run=False)
    assert again.threads == [] and len(threads_by_fp(world.sim, world.mr)) == len(findings)


def test_persistent_5xx_ends_with_one_line_error_after_few_attempts(world):
    client = world.client()
    world.sim.faults.add(method="GET", path_regex=r"/merge_requests/\d+$", status=503, times=50)
    with pytest.raises(GitLabError) as caught:
        load_gitlab_mr(client, world.project_id, world.iid)
    assert str(caught.value) == (
        f"GitLab kept failing (503) on GET /projects/{world.project_id}/merge_requests/{world.iid} after 4 attempts")
    assert len(requests_to(world, "GET", f"/merge_requests/{world.iid}")) == 4


def test_other_4xx_are_not_retried(world):
    client = world.client()
    with pytest.raises(GitLabError) as caught:
        load_gitlab_mr(client, world.project_id, 999)
    assert "404" in str(caught.value) and "\n" not in str(caught.value)
    assert len(requests_to(world, "GET", "/merge_requests/999")) == 1


def test_wrong_token_gives_the_401_line_without_the_token(world, capsys):
    configure(json_logs=True)
    client = world.client(token="glpat-wrong-token-value")
    with pytest.raises(GitLabAuthError) as caught:
        load_gitlab_mr(client, world.project_id, world.iid)
    assert str(caught.value) == MSG_UNAUTHORIZED
    assert "glpat-wrong" not in str(caught.value) + capsys.readouterr().err


def test_read_only_token_reads_but_cannot_post(world):
    client = world.client(token=RO_TOKEN)
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    with pytest.raises(GitLabAuthError) as caught:
        publish(client, mr, result_of(LINE_CASES[0][0]), dry_run=False)
    assert str(caught.value) == MSG_SCOPE_WRITE == (
        "REVIEWER_GITLAB_TOKEN needs the 'api' scope to post comments (it has read-only access)")
    assert publish(client, mr, result_of(LINE_CASES[0][0]), dry_run=True).threads  # dry run needs reads only


def test_job_token_cannot_read_diffs_nor_post(world):
    reader = world.client(token=TOKEN)
    mr = load_gitlab_mr(reader, world.project_id, world.iid)
    job = world.client(token=None, job_token=JOB_TOKEN)
    with pytest.raises(GitLabAuthError) as caught:
        load_gitlab_mr(job, world.project_id, world.iid)
    assert str(caught.value) == MSG_JOB_READ
    with pytest.raises(GitLabAuthError) as caught:
        publish(job, mr, result_of(LINE_CASES[0][0]), dry_run=False)
    assert str(caught.value) == MSG_JOB_WRITE
    assert str(caught.value).startswith("CI_JOB_TOKEN cannot post comments: set a masked CI/CD variable")
    assert not any(r.method == "POST" for r in world.sim.request_log)


def test_low_role_names_the_developer_role(world):
    client = world.client(token=GUEST_TOKEN)
    mr = load_gitlab_mr(world.client(), world.project_id, world.iid)
    with pytest.raises(GitLabAuthError) as caught:
        publish(client, mr, result_of(LINE_CASES[0][0]), dry_run=False)
    assert str(caught.value) == f"REVIEWER_GITLAB_TOKEN needs at least the Developer role on {world.project_id}"


def test_no_token_at_all():
    with pytest.raises(GitLabAuthError, match="REVIEWER_GITLAB_TOKEN"):
        GitLabClient.connect("http://127.0.0.1:9", None, None)


def test_unreachable_gitlab_is_one_line_after_few_attempts():
    sleeps: list[float] = []
    client = GitLabClient.connect("http://127.0.0.1:1", TOKEN, policy=FAST, sleep=sleeps.append)
    with pytest.raises(GitLabError) as caught:
        client.get_mr("group/proj", 1)
    assert str(caught.value) == (
        "could not reach GitLab at http://127.0.0.1:1 (ConnectionError) on GET "
        "/projects/group%2Fproj/merge_requests/1 after 4 attempts")
    assert sleeps == [0.01, 0.02, 0.04]
