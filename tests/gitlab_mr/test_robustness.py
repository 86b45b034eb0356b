"""What a real GitLab may do that the simulator does not by default: pagination by ``x-next-page``
only or with ``Link`` URLs on another host, no ``/diffs`` endpoint (GitLab < 15.7), optional
endpoints answering 404, and URLs that are not GitLab at all."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from reviewer.errors import ConfigError, GitLabAuthError
from reviewer.gitlab_mr import connect, load_gitlab_mr, markers
from reviewer.gitlab_mr.errors import GitLabRedirect, MergeRequestNotFound, NotGitLabError
from reviewer.gitlab_mr.markers import SummaryMarker
from tests.gitlab_mr.conftest import FAST, GENERATED, JOB_TOKEN, TOKEN

def _finding_body(fp: str) -> str:
    return "Old finding\n\n" + markers.encode(
        "finding", {"fp": fp, "sev": "important", "cat": "security", "title": "Old finding", "v": "0.1.0"})


class _Proxy:
    """A loopback GET proxy in front of the simulator that rewrites its pagination headers."""

    def __init__(self, upstream: str, mode: str) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                answer = requests.get(upstream + self.path, headers=headers, timeout=10)
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    low = key.lower()
                    if low in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        continue
                    if low == "link":
                        if proxy.mode == "x-next-page-only":
                            continue
                        value = value.replace(upstream, "http://gitlab.internal.invalid")
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

        self.mode = mode
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(params=["x-next-page-only", "foreign-link-host"])
def proxy(request, world) -> Iterator[_Proxy]:
    server = _Proxy(world.sim.url, request.param)
    yield server
    server.close()


def test_every_page_is_read_whatever_the_pagination_headers(world, proxy):
    client = connect(proxy.url, TOKEN, policy=FAST)
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    assert len([f for f in mr.files if f.path.startswith("gen/")]) == GENERATED
    pages = [r.query for r in world.sim.request_log if r.path.endswith("/diffs")]
    assert len(pages) == 2 and "page=2" in pages[1]


def test_a_gitlab_without_the_diffs_endpoint_is_read_through_changes(world):
    world.sim.faults.add(method="GET", path_regex=r"/diffs$", status=404, times=100)
    mr = load_gitlab_mr(world.client(), world.project_id, world.iid)
    assert "src/app.py" in {f.path for f in mr.files}
    assert any(r.path.endswith("/changes") and r.status == 200 for r in world.sim.request_log)


def test_optional_endpoints_missing_do_not_stop_the_review(world):
    client = world.client()
    client.create_discussion(world.project_id, world.iid, _finding_body("abc123"))
    client.create_discussion(world.project_id, world.iid, _finding_body("def456"))
    client.create_note(world.project_id, world.iid, "summary\n\n" + markers.encode(
        "summary", SummaryMarker(head_sha="f" * 40)))
    for path in (r"/award_emoji$", r"/commits$", r"/versions$", r"/repository/files/"):
        world.sim.faults.add(method="GET", path_regex=path, status=404 if "files" not in path else 403, times=100)
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    assert [t.fingerprint for t in mr.prior_threads] == ["abc123", "def456"]
    assert mr.prior_threads[0].notes[0].awards == []
    # asked once, not once per thread
    assert len([r for r in world.sim.request_log if r.path.endswith("/award_emoji")]) == 1
    # The earlier head cannot be checked: treated as unreachable, so the review is a full one.
    assert mr.prior_state is not None and mr.prior_state.head_reachable is False
    assert mr.agents_md == {} and mr.repo_config_text is None
    # collapsed.txt could be recovered neither from /versions nor from the raw files
    assert "collapsed.txt" in {n.path for n in mr.not_reviewed}


def test_unknown_mr_and_unknown_project_are_usage_errors_naming_the_fix(world):
    client = world.client()
    with pytest.raises(MergeRequestNotFound, match=r"has no merge request !99 .*check --mr") as exc:
        load_gitlab_mr(client, world.project_id, 99)
    assert isinstance(exc.value, ConfigError)
    with pytest.raises(MergeRequestNotFound, match=r"no project group/nope .*check --project"):
        load_gitlab_mr(client, "group/nope", 1)


def test_a_url_that_is_not_gitlab_is_a_usage_error(world):
    not_gitlab = _Proxy("http://127.0.0.1:9", "x-next-page-only")  # upstream unused below
    not_gitlab.server.RequestHandlerClass.do_GET = _plain_page  # type: ignore[method-assign]
    try:
        for status in (200, 404):
            _PAGE["status"] = status
            with pytest.raises(NotGitLabError, match="does not answer like GitLab"):
                load_gitlab_mr(connect(not_gitlab.url, TOKEN, policy=FAST), "group/proj", 1)
    finally:
        not_gitlab.close()


_PAGE = {"status": 200}


def _plain_page(handler: BaseHTTPRequestHandler) -> None:
    body = b"<html><body>Welcome</body></html>"
    handler.send_response(_PAGE["status"])
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_api_v4_suffix_and_trailing_slash_are_accepted(world):
    for url in (world.sim.api_url, world.sim.api_url + "/", world.sim.url + "/"):
        client = connect(url, TOKEN, policy=FAST)
        assert client.get_mr(world.project_id, world.iid)["iid"] == world.iid


def test_a_job_token_that_cannot_see_the_mr_asks_for_the_reviewer_token(world):
    # GitLab answers 404 where a job token is not allowed, as if the project did not exist.
    world.sim.faults.add(method="GET", path_regex=r"/merge_requests/\d+$", status=404, times=1)
    with pytest.raises(GitLabAuthError, match="REVIEWER_GITLAB_TOKEN holding a project access token"):
        world.client(token=None, job_token=JOB_TOKEN).get_mr(world.project_id, world.iid)


def test_a_url_that_redirects_is_refused_before_the_review_naming_the_url_to_use(world):
    target = world.sim.url

    class Redirect(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            self.send_response(301)
            self.send_header("Location", target + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = connect(f"http://127.0.0.1:{server.server_address[1]}", TOKEN, policy=FAST)
        with pytest.raises(GitLabRedirect, match=f"redirects API calls to {target}: pass that URL") as exc:
            client.get_mr(world.project_id, world.iid)
        assert isinstance(exc.value, ConfigError)
    finally:
        server.shutdown()
        server.server_close()


def test_a_url_without_scheme_is_a_usage_error_saying_how_to_write_it():
    with pytest.raises(NotGitLabError, match=r"pass it as https://gitlab.example.com"):
        connect("gitlab.example.com/", TOKEN, policy=FAST)


def test_changes_count_with_a_plus_is_not_a_gap_when_diffs_listed_more():
    from reviewer.gitlab_mr.source import _hidden_by_limits

    assert _hidden_by_limits("1000+", 1200) is None
    assert _hidden_by_limits(1000, 1000) is None and _hidden_by_limits("12", 12) is None
    assert "more than 1000" in _hidden_by_limits("1000+", 1000).reason
    assert "counts 30 changed files but lists only 20" in _hidden_by_limits("30", 20).reason
    assert _hidden_by_limits(None, 3) is None and _hidden_by_limits("n/a", 3) is None
