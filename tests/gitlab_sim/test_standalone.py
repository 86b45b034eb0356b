"""The simulator as a separate process, seeded from a file, inspected over `/_sim`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import gitlab
import requests

ROOT = Path(__file__).resolve().parents[2]


def test_standalone_process_from_seed(repo: Path, tmp_path: Path):
    seed = {
        "users": [{"username": "bot", "role": "developer"}],
        "tokens": [{"value": "tok", "username": "bot", "scopes": ["api"]}],
        "projects": [{"path_with_namespace": "group/proj", "repo_dir": str(repo)}],
        "merge_requests": [{"project": "group/proj", "source_branch": "feature", "target_branch": "main",
                            "title": "T", "author": "bot", "file_flags": {"gone.txt": {"collapsed": True}}}],
    }
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(seed))
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.gitlab_sim", "--seed", str(seed_file)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("GITLAB_SIM_URL=http://127.0.0.1:")
        url = line.split("=", 1)[1]
        gl = gitlab.Gitlab(url, private_token="tok")
        mr = gl.projects.get("group/proj").mergerequests.get(1)
        mr.notes.create({"body": "from another process"})
        state = requests.get(f"{url}/_sim/state", timeout=5).json()
        notes = state["projects"][0]["merge_requests"][0]["notes"]
        assert [n["body"] for n in notes] == ["from another process"]
        requests.post(f"{url}/_sim/faults", json={"method": "GET", "path_regex": "/merge_requests/1$",
                                                 "status": 500}, timeout=5)
        assert requests.get(f"{url}/api/v4/projects/1/merge_requests/1", headers={"PRIVATE-TOKEN": "tok"},
                            timeout=5).status_code == 500
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
