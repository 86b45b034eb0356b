"""The GitLab inputs of ``reviewer review`` as an outside user gives them, through the real CLI."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.gitlab_mr.conftest import TOKEN
from tests.support.cli_runner import run_reviewer


def test_ci_mode_with_only_ci_variables_reviews_the_target_project_of_a_fork_pipeline(world):
    env = {
        "CI": "true", "CI_API_V4_URL": world.sim.api_url,  # no CI_SERVER_URL: the API URL is enough
        "CI_MERGE_REQUEST_PROJECT_ID": str(world.project_id), "CI_MERGE_REQUEST_IID": str(world.iid),
        "CI_PROJECT_ID": "4242",  # the fork: never the project to review
        "REVIEWER_GITLAB_TOKEN": TOKEN,
    }
    result = run_reviewer("review", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert any("## AI review summary" in (n.get("body") or "") for n in world.sim.notes(world.mr))
    assert not any("/projects/4242" in r.path for r in world.sim.request_log)


def test_unknown_mr_exits_2_with_one_line_naming_the_flag(world):
    result = run_reviewer("review", "--gitlab-url", world.sim.url + "/", "--project", "group/proj", "--mr", "99",
                          "--dry-run", env={"REVIEWER_GITLAB_TOKEN": TOKEN})
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("reviewer: error: project group/proj has no merge request !99") and "--mr" in last
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr


class _OtherService(BaseHTTPRequestHandler):
    """Answers every GET with 200 JSON that is not a merge request (like a model gateway)."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        body = json.dumps({"object": "list", "data": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_url_that_is_not_gitlab_exits_2():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OtherService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        result = run_reviewer("review", "--gitlab-url", url, "--project", "group/proj", "--mr", "1",
                              "--dry-run", env={"REVIEWER_GITLAB_TOKEN": TOKEN})
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert "does not answer like GitLab" in last and "--gitlab-url" in last
