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


def _draft_world(gitlab_sim, template_repo, tmp_path, config: str):
    import shutil
    import subprocess

    repo = tmp_path / "repo"
    shutil.copytree(template_repo, repo)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
    (repo / ".reviewer.yml").write_text(config, encoding="utf-8")
    subprocess.run(["git", "add", ".reviewer.yml"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "reviewer config"], cwd=repo, check=True)
    gitlab_sim.add_user("alice", role="developer")
    gitlab_sim.add_user("bot", role="developer")
    gitlab_sim.add_token(TOKEN, "bot", scopes=("api",))
    project = gitlab_sim.create_project("group/drafts", repo)
    mr = gitlab_sim.create_mr(project, "feature", "main", title="Draft: wip", description="", author="alice",
                              draft=True)
    return project, mr


def test_draft_is_skipped_when_the_target_branch_config_says_so(gitlab_sim, template_repo, tmp_path):
    project, mr = _draft_world(gitlab_sim, template_repo, tmp_path, "skip_drafts: true\n")
    result = run_reviewer("review", "--gitlab-url", gitlab_sim.url, "--project", str(project.id),
                          "--mr", str(mr.iid), env={"REVIEWER_GITLAB_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "is a draft and skip_drafts is on" in result.stderr
    assert not [r for r in gitlab_sim.request_log if r.method != "GET"], "nothing posted for a skipped draft"


def test_draft_is_reviewed_by_default(gitlab_sim, template_repo, tmp_path):
    project, mr = _draft_world(gitlab_sim, template_repo, tmp_path, "max_inline_comments: 5\n")
    result = run_reviewer("review", "--gitlab-url", gitlab_sim.url, "--project", str(project.id),
                          "--mr", str(mr.iid), env={"REVIEWER_GITLAB_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr[-2000:]
    assert any(r.method == "POST" for r in gitlab_sim.request_log)


def test_a_rerun_on_the_same_head_without_a_model_writes_nothing(world):
    args = ("review", "--gitlab-url", world.sim.url, "--project", "group/proj", "--mr", str(world.iid))
    assert run_reviewer(*args, env={"REVIEWER_GITLAB_TOKEN": TOKEN}).returncode == 0
    writes = len([r for r in world.sim.request_log if r.method != "GET"])
    assert writes >= 1  # at least the summary note
    second = run_reviewer(*args, env={"REVIEWER_GITLAB_TOKEN": TOKEN})
    assert second.returncode == 0, second.stderr[-2000:]
    assert len([r for r in world.sim.request_log if r.method != "GET"]) == writes


def test_a_read_only_token_fails_before_any_model_is_called(world, scripted_model):
    from tests.gitlab_mr.conftest import RO_TOKEN

    env = {"REVIEWER_GITLAB_TOKEN": RO_TOKEN, "REVIEWER_MODEL": "openai/scripted",
           "REVIEWER_API_BASE": scripted_model.base_url, "REVIEWER_API_KEY": "x"}
    args = ("review", "--gitlab-url", world.sim.url, "--project", "group/proj", "--mr", str(world.iid))
    result = run_reviewer(*args, env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "reviewer: error: REVIEWER_GITLAB_TOKEN needs the 'api' scope to post comments (it has read-only access)")
    assert scripted_model.calls == 0 and RO_TOKEN not in result.stderr
    assert run_reviewer(*args, "--dry-run", env=env).returncode == 0  # a dry run only reads
    assert scripted_model.calls > 0
