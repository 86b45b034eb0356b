"""The CI/CD component run as a consumer includes it: gitlab-ci-local on a temporary consumer repo,
the job's script running the installed ``reviewer`` against the GitLab simulator and the scripted model.
"""

from __future__ import annotations

import json
import pytest
import yaml

from reviewer.gitlab_mr import markers
from reviewer import __version__
from tests.component.harness import (
    ALT_CONFIG_PATH,
    BOT_TOKEN,
    COMPONENT,
    IMAGE_REPOSITORY,
    PROJECT_INCLUDE,
    FINDING_LINE,
    FINDING_PATH,
    GCL_SKIP_REASON,
    Consumer,
    gitlab_ci_local,
)
from tests.support.scripted_model import error_reply, json_reply

needs_gcl = pytest.mark.skipif(gitlab_ci_local() is None, reason=GCL_SKIP_REASON)

FINDING = {"path": FINDING_PATH, "line": FINDING_LINE, "end_line": None, "severity": "critical",
           "rule_id": None, "title": "Discount applied twice", "body": "The total is reduced twice.",
           "suggestion": None}


def _diff_threads(consumer: Consumer) -> list[dict]:
    return [d for d in consumer.sim.discussions(consumer.mr) if d["notes"][0].get("type") == "DiffNote"]


def _summary_notes(consumer: Consumer) -> list[dict]:
    return [n for n in consumer.sim.notes(consumer.mr)
            if not n.get("system") and markers.summary_marker(n["body"])]


def _model_finds_one_critical(consumer: Consumer) -> None:
    consumer.model.default(json_reply({"findings": [FINDING]}))


@needs_gcl
@pytest.mark.slow
def test_mr_pipeline_posts_on_the_line_and_fails_on_critical(consumer: Consumer):
    _model_finds_one_critical(consumer)
    consumer.write_pipeline(fail_on="critical", model="openai/scripted", api_base=consumer.model.base_url,
                            job_name="code-review", dry_run=False)

    run = consumer.run_job("code-review")

    # The job fails with exit 1. (gitlab-ci-local 4.65 then exits 0 itself: it counts a job with any
    # `allow_failure:` mapping as allowed to fail, whatever its exit_codes; GitLab does not.)
    assert "FAIL  code-review" in run.output and "FAIL 1" in run.output, run.output
    assert consumer.model.calls >= 1
    threads = _diff_threads(consumer)
    assert len(threads) == 1, threads
    note = threads[0]["notes"][0]
    assert threads[0]["resolvable"] and note["author"]["username"] == "bot"
    position = note["position"]
    assert (position["new_path"], position["new_line"], position.get("old_line")) == (FINDING_PATH, FINDING_LINE, None)
    assert (position["base_sha"], position["start_sha"], position["head_sha"]) == (
        consumer.mr.diff_refs["base_sha"], consumer.mr.diff_refs["start_sha"], consumer.mr.diff_refs["head_sha"])
    assert "Discount applied twice" in note["body"]
    summaries = _summary_notes(consumer)
    assert len(summaries) == 1 and summaries[0]["author"]["username"] == "bot"
    assert summaries[0]["type"] is None  # a plain note, not a thread
    assert consumer.mr.diff_refs["head_sha"] in summaries[0]["body"]
    assert consumer.sim.errors == []

    review = json.loads(consumer.artifact("code-review", "gl-reviewer.json").read_text())
    assert any(f["path"] == FINDING_PATH and f["line"] == FINDING_LINE and f["severity"] == "critical"
               for f in review["findings"]), review["findings"]
    quality = json.loads(consumer.report("code-review", "gl-code-quality-report.json").read_text())
    assert isinstance(quality, list) and quality
    issue = next(i for i in quality if i["location"]["path"] == FINDING_PATH)
    assert issue["location"]["lines"]["begin"] == FINDING_LINE
    assert issue["severity"] == "critical" and issue["fingerprint"] and issue["description"]
    assert BOT_TOKEN not in run.output


@needs_gcl
@pytest.mark.slow
def test_dry_run_posts_nothing_and_fail_on_none_passes(consumer: Consumer):
    _model_finds_one_critical(consumer)
    consumer.write_pipeline(fail_on="none", model="openai/scripted", api_base=consumer.model.base_url,
                            dry_run=True)

    run = consumer.run_job("ai-review")

    assert run.returncode == 0, run.output  # a critical finding, but fail_on: none
    assert "PASS  ai-review" in run.output, run.output
    assert consumer.model.calls >= 1
    assert consumer.sim.discussions(consumer.mr) == []
    assert [n for n in consumer.sim.notes(consumer.mr) if not n.get("system")] == []
    assert [r for r in consumer.sim.request_log if r.method != "GET"] == []
    assert any(r.path.endswith("/diffs") for r in consumer.sim.request_log)  # it did read the MR
    review = json.loads(consumer.artifact("ai-review", "gl-reviewer.json").read_text())
    assert [(f["path"], f["line"]) for f in review["findings"]] == [(FINDING_PATH, FINDING_LINE)]


@needs_gcl
@pytest.mark.slow
def test_a_model_outage_is_an_allowed_failure_that_still_posts_the_summary(consumer: Consumer):
    consumer.model.default(error_reply(401, {"error": {"message": "Incorrect API key provided"}}))
    consumer.write_pipeline(fail_on="critical", model="openai/scripted", api_base=consumer.model.base_url)
    run = consumer.run_job("ai-review")
    assert "every model call failed" in run.output, run.output
    assert "WARN  ai-review" in run.output and "FAIL  ai-review" not in run.output, run.output
    [summary] = _summary_notes(consumer)
    assert "agent failed" in summary["body"]


@needs_gcl
@pytest.mark.slow
def test_config_input_names_the_repository_config_file(consumer: Consumer):
    _model_finds_one_critical(consumer)
    consumer.write_pipeline(model="openai/scripted", api_base=consumer.model.base_url, config=ALT_CONFIG_PATH)

    run = consumer.run_job("ai-review")

    assert run.returncode == 0, run.output
    assert _diff_threads(consumer) == []  # max_inline_comments: 0 sends the finding to the summary
    summaries = _summary_notes(consumer)
    assert len(summaries) == 1 and "Discount applied twice" in summaries[0]["body"]


@needs_gcl
def test_invalid_input_value_is_rejected_before_any_job_runs(consumer: Consumer):
    consumer.write_pipeline(fail_on="loud")

    run = consumer.run_job("ai-review")

    assert run.returncode != 0, run.output
    assert "This GitLab CI configuration is invalid" in run.output
    assert "`fail_on` input: `loud` cannot be used because it is not in the list of allowed options" in run.output
    assert "starting shell" not in run.output
    assert not (consumer.repo / ".gitlab-ci-local" / "artifacts").exists()
    assert consumer.sim.request_log == [] and consumer.model.calls == 0


@needs_gcl
def test_job_runs_only_in_merge_request_pipelines(consumer: Consumer):
    consumer.write_pipeline(fail_on="critical", job_name="code-review")

    in_mr = consumer.list_jobs(merge_request=True)
    on_push = consumer.list_jobs(merge_request=False)
    on_default_branch = consumer.list_jobs(merge_request=False, variables={"CI_COMMIT_BRANCH": "main"})
    on_tag = consumer.list_jobs(merge_request=False, variables={"CI_COMMIT_BRANCH": "", "CI_COMMIT_TAG": "v1.0.0"})

    assert [(j["name"], j["when"]) for j in in_mr] == [("code-review", "on_success")]
    # The component adds no job to branch or tag pipelines, so it creates no pipeline of its own there.
    for pipeline in (on_push, on_default_branch, on_tag):
        assert [(j["name"], j["when"]) for j in pipeline] == [("code-review", "never")]
    job = consumer.expanded_pipeline()["code-review"]
    assert [rule["if"] for rule in job["rules"]] == [
        '$CI_PIPELINE_SOURCE == "merge_request_event" && $REVIEWER_ALLOW_FAILURE == "false"',
        '$CI_PIPELINE_SOURCE == "merge_request_event"',
    ]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert "gl-reviewer.json" in job["artifacts"]["paths"]
    assert any('--fail-on "critical"' in line for line in job["script"]), job["script"]


@needs_gcl
@pytest.mark.parametrize("value, allowed", [(None, True), (True, True), (False, False)])
def test_allow_failure_input_decides_whether_exit_3_may_fail(consumer: Consumer, value, allowed):
    inputs = {} if value is None else {"allow_failure": value}
    consumer.write_pipeline(**inputs)

    [job] = consumer.list_jobs(merge_request=True)
    expanded = consumer.expanded_pipeline()["ai-review"]

    assert expanded["allow_failure"] == {"exit_codes": [3]}  # exit 1 (fail_on) and 2 are never allowed
    assert expanded["variables"]["REVIEWER_ALLOW_FAILURE"] == str(allowed).lower()
    # The first rule matches only with allow_failure: false, and overrides the exit codes.
    assert job["allow_failure"] == (False if not allowed else {"exit_codes": [3]}), job


@needs_gcl
@pytest.mark.slow
def test_allow_failure_false_makes_a_model_outage_fail_the_job(consumer: Consumer):
    consumer.model.default(error_reply(401, {"error": {"message": "Incorrect API key provided"}}))
    consumer.write_pipeline(model="openai/scripted", api_base=consumer.model.base_url, allow_failure=False)
    run = consumer.run_job("ai-review")
    assert "every model call failed" in run.output, run.output
    assert "FAIL  ai-review" in run.output and "WARN  ai-review" not in run.output, run.output


@needs_gcl
def test_fork_merge_request_without_the_parent_variables_ends_with_a_notice(consumer: Consumer):
    consumer.write_pipeline(model="openai/scripted", api_base=consumer.model.base_url)

    run = consumer.run_job("ai-review", variables={"CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "4242",
                                                   "REVIEWER_GITLAB_TOKEN": None, "REVIEWER_API_KEY": None})

    assert run.returncode == 0, run.output
    assert "PASS  ai-review" in run.output, run.output
    assert "this merge request comes from a fork" in run.output
    assert "Traceback" not in run.output and "reviewer: error" not in run.output
    assert consumer.sim.request_log == [] and consumer.model.calls == 0


@needs_gcl
def test_same_project_merge_request_without_a_token_still_fails_with_the_configuration_error(consumer: Consumer):
    consumer.write_pipeline()

    run = consumer.run_job("ai-review", variables={"REVIEWER_GITLAB_TOKEN": None})

    assert "FAIL  ai-review" in run.output, run.output
    assert "REVIEWER_GITLAB_TOKEN" in run.output and "comes from a fork" not in run.output


@needs_gcl
@pytest.mark.slow
def test_the_project_include_form_runs_the_same_job(consumer: Consumer):
    """README's fallback: include: project: group/reviewer, ref: vX.Y.Z, file: ci-component/include/review.yml."""
    _model_finds_one_critical(consumer)
    consumer.write_pipeline(form="project", fail_on="none", model="openai/scripted",
                            api_base=consumer.model.base_url, dry_run=True)

    run = consumer.run_job("ai-review")

    assert run.returncode == 0 and "PASS  ai-review" in run.output, run.output
    job = consumer.expanded_pipeline()["ai-review"]
    assert job["image"]["name"] == f"{IMAGE_REPOSITORY}:{__version__}"
    assert "REVIEWER_COMPONENT_IMAGE" not in job["variables"]
    review = json.loads(consumer.artifact("ai-review", "gl-reviewer.json").read_text())
    assert [(f["path"], f["line"]) for f in review["findings"]] == [(FINDING_PATH, FINDING_LINE)]


@needs_gcl
def test_the_component_form_defaults_to_the_image_of_its_own_version(consumer: Consumer):
    consumer.write_pipeline()
    consumer.list_jobs(merge_request=True)

    job = consumer.expanded_pipeline()["ai-review"]

    # GitLab 18.6+ replaces $[[ component.version ]] with the included version (gitlab-ci-local leaves it).
    assert job["image"]["name"] == "$REVIEWER_COMPONENT_IMAGE"
    assert job["variables"]["REVIEWER_COMPONENT_IMAGE"] == f"{IMAGE_REPOSITORY}:$[[ component.version ]]"


def test_component_declares_its_inputs_and_one_job_only():
    spec, body = yaml.safe_load_all(COMPONENT.read_text())
    inputs = spec["spec"]["inputs"]
    assert set(inputs) >= {"stage", "image", "model", "fail_on", "dry_run", "config", "extra_args", "job_name",
                           "allow_failure", "install"}
    assert all(i.get("description") for i in inputs.values())
    assert inputs["fail_on"]["options"] == ["none", "note", "suggestion", "important", "critical"]
    assert inputs["dry_run"]["type"] == "boolean"
    assert inputs["allow_failure"] == {**inputs["allow_failure"], "type": "boolean", "default": True}
    assert spec["spec"]["component"] == ["version"]
    assert list(body) == ["$[[ inputs.job_name ]]"]  # no default:, stages:, or fixed job name


def test_the_project_include_file_is_the_component_without_component_context():
    spec, body = yaml.safe_load_all(PROJECT_INCLUDE.read_text())
    component_spec, component_body = yaml.safe_load_all(COMPONENT.read_text())
    assert "component" not in spec["spec"] and "$[[ component." not in PROJECT_INCLUDE.read_text()
    assert "default" not in spec["spec"]["inputs"]["image"]  # required: no component version to pin to
    assert set(spec["spec"]["inputs"]) == set(component_spec["spec"]["inputs"])
    job, component_job = body["$[[ inputs.job_name ]]"], component_body["$[[ inputs.job_name ]]"]
    component_job["variables"].pop("REVIEWER_COMPONENT_IMAGE")
    assert {k: v for k, v in job.items() if k != "script"} == {k: v for k, v in component_job.items() if k != "script"}
