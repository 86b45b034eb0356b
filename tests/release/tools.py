"""Shared helpers: the release script as a module, and the names the documented includes use."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
RELEASE_SCRIPT = ROOT / "ci-component" / "release.py"

# The documented addresses, with the README's placeholders filled in for a test instance.
GITLAB_HOST = "gitlab.example.test"
REVIEWER_PROJECT = "group/reviewer"            # the reviewer project (<group>/reviewer)
COMPONENT_PROJECT = "group/reviewer-component"  # its component project (<group>/reviewer-component)
IMAGE_REPOSITORY = "registry.example.test/group/reviewer"  # what the release job passes: $CI_REGISTRY_IMAGE


def release_module() -> ModuleType:
    """ci-component/release.py, imported (it is a script in a folder that is not a package)."""
    name = "reviewer_release_script"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, RELEASE_SCRIPT)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def seed_component_include(repo: Path, version: str) -> Path:
    """Put the published component tree of ``version`` where gitlab-ci-local keeps fetched includes, as
    if it had fetched ``component: <host>/group/reviewer-component/review@<version>`` (offline)."""
    target = repo / ".gitlab-ci-local" / "includes" / GITLAB_HOST / COMPONENT_PROJECT / version
    release_module().build_component_project(target, image_repository=IMAGE_REPOSITORY, version=version,
                                             source_url=f"https://{GITLAB_HOST}/{REVIEWER_PROJECT}")
    return target


def seed_project_include(repo: Path, ref: str) -> Path:
    """Put ci-component/include/review.yml where gitlab-ci-local keeps a fetched
    ``include: project: group/reviewer, ref: <ref>, file: ci-component/include/review.yml``."""
    target = repo / ".gitlab-ci-local" / "includes" / GITLAB_HOST / REVIEWER_PROJECT / ref
    path = target / "ci-component" / "include" / "review.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((ROOT / "ci-component" / "include" / "review.yml").read_text())
    return path
