"""One problem, one thread, on GitLab: a Codex rule firing on 11 lines of one file is posted as one
thread on the first line listing the ten others, counts once against ``max_inline_comments``, is
not posted again by a rerun or a partial fix, and is resolved when every occurrence is fixed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reviewer.gitlab_mr import markers
from reviewer.judge import group_fingerprint
from reviewer.models import Category
from tests.iterations.conftest import TOKEN, Scenario
from tests.support.gitlab_sim import GitLabSimulator
from tests.support.gitlab_sim.fixtures import gitlab_sim  # noqa: F401 - fixture
from tests.support.scripted_model import ScriptedModel, json_reply

BASE = '"""Reports."""\n\nimport requests\n\n\ndef build(rows):\n    return rows\n'


def report_module(prints: int) -> str:
    """``BASE`` plus a debug function with ``prints`` print calls (PY-002 on each), from line 11."""
    body = "".join(f"    print('step {i}', rows[{i}])\n" for i in range(prints)) or "    pass\n"
    return f"{BASE}\n\ndef debug(rows):\n{body}"


FETCH = '"""Fetch."""\n\nimport requests\n\n\ndef fetch(url):\n    return requests.get(url).json()\n'
SHOW = '"""Show."""\n\n\ndef show(x):\n    print(x)\n    return x\n'


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("grouped") / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "T")
    _git(repo, "config", "user.email", "t@example.test")
    (repo / "app").mkdir()
    (repo / "app/report.py").write_text(BASE)
    (repo / ".reviewer.yml").write_text("max_inline_comments: 3\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "feature")
    (repo / "app/report.py").write_text(report_module(11))
    (repo / "app/fetch.py").write_text(FETCH)
    (repo / "app/show.py").write_text(SHOW)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "debug output")
    _git(repo, "checkout", "-q", "main")
    return repo


@pytest.fixture
def grouped(gitlab_sim: GitLabSimulator, scripted_model: ScriptedModel,  # noqa: F811
            template: Path, tmp_path: Path) -> Scenario:
    repo = tmp_path / "repo"
    shutil.copytree(template, repo)
    gitlab_sim.add_user("alice", role="developer")
    gitlab_sim.add_user("bot", role="developer")
    gitlab_sim.add_token(TOKEN, "bot", scopes=("api",))
    project = gitlab_sim.create_project("group/shop", repo)
    mr = gitlab_sim.create_mr(project, "feature", "main", title="Debug output", author="alice")
    scripted_model.default(json_reply({"findings": []}))  # the model agents find nothing: detectors only
    yield Scenario(gitlab_sim, scripted_model, repo, project, mr)
    assert gitlab_sim.errors == []


def _by_rule(scenario: Scenario) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for thread in scenario.threads():
        out.setdefault(markers.finding_marker(thread["notes"][0]["body"]).rule, []).append(thread)
    return out


def _posts(scenario: Scenario, since: int) -> list[str]:
    return [path for method, path in scenario.writes()[since:] if method == "POST"]


def test_one_thread_for_eleven_occurrences_counted_once_never_twice_resolved_when_all_fixed(grouped: Scenario):
    run = grouped.review()
    threads = _by_rule(grouped)
    # 11 + 1 print findings and one missing timeout under a limit of 3 inline comments: the group counts once.
    assert sorted((rule, len(found)) for rule, found in threads.items()) == [("PY-002", 2), ("PY-004", 1)]
    [group] = [t for t in threads["PY-002"] if t["notes"][0]["position"]["new_path"] == "app/report.py"]
    body = group["notes"][0]["body"]
    marker = markers.finding_marker(body)
    assert marker.path == "app/report.py" and marker.line == 11
    assert marker.fp == group_fingerprint("PY-002", Category(marker.cat), "app/report.py")
    assert group["notes"][0]["position"]["new_line"] == 11
    assert "The same problem at 10 more places:" in body
    assert all(f"`app/report.py:{line}`" in body for line in range(12, 22))
    assert "over the limit" not in grouped.summary()
    assert '"occurrences"' in run.stdout  # the JSON report keeps every occurrence

    since = len(grouped.writes())
    grouped.review()  # same head again: nothing posted twice
    assert _posts(grouped, since) == [] and len(grouped.threads()) == 3

    grouped.push({"app/report.py": report_module(3)}, "fewer prints")  # 3 left: still the same problem
    since = len(grouped.writes())
    grouped.review()
    assert _posts(grouped, since) == [] and len(grouped.threads()) == 3
    assert not any(d.get("resolved") for d in grouped.threads())
    assert grouped.replies() == []

    grouped.push({"app/report.py": report_module(0)}, "no prints")  # every occurrence fixed
    grouped.review()
    resolved = [t for t in grouped.threads() if t["notes"][0]["resolved"]]
    assert [markers.finding_marker(t["notes"][0]["body"]).fp for t in resolved] == [marker.fp]
    assert len(grouped.replies()) == 1 and grouped.replies()[0].startswith("Fixed in ")
    assert len(grouped.threads()) == 3  # no new thread either
