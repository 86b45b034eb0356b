"""The project's own .gitlab-ci.yml as gitlab-ci-local reads it: every job defined, and the rules pick the
right jobs for a release tag, the default branch, a merge request and other branches.

gitlab-ci-local does not apply ``workflow:rules``; the workflow rules are checked by giving them to a
probe job in a copy of the pipeline, so gitlab-ci-local's rules engine evaluates them all the same.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.component.harness import GCL_SKIP_REASON, gitlab_ci_local

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = ROOT / ".gitlab-ci.yml"
needs_gcl = pytest.mark.skipif(gitlab_ci_local() is None, reason=GCL_SKIP_REASON)

# Variables gitlab-ci-local would otherwise derive from the checkout; each case sets its own.
PREDEFINED = ("CI_PIPELINE_SOURCE", "CI_COMMIT_TAG", "CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME",
              "CI_MERGE_REQUEST_IID", "CI_OPEN_MERGE_REQUESTS", "CI_DEFAULT_BRANCH")

TAG = {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": "v1.2.0", "CI_COMMIT_BRANCH": "", "CI_DEFAULT_BRANCH": "main"}
DEFAULT_BRANCH = {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"}
MERGE_REQUEST = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_COMMIT_BRANCH": "", "CI_MERGE_REQUEST_IID": "7",
                 "CI_DEFAULT_BRANCH": "main"}
BRANCH = {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "feature", "CI_DEFAULT_BRANCH": "main"}
BRANCH_WITH_MR = {**BRANCH, "CI_OPEN_MERGE_REQUESTS": "group/reviewer!7"}

PUBLISHING = {"image:release", "package:publish", "pypi", "release", "component:publish"}
ALL_JOBS = {"version-check", "test", "package", "image:main", *PUBLISHING}


class Project:
    """A throwaway git checkout holding the pipeline (gitlab-ci-local writes its state next to it)."""

    def __init__(self, path: Path, pipeline: dict | None = None):
        self.path = path
        path.mkdir()
        if pipeline is None:
            shutil.copyfile(PIPELINE, path / ".gitlab-ci.yml")
        else:
            (path / ".gitlab-ci.yml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
        for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "pipeline"),
                     ("remote", "add", "origin", "https://gitlab.example.test/group/reviewer.git"),
                     ("update-ref", "refs/remotes/origin/main", "main"),
                     ("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")):
            subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True)

    def gcl(self, *args: str, variables: dict[str, str]) -> str:
        command = [gitlab_ci_local(), "--no-color", "--home", str(self.path.parent / "gcl-home"),
                   "--ignore-predefined-vars", ",".join(PREDEFINED)]
        for key, value in variables.items():
            command += ["--variable", f"{key}={value}"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("GCL_")}
        proc = subprocess.run([*command, *args], cwd=self.path, env=env, capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    def jobs(self, variables: dict[str, str]) -> dict[str, dict]:
        out = self.gcl("--list-json", variables=variables)
        return {job["name"]: job for job in json.loads(out[re.search(r"^\[", out, re.M).start():])}

    def selected(self, variables: dict[str, str]) -> set[str]:
        return {name for name, job in self.jobs(variables).items() if job["when"] != "never"}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "reviewer")


def _workflow_creates(tmp_path: Path, variables: dict[str, str]) -> bool:
    """Whether the pipeline's workflow:rules create a pipeline for ``variables``."""
    workflow = yaml.safe_load(PIPELINE.read_text())["workflow"]["rules"]
    probe = Project(tmp_path / f"probe-{len(list(tmp_path.iterdir()))}",
                    {"workflow-probe": {"script": ["true"], "rules": workflow}})
    return probe.jobs(variables)["workflow-probe"]["when"] != "never"


@needs_gcl
def test_every_job_is_defined_and_previews(project: Project):
    preview = yaml.safe_load(project.gcl("--preview", variables=TAG))
    jobs = {name for name, value in preview.items() if isinstance(value, dict) and "script" in value
            and not name.startswith(".")}
    assert jobs == ALL_JOBS
    stages = preview["stages"]
    assert [s for s in stages if not s.startswith(".")] == ["test", "build", "publish", "release"]
    for name in jobs:
        job = preview[name]
        assert job["stage"] in stages, name
        for need in job.get("needs", []):
            assert (need if isinstance(need, str) else need["job"]) in jobs, (name, need)
        assert job.get("rules"), f"{name} has no rules: every job says which pipelines it runs in"
    assert preview["test"]["script"] == ["bash .ci/run"]  # the README's test command, as .ci/run runs it


@needs_gcl
def test_a_release_tag_runs_tests_then_publishes_everything(project: Project):
    assert project.selected(TAG) == ALL_JOBS - {"image:main", "pypi"}
    assert project.selected({**TAG, "PYPI_PUBLISH": "true"}) == ALL_JOBS - {"image:main"}


@needs_gcl
def test_the_default_branch_tests_and_pushes_the_main_image_only(project: Project):
    assert project.selected(DEFAULT_BRANCH) == {"test", "package", "image:main"}


@needs_gcl
def test_a_merge_request_runs_the_tests_and_publishes_nothing(project: Project):
    assert project.selected(MERGE_REQUEST) == {"test", "package"}


@needs_gcl
def test_other_branches_and_other_tags_publish_nothing(project: Project):
    assert project.selected(BRANCH) == {"test", "package"}
    for tag in ("v1.2", "1.2.0", "v1.2.0-rc.1", "nightly"):
        assert project.selected({**TAG, "CI_COMMIT_TAG": tag}) & PUBLISHING == set(), tag


@needs_gcl
def test_workflow_makes_one_pipeline_per_push(tmp_path: Path):
    assert _workflow_creates(tmp_path, TAG)
    assert _workflow_creates(tmp_path, DEFAULT_BRANCH)
    assert _workflow_creates(tmp_path, MERGE_REQUEST)
    assert _workflow_creates(tmp_path, BRANCH)
    assert not _workflow_creates(tmp_path, BRANCH_WITH_MR)  # its merge-request pipeline runs instead


def test_image_jobs_build_with_buildah_and_push_the_documented_tags():
    pipeline = yaml.safe_load(PIPELINE.read_text())
    image = pipeline[".image"]
    assert "buildah" in pipeline["variables"]["BUILDAH_IMAGE"] and image["image"] == "$BUILDAH_IMAGE"
    assert image["variables"]["BUILDAH_ISOLATION"] == "chroot"
    script = "\n".join(image["script"])
    assert 'tags="$version ${version%.*}"' in script and 'tags="main"' in script
    assert 'docker://$CI_REGISTRY_IMAGE:$tag' in script
    for label in ("VERSION", "REVISION", "CREATED", "SOURCE"):
        assert f"--build-arg {label}=" in script
    assert pipeline["variables"]["PYTHON_IMAGE"] in (ROOT / "Dockerfile").read_text()  # one pinned base
    assert pipeline["release"]["release"]["tag_name"] == "$CI_COMMIT_TAG"
