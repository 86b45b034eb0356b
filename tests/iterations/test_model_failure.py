"""On GitLab, a review whose model calls all failed posts what it has, then exits 3; the next run
tries the model again instead of believing the files were reviewed."""

from __future__ import annotations

import json

from tests.iterations.conftest import Scenario
from tests.support.scripted_model import error_reply

REJECTED = error_reply(401, {"error": {"message": "Incorrect API key provided", "code": 401}})


def test_every_model_call_failing_posts_the_summary_and_exits_3(scenario: Scenario):
    scenario.model.default(REJECTED)
    run = scenario.review(expect=3)
    assert "reviewer: failed: the model review did not happen: every model call failed" in run.stderr
    assert "rejected the API key (401): check REVIEWER_API_KEY" in run.stderr
    report = json.loads(run.stdout)
    assert report["model_review"]["status"] == "failed"
    summary = scenario.summary()
    assert "**The model review did not happen:** every model call failed" in summary
    assert "rejected the API key (401): check REVIEWER_API_KEY" in summary
    first_calls = scenario.model.calls
    assert first_calls > 0

    scenario.review(expect=3)  # same head: the files were not reviewed, so the model is asked again
    assert scenario.model.calls == 2 * first_calls
