"""Opt-in: build the image from the Dockerfile with buildah and run the reviewer in it.

    REVIEWER_IMAGE_TEST=1 python -m pytest tests/release/test_image.py -v -s

Needs root, ``buildah`` and (unless ``REVIEWER_IMAGE_TEST_BASE`` names a pullable base) ``debootstrap``
(``apt-get install -y buildah debootstrap``); about 3 minutes on 2 cores the first time (the stand-in
base is cached under ~/.cache/reviewer-image-test). See tests/release/image.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer import __version__
from tests.release import image

pytestmark = [pytest.mark.slow, pytest.mark.skipif(image.unavailable() is not None,
                                                   reason=image.unavailable() or "")]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built() -> str:
    base = image.bootstrap_base()
    return image.build(base, version=__version__)


def test_image_runs_the_reviewer_as_non_root_within_the_size_target(built: str):
    size = image.image_size(built)
    print(f"\nimage {built}: {size / 1e6:.0f} MB uncompressed")
    assert size < image.SIZE_LIMIT_BYTES, f"{size / 1e6:.0f} MB"
    labels = image.labels(built)
    assert labels["org.opencontainers.image.version"] == __version__
    assert labels["org.opencontainers.image.title"] == "reviewer"
    ctr = image.Container(built)
    try:
        assert ctr.run("reviewer", "--version").stdout.strip() == f"reviewer {__version__}"
        facts = ctr.run("sh", "-c", "id -u; git --version; command -v shellcheck; echo $LITELLM_LOCAL_MODEL_COST_MAP; "
                                    "command -v gcc cc pip pytest || true").stdout.split("\n")
        assert facts[0] == "10001"  # non-root
        assert facts[1].startswith("git version")
        assert facts[2].endswith("shellcheck")
        assert facts[3] == "True"
        assert [line for line in facts[4:] if line.strip()] == []  # no compilers, pip or test tools
    finally:
        ctr.remove()


def test_a_local_review_of_a_checkout_owned_by_another_user(built: str, tmp_path: Path):
    """As in a CI job: the checkout under /builds belongs to the runner's user, not to the image's."""
    repo = tmp_path / "demo"
    subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py"), str(repo)], check=True, capture_output=True)
    ctr = image.Container(built)
    try:
        result = ctr.run("reviewer", "review", "--local", "--repo", "/builds/group/demo", "--format", "json",
                         volumes=(f"{repo}:/builds/group/demo:ro",), check=False)
    finally:
        ctr.remove()
    assert result.returncode == 0, result.stderr
    review = json.loads(result.stdout)
    rules = {f["rule_id"] for f in review["findings"]}
    assert {"SEC-006", "PY-004", "ERR-001"} <= rules, rules
    assert "dubious ownership" not in result.stderr
