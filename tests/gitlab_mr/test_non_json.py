"""A 2xx whose body is not JSON (an HTML page from a proxy, a truncated reply) is retried like a
5xx, then named in one line; a URL that never answers JSON is still "not GitLab"."""

from __future__ import annotations

import pytest
import requests

from reviewer.errors import ConfigError, GitLabError
from reviewer.gitlab_mr import load_gitlab_mr, publish
from reviewer.gitlab_mr.errors import GitLabNotJson, NotGitLabError, not_json_message
from tests.gitlab_mr.conftest import TOKEN
from tests.gitlab_mr.test_publish import LINE_CASES, result_of, summary_notes

DISCUSSIONS = r"/merge_requests/\d+/discussions$"
MR = r"/merge_requests/\d+$"


def _reads(world, suffix: str) -> int:
    return len([r for r in world.sim.request_log if r.method == "GET" and r.path.endswith(suffix)])


def test_the_truncate_fault_answers_200_json_that_does_not_parse(world):
    world.sim.faults.add(method="GET", path_regex=DISCUSSIONS, truncate=True, times=1)
    url = f"{world.sim.api_url}/projects/{world.project_id}/merge_requests/{world.iid}/discussions"
    answer = requests.get(url, headers={"PRIVATE-TOKEN": TOKEN}, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        answer.json()
    assert requests.get(url, headers={"PRIVATE-TOKEN": TOKEN}, timeout=10).json() == []


@pytest.mark.parametrize("fault", [{"status": 200}, {"truncate": True}], ids=["html", "truncated"])
def test_one_bad_body_on_a_read_is_retried(world, fault):
    world.sim.faults.add(method="GET", path_regex=DISCUSSIONS, times=1, **fault)
    world.sim.faults.add(method="GET", path_regex=r"/diffs$", times=1, **fault)  # a paginated list
    mr = load_gitlab_mr(world.client(), world.project_id, world.iid)
    assert "src/app.py" in {f.path for f in mr.files}
    assert _reads(world, "/discussions") == 2


@pytest.mark.parametrize(("fault", "sent"), [
    ({"status": 200}, "text/html instead of JSON"), ({"truncate": True}, "a broken or truncated JSON body"),
], ids=["html", "truncated"])
def test_a_persistent_bad_body_is_one_line_naming_the_endpoint_and_what_came(world, fault, sent):
    world.sim.faults.add(method="GET", path_regex=DISCUSSIONS, times=100, **fault)
    with pytest.raises(GitLabError) as caught:
        load_gitlab_mr(world.client(), world.project_id, world.iid)
    assert str(caught.value) == (
        f"GitLab sent {sent} on GET /projects/{world.project_id}/merge_requests/{world.iid}/discussions "
        "(4 attempts); a proxy in front of GitLab may be answering")
    assert not isinstance(caught.value, ConfigError)  # exit 3: the review could not finish
    assert _reads(world, "/discussions") == 4


def test_the_first_call_answering_html_every_time_is_not_gitlab(world):
    world.sim.faults.add(method="GET", path_regex=MR, status=200, times=100)
    with pytest.raises(NotGitLabError, match="does not answer like GitLab"):
        world.client().get_mr(world.project_id, world.iid)
    assert _reads(world, f"/merge_requests/{world.iid}") == 4


def test_html_on_the_mr_after_gitlab_answered_is_a_proxy_not_a_wrong_url(world):
    client = world.client()
    world.sim.faults.add(method="GET", path_regex=MR, status=200, times=1)
    assert client.get_mr(world.project_id, world.iid)["iid"] == world.iid  # retried once
    world.sim.faults.add(method="GET", path_regex=MR, status=200, times=100)
    with pytest.raises(GitLabNotJson) as caught:
        client.get_mr(world.project_id, world.iid)
    assert not isinstance(caught.value, ConfigError)
    assert str(caught.value).startswith(f"GitLab sent text/html instead of JSON on GET /projects/{world.project_id}/")


@pytest.mark.parametrize("after_handling", [False, True], ids=["not applied", "applied"])
def test_a_write_answered_with_html_is_retried_without_posting_twice(world, after_handling):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    world.sim.faults.add(method="POST", path_regex=r"/notes$", status=200, times=1, after_handling=after_handling)
    report = publish(client, mr, result_of(LINE_CASES[0][0]), dry_run=False)
    [summary] = summary_notes(world.sim, world.mr)
    assert report.summary_note_id == summary["id"] and report.summary_action == "created"  # the full one
    assert summary["body"] == report.summary_body


def test_the_message_keeps_only_the_media_type():
    where = "GET /projects/1/merge_requests/1/discussions"
    assert not_json_message(where, "text/html; charset=utf-8", 4) == (
        f"GitLab sent text/html instead of JSON on {where} (4 attempts); a proxy in front of GitLab may be answering")
    assert not_json_message(where, None, 1).startswith("GitLab sent a body without a content type instead of JSON")
    assert "\n" not in not_json_message(where, "text/html\r\nX-Evil: 1", 4)
