"""The distribution: the wheel and sdist build under the name gitlab-mr-reviewer, and
`pip install` of the wheel into a fresh virtualenv gives a `reviewer` that reviews a real change.

Needs the package index (build and the dependencies are installed from it, as in the package job).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from reviewer import __version__

ROOT = Path(__file__).resolve().parents[2]
DIST_NAME = "gitlab-mr-reviewer"
pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"{args}: {proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """`python -m build` of the checkout, as the package job runs it (in a venv of its own)."""
    work = tmp_path_factory.mktemp("dist")
    venv.create(work / "build-env", with_pip=True)
    _run(work / "build-env" / "bin" / "python", "-m", "pip", "install", "--quiet", "build>=1.2,<2")
    _run(work / "build-env" / "bin" / "python", "-m", "build", "--outdir", work / "dist", ROOT)
    return work / "dist"


def test_the_distribution_name_is_free_of_the_import_name():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == DIST_NAME
    assert project["scripts"] == {"reviewer": "reviewer.cli:main"}
    for required in ("ruff", "vcrpy", "litellm"):  # runtime dependencies other parts rely on
        assert any(dep.startswith(required) for dep in project["dependencies"]), required


def test_wheel_and_sdist_carry_the_package_its_data_and_no_tests(dist: Path):
    wheel = dist / f"gitlab_mr_reviewer-{__version__}-py3-none-any.whl"
    sdist = dist / f"gitlab_mr_reviewer-{__version__}.tar.gz"
    assert wheel.is_file() and sdist.is_file(), sorted(p.name for p in dist.iterdir())
    names = zipfile.ZipFile(wheel).namelist()
    metadata = zipfile.ZipFile(wheel).read(f"gitlab_mr_reviewer-{__version__}.dist-info/METADATA").decode()
    assert f"Name: {DIST_NAME}\n" in metadata and f"Version: {__version__}\n" in metadata
    for data in ("reviewer/_data/agents/security.yaml", "reviewer/_data/prompts/system.md.j2"):
        assert data in names, data
    assert any(n.startswith("reviewer/_data/codex_rules/") for n in names)
    assert not any(n.startswith("tests/") for n in names)
    members = tarfile.open(sdist).getnames()
    top = f"gitlab_mr_reviewer-{__version__}"
    for path in ("pyproject.toml", "README.md", "CHANGELOG.md", "reviewer/cli.py", "agents/security.yaml",
                 "ci-component/templates/review.yml", "ci-component/include/review.yml"):
        assert f"{top}/{path}" in members, path
    assert not any(m.startswith(f"{top}/tests/") or m.startswith(f"{top}/evals/") for m in members)


def test_pip_install_of_the_wheel_gives_a_working_reviewer(dist: Path, tmp_path: Path):
    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=True)
    wheel = next(dist.glob("*.whl"))
    _run(env_dir / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)
    assert _run(env_dir / "bin" / "reviewer", "--version").stdout.strip() == f"reviewer {__version__}"
    shown = _run(env_dir / "bin" / "python", "-m", "pip", "show", DIST_NAME).stdout
    assert f"Name: {DIST_NAME}" in shown

    repo = tmp_path / "demo"
    _run(sys.executable, ROOT / "examples" / "demo.py", repo)
    review = json.loads(_run(env_dir / "bin" / "reviewer", "review", "--local", "--repo", repo,
                             "--format", "json", cwd=tmp_path).stdout)
    assert {"SEC-006", "PY-004", "ERR-001"} <= {f["rule_id"] for f in review["findings"]}
