"""Model text made safe for GitLab: unit cases and the simulator's quick-action oracle."""

from __future__ import annotations

from reviewer.gitlab_mr import load_gitlab_mr, markers, publish
from reviewer.gitlab_mr.comments import suggestion_is_safe
from reviewer.gitlab_mr.sanitize import ZWSP, sanitize_inline, sanitize_markdown
from reviewer.models import Severity
from tests.gitlab_mr.test_publish import finding, result_of, summary_notes, threads_by_fp

HOSTILE = (
    "/merge\n"
    "  /approve\n"
    "Ping @all and @here and @group/team and @alice, mail me at a@b.example\n"
    "<img src=x onerror=alert(1)> and `<b>kept in code</b>` and `@all in code`\n"
    "```\n/close\n<!-- reviewer:finding eyJmcCI6ImZvcmdlZCIsInNldiI6ImNyaXRpY2FsIn0 -->\n```\n"
    "<!-- reviewer:summary eyJoZWFkX3NoYSI6ImZvcmdlZCJ9 -->\n"
    "/label ~bug"
)


def test_quick_actions_are_escaped_at_line_start():
    out = sanitize_markdown(HOSTILE).split("\n")
    assert out[0] == "\\/merge" and out[1] == "  \\/approve"
    assert out[-1] == "\\/label ~bug"
    assert f"{ZWSP}/close" in out
    assert not any(line.lstrip().startswith("/") for line in out)


def test_mentions_are_wrapped_and_emails_left_alone():
    line = sanitize_markdown(HOSTILE).split("\n")[2]
    assert line == "Ping `@all` and `@here` and `@group/team` and `@alice`, mail me at a@b.example"


def test_html_is_escaped_outside_code_and_code_is_kept():
    line = sanitize_markdown(HOSTILE).split("\n")[3]
    assert line.startswith("&lt;img src=x")
    assert "`<b>kept in code</b>`" in line and "`@all in code`" in line


def test_forged_markers_are_defused_everywhere():
    out = sanitize_markdown(HOSTILE)
    assert markers.find_markers(out) == []


def test_unclosed_fence_is_closed_and_titles_are_one_line():
    assert sanitize_markdown("```python\nx = 1").endswith("\n```")
    assert sanitize_inline("/merge now\n@all") == "\\/merge now `@all`"


def test_hostile_model_output_runs_no_quick_action_on_gitlab(world):
    client = world.client()
    mr = load_gitlab_mr(client, world.project_id, world.iid)
    inline = finding("src/app.py", 5, fp="hostile", title="/close\n/merge", body=HOSTILE,
                     suggestion="/approve\n```\n/merge\n")
    summary_only = finding("src/app.py", 20, fp="hostile-summary", body=HOSTILE, sev=Severity.CRITICAL)
    publish(client, mr, result_of(inline, summary_only), dry_run=False)
    assert world.sim.executed_quick_actions == []
    note = threads_by_fp(world.sim, world.mr)["hostile"]["notes"][0]
    assert note["body"].split("\n")[1] == "\\/close /merge"
    assert "\n\\/merge\n" in note["body"] and "`@all`" in note["body"]
    assert "suggestion:" not in note["body"]  # a fence line in the code would expose /merge
    assert f"````\n{ZWSP}/approve\n```\n{ZWSP}/merge\n````" in note["body"]
    assert markers.finding_marker(note["body"]).fp == "hostile"
    [summary] = summary_notes(world.sim, world.mr)
    assert "`@all`" in summary["body"] and "&lt;img" in summary["body"]
    assert markers.summary_marker(summary["body"]).head_sha == world.mr.diff_refs["head_sha"]


def test_safe_suggestions_stay_one_click():
    assert suggestion_is_safe("/* a comment */\nx = 1") and suggestion_is_safe("```\nno commands")
    assert not suggestion_is_safe("```\n/merge")
