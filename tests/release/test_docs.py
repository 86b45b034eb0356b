"""The documentation says what the release makes: the README's includes, run through gitlab-ci-local as
written (placeholders filled in), name paths, refs and versions that exist; the quick start's first
commands review a real change; the Dockerfile is what the docs say."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reviewer import __version__
from tests.component.harness import GCL_SKIP_REASON, gitlab_ci_local
from tests.release.tools import GITLAB_HOST, ROOT, seed_component_include, seed_project_include

README = (ROOT / "README.md").read_text()
COMPONENT_README = (ROOT / "ci-component" / "README.md").read_text()
needs_gcl = pytest.mark.skipif(gitlab_ci_local() is None, reason=GCL_SKIP_REASON)


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def _yaml_blocks(text: str) -> list[dict]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def _includes(text: str) -> list[dict]:
    return [inc for block in _yaml_blocks(text) if isinstance(block, dict) for inc in block.get("include", [])]


def test_the_documented_includes_name_this_version_and_files_that_exist():
    for text in (_section(README, "On GitLab"), COMPONENT_README):
        includes = _includes(text)
        component = [i for i in includes if "component" in i]
        project = [i for i in includes if "project" in i]
        assert component and project, text[:200]
        for inc in component:
            assert inc["component"] == f"$CI_SERVER_FQDN/<group>/reviewer-component/review@{__version__}"
            assert "image" not in inc.get("inputs", {})  # the default pins itself
        for inc in project:
            assert inc["project"] == "<group>/reviewer" and inc["ref"] == f"v{__version__}"
            assert (ROOT / inc["file"]).is_file(), inc["file"]
            assert inc["inputs"]["image"] == f"$CI_REGISTRY/<group>/reviewer:{__version__}"
    example = yaml.safe_load((ROOT / "examples" / ".gitlab-ci.yml").read_text())
    assert example["include"][0]["component"].endswith(f"/reviewer-component/review@{__version__}")
    assert f"## {__version__}\n" in (ROOT / "CHANGELOG.md").read_text()


def _consumer(tmp_path: Path, include: dict) -> Path:
    repo = tmp_path / "app"
    repo.mkdir()
    (repo / ".gitlab-ci.yml").write_text(yaml.safe_dump({"stages": ["test"], "include": [include]}, sort_keys=False))
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "app"),
                 ("remote", "add", "origin", f"https://{GITLAB_HOST}/group/app.git")):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)
    return repo


def _list(repo: Path) -> list[dict]:
    proc = subprocess.run([gitlab_ci_local(), "--no-color", "--home", str(repo.parent / "home"),
                           "--ignore-predefined-vars", "CI_PIPELINE_SOURCE",
                           "--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--list-json"],
                          cwd=repo, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout[re.search(r"^\[", proc.stdout, re.M).start():])


@needs_gcl
@pytest.mark.parametrize("form", ["component", "project"])
def test_the_readme_include_resolves_as_written(tmp_path: Path, form: str):
    [include] = [i for i in _includes(_section(README, "On GitLab")) if form in i]
    include = json.loads(json.dumps(include).replace("<group>", "group"))
    repo = _consumer(tmp_path, include)
    if form == "component":
        seed_component_include(repo, include["component"].rsplit("@", 1)[1])
    else:
        seed_project_include(repo, include["ref"])

    jobs = _list(repo)

    assert [(j["name"], j["when"]) for j in jobs] == [("ai-review", "on_success")]
    expanded = yaml.safe_load((repo / ".gitlab-ci-local" / "expanded-gitlab-ci.yml").read_text())["ai-review"]
    assert expanded["variables"]["REVIEWER_MODEL"] == include["inputs"]["model"]
    assert any('--fail-on "critical"' in line for line in expanded["script"])


def test_the_quick_start_reviews_a_real_change(tmp_path: Path):
    block = re.search(r"## Quick start\n.*?```sh\n(.*?)```", README, re.S).group(1)
    assert "python3 -m venv .venv" in block and "pip install -e '.[dev]'" in block
    demo = re.search(r"^python (examples/demo.py) (\S+)$", block, re.M)
    review = re.search(r"^reviewer review --local --repo (\S+)$", block, re.M)
    assert demo and review and demo.group(2) == review.group(1)
    repo = tmp_path / "reviewer-demo"
    subprocess.run([sys.executable, str(ROOT / demo.group(1)), str(repo)], check=True, capture_output=True)
    reviewer = Path(sys.executable).parent / "reviewer"
    result = subprocess.run([str(reviewer), "review", "--local", "--repo", str(repo), "--format", "json"],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert len(findings) >= 3 and {"SEC-006", "PY-004", "ERR-001"} <= {f["rule_id"] for f in findings}


def test_the_dockerfile_is_pinned_slim_non_root_and_ci_ready():
    dockerfile = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.M).group(1)
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim-[a-z]+", base), base  # a release, not a floating tag
    final = dockerfile[dockerfile.rindex("\nFROM "):]
    assert re.search(r"apt-get install .*\bgit\b.*\bshellcheck\b", final)
    assert not re.search(r"\b(gcc|g\+\+|build-essential|clang)\b", final)
    assert "safe.directory '/builds/*'" in final
    assert "LITELLM_LOCAL_MODEL_COST_MAP=True" in final
    assert re.search(r"^USER reviewer$", final, re.M)
    assert all(f"org.opencontainers.image.{k}" in final for k in ("title", "version", "revision", "source", "licenses"))
    ignored = (ROOT / ".dockerignore").read_text().split()
    for copied in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.M):
        for path in copied.split():
            assert f"!{path}" in ignored or f"!{path}/" in ignored, f"{path} is not in the build context"
