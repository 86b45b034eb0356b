"""ci-component/release.py: what the tag pipeline checks, and the component tree it publishes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reviewer import __version__
from tests.release.tools import COMPONENT_PROJECT, IMAGE_REPOSITORY, RELEASE_SCRIPT, ROOT, release_module

release = release_module()


def _script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RELEASE_SCRIPT), *args], capture_output=True, text=True, timeout=120)


def test_the_project_include_file_is_up_to_date():
    result = _script("include", "--check")
    assert result.returncode == 0, result.stderr


def test_check_tag_accepts_the_current_version_and_names_what_to_fix_otherwise():
    ok = _script("check-tag", f"v{__version__}")
    assert ok.returncode == 0 and ok.stdout.strip() == __version__, ok.stderr
    wrong = _script("check-tag", "v99.0.0")
    assert wrong.returncode == 1 and "__version__" in wrong.stderr and "set it to '99.0.0'" in wrong.stderr
    not_a_release = _script("check-tag", __version__)
    assert not_a_release.returncode == 1 and "release tags are vX.Y.Z" in not_a_release.stderr


def test_every_version_has_changelog_notes():
    notes = _script("notes", __version__)
    assert notes.returncode == 0 and notes.stdout.strip(), notes.stderr
    with pytest.raises(release.ReleaseError, match="no '## 9.9.9' section"):
        release.changelog_section("9.9.9")
    assert release.changelog_section("1.0.0", "## 1.0.0\n\n- a\n\n## 0.9.0\n\n- b\n") == "- a\n"


def test_component_project_tree_names_the_image_of_this_project(tmp_path: Path):
    out = release.build_component_project(tmp_path / "component", image_repository=IMAGE_REPOSITORY,
                                          version=__version__, source_url="https://gitlab.example.test/group/reviewer")
    assert sorted(p.name for p in out.iterdir()) == [".gitlab-ci.yml", "CHANGELOG.md", "README.md", "templates"]
    template = (out / "templates" / "review.yml").read_text()
    assert release.IMAGE_PLACEHOLDER not in template
    spec, body = yaml.safe_load_all(template)
    assert spec["spec"]["component"] == ["version"]
    job = body["$[[ inputs.job_name ]]"]
    assert job["variables"]["REVIEWER_COMPONENT_IMAGE"] == f"{IMAGE_REPOSITORY}:$[[ component.version ]]"
    assert job["image"]["name"] == "$[[ inputs.image ]]"
    assert spec["spec"]["inputs"]["image"]["default"] == "$REVIEWER_COMPONENT_IMAGE"
    # The README's links point into the reviewer project at the release tag, not at files that are not there.
    readme = (out / "README.md").read_text()
    assert "](../" not in readme
    assert f"https://gitlab.example.test/group/reviewer/-/blob/v{__version__}/docs/configuration.md" in readme
    ci = yaml.safe_load((out / ".gitlab-ci.yml").read_text())
    assert ci["catalog-release"]["release"]["tag_name"] == "$CI_COMMIT_TAG"
    with pytest.raises(release.ReleaseError):
        release.build_component_project(tmp_path / "bad", image_repository=f"{IMAGE_REPOSITORY}:1.0", version=__version__,
                                        source_url="https://x")


def _git(*args: str | Path) -> str:
    return subprocess.run(["git", *map(str, args)], check=True, capture_output=True, text=True).stdout


def test_publish_component_pushes_the_tree_and_the_version_tag_once(tmp_path: Path):
    remote = tmp_path / "reviewer-component.git"
    _git("init", "-q", "--bare", "-b", "main", remote)
    kwargs = dict(image_repository=IMAGE_REPOSITORY, source_url="https://gitlab.example.test/group/reviewer")

    first = release.publish_component(str(remote), version="1.0.0", **kwargs)
    second = release.publish_component(str(remote), version="1.1.0", **kwargs)

    assert _git("-C", remote, "rev-parse", "1.0.0^{commit}").strip() == first
    assert _git("-C", remote, "rev-parse", "main").strip() == second
    assert _git("-C", remote, "rev-parse", f"{second}~1").strip() == first  # history kept
    files = _git("-C", remote, "ls-tree", "-r", "--name-only", "1.1.0").split()
    assert files == [".gitlab-ci.yml", "CHANGELOG.md", "README.md", "templates/review.yml"]
    # The documented address <host>/group/reviewer-component/review@1.1.0 reads templates/review.yml at tag 1.1.0.
    assert COMPONENT_PROJECT.endswith(remote.stem)
    with pytest.raises(release.ReleaseError, match="never moved"):
        release.publish_component(str(remote), version="1.0.0", **kwargs)


def test_a_failed_push_does_not_print_the_token(tmp_path: Path):
    with pytest.raises(release.ReleaseError) as failure:
        release.publish_component("https://reviewer-release:glpat-secret@127.0.0.1:9/group/x.git", version="1.0.0",
                                  image_repository=IMAGE_REPOSITORY, source_url="https://x")
    assert "glpat-secret" not in str(failure.value)


def test_release_script_needs_only_the_standard_library():
    source = RELEASE_SCRIPT.read_text()
    imported = {line.split()[1].split(".")[0] for line in source.splitlines()
                if line.startswith(("import ", "from ")) and not line.startswith("from __future__")}
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
    assert (ROOT / "ci-component" / "include" / "review.yml").is_file()
