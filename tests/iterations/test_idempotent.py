"""The same job twice, a job killed while posting, two jobs racing: every finding exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import threading

from reviewer.gitlab_mr import markers
from tests.iterations.conftest import FLAWS, TOKEN, Scenario, find_flaws
from tests.support.cli_runner import reviewer_command
from tests.support.scripted_model import reply_from

ALL_TITLES = sorted(FLAWS.values())


def _posts(scenario: Scenario, since: int) -> list[str]:
    return [path for method, path in scenario.writes()[since:] if method == "POST"]


def test_same_head_twice_posts_nothing_the_second_time(scenario: Scenario):
    scenario.review()
    assert scenario.titles() == ALL_TITLES
    summary_v1 = scenario.summary()
    since = len(scenario.writes())

    dry = scenario.review("--dry-run")
    assert scenario.writes()[since:] == []  # a dry run writes nothing ...
    # stdout keeps the machine-readable report: no file changed, so no agent saw anything, and
    # the report lists what stays open from the earlier review.
    findings = json.loads(dry.stdout)["findings"]
    assert sorted(f["title"] for f in findings) == ALL_TITLES
    assert {f["agent"] for f in findings} == {"earlier review"} and all(f["line"] for f in findings)
    assert "New: 0 · Still open: 3" in dry.stderr and "would post 0 inline thread(s)" in dry.stderr

    # Nothing was re-reviewed, yet the three open findings still fail the job.
    scenario.review("--fail-on", "important", expect=1)
    assert scenario.writes()[since:] == []  # no thread, no reply, not even a summary edit
    assert scenario.titles() == ALL_TITLES and scenario.replies() == []
    assert scenario.summary() == summary_v1 and len(markers.summary_marker(summary_v1).history) == 1


def test_run_killed_while_posting_is_completed_by_the_rerun(scenario: Scenario):
    # The first thread lands; from then on every new thread's connection drops: the job dies.
    scenario.sim.faults.add(method="POST", path_regex=r"/discussions$", drop_connection=True, times=1000, skip=1)
    failed = scenario.review(expect=3)
    assert "GitLab" in failed.stderr
    assert len(scenario.threads()) == 1
    assert [n for n in scenario.sim.notes(scenario.mr) if markers.summary_marker(n["body"])] == []

    # The rerun: one more write is applied but its response is lost; still no twin.
    scenario.sim.faults.clear()
    scenario.sim.faults.add(method="POST", path_regex=r"/discussions$", drop_connection=True, after_handling=True)
    scenario.review()
    assert scenario.titles() == ALL_TITLES
    assert "New: 2 · Still open: 1" in scenario.summary()

    since = len(scenario.writes())
    scenario.review()
    assert _posts(scenario, since) == [] and scenario.titles() == ALL_TITLES


def test_two_jobs_racing_on_one_merge_request_post_each_finding_once(scenario: Scenario):
    """Job A reads the MR (no threads yet) and waits for its model; job B runs to the end and
    posts; then A finishes: it must see B's threads when it re-reads before posting."""
    held, release = threading.Event(), threading.Event()
    hold = {"on": True}

    def gated(body: dict):
        if hold["on"]:
            held.set()
            release.wait(60)
        return find_flaws(body)

    scenario.model.default(reply_from(gated))
    env = {"REVIEWER_GITLAB_TOKEN": TOKEN, "REVIEWER_MODEL": "openai/scripted",
           "REVIEWER_API_BASE": scenario.model.base_url, "REVIEWER_API_KEY": "x", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    job_a = subprocess.Popen(  # noqa: S603 - our own console script
        [*reviewer_command(), "review", "--gitlab-url", scenario.sim.url, "--project",
         scenario.project.path_with_namespace, "--mr", str(scenario.mr.iid), "--format", "json"],
        env={k: v for k, v in os.environ.items() if not k.startswith(("REVIEWER_", "CI_"))} | env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert held.wait(60), "job A never asked its model"
        hold["on"] = False
        scenario.review()  # job B
        assert scenario.titles() == ALL_TITLES
    finally:
        release.set()
        out, err = job_a.communicate(timeout=120)
    assert job_a.returncode == 0, err[-3000:]
    assert scenario.titles() == ALL_TITLES
    assert len(scenario.threads()) == 3
    assert "**Open findings (3):**" in scenario.summary()  # one summary note, updated by job A
