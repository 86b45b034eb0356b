"""A model's findings on added, removed and context lines land where GitLab accepts them (real CLI)."""

from __future__ import annotations

from tests.gitlab_mr.conftest import TOKEN
from tests.support.cli_runner import run_reviewer
from tests.support.scripted_model import json_reply


def _finding(path: str, line: int, title: str, side: str | None = None) -> dict:
    return {"path": path, "line": line, "end_line": None, "side": side, "severity": "important", "rule_id": None,
            "title": title, "body": "b", "suggestion": None}


def test_model_findings_land_on_added_removed_and_context_lines(world, scripted_model):
    scripted_model.default(json_reply({"findings": [
        _finding("src/app.py", 6, "added line"),
        _finding("src/app.py", 30, "removed line", side="old"),
        _finding("src/app.py", 4, "context line"),
    ]}))
    env = {"REVIEWER_GITLAB_TOKEN": TOKEN, "REVIEWER_MODEL": "openai/scripted",
           "REVIEWER_API_BASE": scripted_model.base_url, "REVIEWER_API_KEY": "x"}
    result = run_reviewer("review", "--gitlab-url", world.sim.url, "--project", "group/proj",
                          "--mr", str(world.iid), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    positions = {}
    for discussion in world.sim.discussions(world.mr):
        note = discussion["notes"][0]
        if note.get("position") and note["position"].get("new_path") == "src/app.py":
            title = next(t for t in ("added line", "removed line", "context line") if t in note["body"])
            positions[title] = (note["position"]["old_line"], note["position"]["new_line"])
    assert positions["added line"] == (None, 6)
    assert positions["removed line"] == (30, None)
    assert positions["context line"] == (4, 4)
