"""Through the CLI: a 200 whose body is an HTML page (a proxy's) on the discussions read made just
before posting, after the model was paid for, is retried; when it persists the run ends with one
line saying what GitLab sent, and exit 3."""

from __future__ import annotations

from tests.iterations.conftest import FLAWS, Scenario

DISCUSSIONS = r"/merge_requests/\d+/discussions$"


def test_an_html_page_on_the_read_before_posting_is_retried_and_the_review_lands(scenario: Scenario):
    # The first discussions read (loading the MR) passes; the one in publish gets the page once.
    fault = scenario.sim.faults.add(method="GET", path_regex=DISCUSSIONS, status=200, times=1, skip=1)
    scenario.review()
    assert fault.fired == 1 and len(scenario.model.requests) > 0
    assert scenario.titles() == sorted(FLAWS.values())
    assert "## AI review summary" in scenario.summary()


def test_a_persistent_html_page_ends_in_exit_3_with_one_line(scenario: Scenario):
    fault = scenario.sim.faults.add(method="GET", path_regex=DISCUSSIONS, status=200, times=100, skip=1)
    run = scenario.review(expect=3)
    assert fault.fired == 4 and len(scenario.model.requests) > 0  # the model ran before the read
    assert run.stderr.strip().splitlines()[-1] == (
        "reviewer: failed: GitLab sent text/html instead of JSON on GET "
        f"/projects/group%2Fproj/merge_requests/{scenario.mr.iid}/discussions (4 attempts); "
        "a proxy in front of GitLab may be answering")
    assert "Traceback" not in run.stderr and scenario.writes() == []
