"""The config's ``prompts_dir`` in a GitLab run: its templates are read through the tree and raw-file
APIs at the target branch (``start_sha``), so the merge request cannot rewrite its own prompts."""

from __future__ import annotations

from urllib.parse import parse_qs

from reviewer.gitlab_mr import load_gitlab_mr
from reviewer.resources import data_dir
from tests.gitlab_mr.conftest import TOKEN, _write, git
from tests.support.cli_runner import run_reviewer
from tests.support.scripted_model import json_reply

ROLE = (data_dir("prompts") / "_role.j2").read_text(encoding="utf-8")
TARGET_ROLE = ROLE + "TARGET-ROLE-MARKER\n"


def _prompts_on_target(world, role: str) -> None:
    """main gets the config key and a ``_role.j2`` override; the MR edits it and adds another."""
    git(world.repo, "checkout", "-q", "main")
    _write(world.repo, ".reviewer.yml", "prompts_dir: .reviewer/prompts\n")
    _write(world.repo, ".reviewer/prompts/_role.j2", role)
    _write(world.repo, ".reviewer/prompts/README.md", "not a template\n")
    git(world.repo, "add", "-A")
    git(world.repo, "commit", "-q", "-m", "prompt overrides")
    git(world.repo, "checkout", "-q", "feature")
    _write(world.repo, ".reviewer/prompts/_role.j2", ROLE + "FEATURE-ROLE-MARKER\n")
    _write(world.repo, ".reviewer/prompts/security.md.j2", "FEATURE-SECURITY-MARKER\n")
    git(world.repo, "add", "-A")
    git(world.repo, "commit", "-q", "-m", "the MR edits its own prompts")
    world.sim.push(world.mr)


def _run(world, scripted_model):
    scripted_model.default(json_reply({"findings": []}))
    env = {"REVIEWER_GITLAB_TOKEN": TOKEN, "REVIEWER_MODEL": "openai/scripted",
           "REVIEWER_API_BASE": scripted_model.base_url, "REVIEWER_API_KEY": "x"}
    return run_reviewer("review", "--gitlab-url", world.sim.url, "--project", "group/proj", "--mr", str(world.iid),
                        env=env)


def test_prompt_templates_are_read_at_start_sha(world):
    _prompts_on_target(world, TARGET_ROLE)
    mr = load_gitlab_mr(world.client(), world.project_id, world.iid)
    assert mr.repo_prompt_files == {".reviewer/prompts/_role.j2": TARGET_ROLE}
    start_sha = mr.diff_refs.start_sha
    assert start_sha == git(world.repo, "rev-parse", "main").strip()
    trees = [parse_qs(r.query) for r in world.sim.request_log if r.path.endswith("/repository/tree")]
    assert [(q["path"][0], q["ref"][0]) for q in trees] == [(".reviewer/prompts", start_sha)]
    reads = [r for r in world.sim.request_log if ".reviewer%2Fprompts" in r.path and r.path.endswith(".j2/raw")]
    assert len(reads) == 1 and parse_qs(reads[0].query)["ref"] == [start_sha]


def test_a_gitlab_review_sends_the_target_branch_templates(world, scripted_model):
    _prompts_on_target(world, TARGET_ROLE)
    result = _run(world, scripted_model)
    assert result.returncode == 0, result.stderr[-2000:]
    own = [b["messages"][-1]["content"] for b in scripted_model.requests]
    assert len(own) >= 4
    assert all("TARGET-ROLE-MARKER" in part for part in own)
    assert not any("FEATURE-ROLE-MARKER" in part or "FEATURE-SECURITY-MARKER" in part for part in own)


def test_a_broken_template_on_the_target_branch_exits_2_before_any_model_call_or_post(world, scripted_model):
    _prompts_on_target(world, ROLE + "{% if agent %}\n")
    result = _run(world, scripted_model)
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("reviewer: error: prompt override .reviewer/prompts/_role.j2 line 6: Unexpected end of "
                           "template."), last
    assert scripted_model.calls == 0
    assert not [r for r in world.sim.request_log if r.method != "GET"]
