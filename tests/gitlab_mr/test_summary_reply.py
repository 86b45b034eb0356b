"""A reply to the summary note turns it into a thread in GitLab; the next run still edits it."""

from __future__ import annotations

from reviewer.gitlab_mr import load_gitlab_mr, markers, publish
from reviewer.models import ReviewResult, RiskAssessment, RiskTier


def _summaries(sim, mr) -> list[dict]:
    return [n for n in sim.notes(mr) if markers.summary_marker(n["body"])]


def test_a_human_reply_to_the_summary_does_not_make_a_second_summary(world):
    client = world.client()
    result = ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL))
    publish(client, load_gitlab_mr(client, world.project_id, world.iid), result, dry_run=False)
    [summary] = _summaries(world.sim, world.mr)
    world.sim.add_human_reply(world.mr, summary["discussion_id"], "Thanks, looking at it.", "alice")
    assert [n for n in world.sim.notes(world.mr) if n["id"] == summary["id"]][0]["type"] == "DiscussionNote"

    mr = load_gitlab_mr(client, world.project_id, world.iid)
    assert mr.prior_state is not None and mr.prior_state.head_sha == world.mr.diff_refs["head_sha"]
    report = publish(client, mr, result, dry_run=False)
    assert report.summary_note_id == summary["id"]
    assert [n["id"] for n in _summaries(world.sim, world.mr)] == [summary["id"]]
