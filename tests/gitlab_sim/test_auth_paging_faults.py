"""Tokens, scopes and roles; pagination; rate limits and injected faults."""

from __future__ import annotations

import gitlab
import pytest
import requests

SCOPE_403 = {"error": "insufficient_scope",
             "error_description": "The request requires higher privileges than provided by the access token.",
             "scope": "api"}


def test_unknown_token_401(sim):
    gl = gitlab.Gitlab(sim.url, private_token="nope")
    with pytest.raises(gitlab.GitlabAuthenticationError):
        gl.auth()


def test_bearer_and_user(sim):
    gl = gitlab.Gitlab(sim.url, oauth_token="tok-bot")
    gl.auth()
    assert gl.user.username == "bot"


@pytest.mark.parametrize("kind", ["read_api", "job"])
def test_writes_refused_for_read_api_and_job_tokens(sim, kind):
    headers = {"PRIVATE-TOKEN": "tok-ro"} if kind == "read_api" else {"JOB-TOKEN": "tok-job"}
    r = requests.post(f"{sim.api_url}/projects/1/merge_requests/1/notes", json={"body": "x"},
                      headers=headers, timeout=5)
    assert r.status_code == 403 and r.json() == SCOPE_403
    assert not sim.notes(sim.mr)


def test_job_token_read_allowlist(sim):
    gl = gitlab.Gitlab(sim.url, job_token="tok-job")
    mr = gl.projects.get(1, lazy=True).mergerequests.get(1)
    assert mr.iid == 1
    mr.notes.list(get_all=True)
    with pytest.raises(gitlab.GitlabListError) as err:
        mr.discussions.list(get_all=True)
    assert err.value.response_code == 403


def test_pagination_over_250(sim, mr):
    for i in range(250):
        sim.state.create_note(sim.mr, "bot", f"n{i}")
    with pytest.warns(UserWarning):
        first = mr.notes.list()
    assert len(first) == 20
    assert len(mr.notes.list(get_all=True, per_page=100)) == 250
    assert len(mr.discussions.list(get_all=True)) == 250
    r = requests.get(f"{sim.api_url}/projects/1/merge_requests/1/notes?per_page=500&page=2",
                     headers={"PRIVATE-TOKEN": "tok-bot"}, timeout=5)
    assert r.headers["x-per-page"] == "100" and r.headers["x-total"] == "250"
    assert r.headers["x-total-pages"] == "3" and r.headers["x-prev-page"] == "1"
    assert 'rel="next"' in r.headers["Link"] and sim.url in r.headers["Link"]


def test_429_then_success(sim, mr):
    sim.faults.add(method="POST", path_regex=r"/discussions$", status=429, times=2, retry_after=0)
    d = mr.discussions.create({"body": "after throttle"})
    assert d.id
    statuses = [r.status for r in sim.request_log if r.method == "POST"]
    assert statuses == [429, 429, 201]


def test_429_shapes(sim):
    sim.faults.add(method="POST", path_regex=r"/notes$", status=429, retry_after=None, notes_variant=True)
    sim.faults.add(method="GET", path_regex=r"/merge_requests/1$", status=429, retry_after=3)
    h = {"PRIVATE-TOKEN": "tok-bot"}
    r = requests.post(f"{sim.api_url}/projects/1/merge_requests/1/notes", json={"body": "x"}, headers=h, timeout=5)
    assert r.status_code == 429 and "Retry-After" not in r.headers
    assert r.json() == {"message": {"error": "This endpoint has been requested too many times. Try again later."}}
    r = requests.get(f"{sim.api_url}/projects/1/merge_requests/1", headers=h, timeout=5)
    assert r.status_code == 429 and r.headers["Retry-After"] == "3" and r.text == "Retry later\n"


def test_5xx_and_dropped_connection(sim):
    gl = gitlab.Gitlab(sim.url, private_token="tok-bot", retry_transient_errors=True)
    mr = gl.projects.get(1, lazy=True).mergerequests.get(1, lazy=True)
    sim.faults.add(method="POST", path_regex=r"/notes$", status=502, times=1)
    assert mr.notes.create({"body": "once"}).body == "once"
    sim.faults.add(method="POST", path_regex=r"/notes$", drop_connection=True, after_handling=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(f"{sim.api_url}/projects/1/merge_requests/1/notes", json={"body": "lost reply"},
                      headers={"PRIVATE-TOKEN": "tok-bot"}, timeout=5)
    assert [n["body"] for n in sim.notes(sim.mr)] == ["once", "lost reply"]


def test_admin_state_endpoint(sim, mr):
    mr.notes.create({"body": "hello"})
    state = requests.get(f"{sim.url}/_sim/state", timeout=5).json()
    assert state["projects"][0]["merge_requests"][0]["notes"][0]["body"] == "hello"
