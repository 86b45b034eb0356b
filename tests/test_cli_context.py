"""Code context through the CLI: a local review's prompts show the enclosing function, the
definitions the change uses (through a package's re-export) and the call sites of a function
whose signature changed; ``context: {enabled: false}`` leaves only the diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli_runner import run_reviewer
from tests.support.gitrepo import GitRepo
from tests.support.scripted_model import ScriptedModel, json_reply, messages_text

CLIENT = '''"""HTTP client."""


class Client:
    """Talks to the orders API; every call times out after ``timeout`` seconds."""

    def __init__(self, url, timeout=5):
        self.url = url
        self.timeout = timeout

    def fetch(self, path):
        """GET ``path`` and return the decoded JSON body."""
        return {"url": self.url + path}
'''
HELPERS_BASE = '''"""Path helpers."""


def normalise(path):
    """Strip slashes and lower-case ``path``."""
    return path.strip("/").lower()
'''
HELPERS_HEAD = HELPERS_BASE.replace("def normalise(path):", "def normalise(path, strict=False):")
SERVICE_BASE = '''"""The order service."""

from pkg import Client
from pkg.helpers import normalise


def handle(request):
    """Answer one request."""
    SENTINEL_AT_TOP = 1
    if request is None:
        raise ValueError("no request")
    path = request.path
    owner = request.user
    if not owner:
        return {"status": 401}
    result = {"status": 200}
    result["path"] = path
    return result
'''
SERVICE_HEAD = SERVICE_BASE.replace('''    result["path"] = path
''', '''    result["path"] = path
    result["body"] = Client("https://orders").fetch(normalise(path))
''')


def caller(i: int) -> str:
    return f'"""Caller {i}."""\n\nfrom pkg.helpers import normalise\n\n\ndef use_{i}(p):\n    return normalise(p)\n'


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo.init(tmp_path / "repo")
    base = {"pkg/__init__.py": "from ._client import Client\n", "pkg/_client.py": CLIENT,
            "pkg/helpers.py": HELPERS_BASE, "app/service.py": SERVICE_BASE}
    base |= {f"app/caller_{i}.py": caller(i) for i in range(7)}
    repo.commit("base", base)
    repo.branch("feature")
    repo.commit("fetch the body", {"app/service.py": SERVICE_HEAD, "pkg/helpers.py": HELPERS_HEAD})
    return repo


def review(repo: GitRepo, model: ScriptedModel):
    model.default(json_reply({"findings": []}))
    done = run_reviewer("review", "--local", "--repo", repo.root, "--base", "main", "--format", "json",
                        env={"REVIEWER_MODEL": "openai/scripted", "REVIEWER_API_BASE": model.base_url})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), [messages_text(b) for b in model.requests]


def test_prompts_show_the_enclosing_function_the_definitions_used_and_the_call_sites(repo, scripted_model):
    report, prompts = review(repo, scripted_model)
    prompt = prompts[0]
    context = prompt.split('<untrusted source="code_context">', 1)[1].split("</untrusted>", 1)[0]
    assert "SENTINEL_AT_TOP = 1" in context  # in handle(), outside the diff's three lines of context
    assert "class Client:" in context and "Talks to the orders API" in context  # through pkg/__init__.py
    assert "def normalise(path, strict=False):" in prompt
    callers = {line.split(":")[0] for line in context.splitlines() if line.startswith("#### app/caller_")}
    assert len(callers) >= 5  # the call sites of the changed signature
    assert all(p.count('<untrusted source="code_context">') == 1 for p in prompts)
    shared = {p.split("You are the ")[0] for p in prompts}
    assert len(shared) == 1  # every agent got the same context: one cacheable prefix
    ran = [a for a in report["agents"] if a["status"] == "ok"]
    assert ran and all(a["context"]["items"] > 0 and a["context"]["tokens"] > 0 for a in ran)


def test_context_disabled_gives_the_diff_only(repo, scripted_model):
    repo.checkout("main")
    repo.commit("no context", {".reviewer.yml": "context: {enabled: false}\n"})
    repo.checkout("feature")
    repo.git("rebase", "-q", "main")
    report, prompts = review(repo, scripted_model)
    assert prompts and all("code_context" not in p and "Code context" not in p for p in prompts)
    assert all("SENTINEL_AT_TOP" not in p for p in prompts)
    assert all(a["context"] == {"items": 0, "tokens": 0, "dropped": 0} for a in report["agents"])


def test_a_small_allowance_drops_the_lowest_priority_items_and_counts_them(repo, scripted_model):
    repo.checkout("main")
    repo.commit("tight", {".reviewer.yml": "context: {min_tokens: 120, max_ratio: 0, max_tokens: 120}\n"})
    repo.checkout("feature")
    repo.git("rebase", "-q", "main")
    report, prompts = review(repo, scripted_model)
    ran = [a for a in report["agents"] if a["status"] == "ok"]
    assert ran and all(a["context"]["dropped"] > 0 and a["context"]["tokens"] <= 120 for a in ran)
