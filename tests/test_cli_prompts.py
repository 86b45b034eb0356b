"""Prompt overrides through the real CLI: ``--prompts-dir`` and the config's ``prompts_dir`` change
what the scripted model is sent, a broken override stops the run before any model call, and
``reviewer prompts list|render`` show the templates and an agent's exact messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.prompting.overrides import packaged_names
from reviewer.resources import data_dir
from tests.support.cli_runner import run_reviewer
from tests.support.gitrepo import GitRepo
from tests.support.scripted_model import ScriptedModel, json_reply, messages_text

SECURITY_AGENT = "You are the Security reviewer"
QUALITY_AGENT = "You are the Code Quality reviewer"
BASE = '"""Sessions."""\n\n\ndef check(token, expected):\n    return token == expected\n'
HEAD = BASE.replace("    return token == expected\n", '''    if not token:
        return False
    import hmac
    return hmac.compare_digest(token, expected)
''')
ADDED_LINE = "return hmac.compare_digest(token, expected)"
CLI_SECURITY = ("{% include '_role.j2' %}\nCLI-SECURITY-MARKER: check every comparison of secrets.\n"
                "{% include '_rules.j2' %}\n")
ROLE = (data_dir("prompts") / "_role.j2").read_text(encoding="utf-8")


def model_env(model: ScriptedModel) -> dict[str, str]:
    return {"REVIEWER_MODEL": "openai/scripted", "REVIEWER_API_BASE": model.base_url, "REVIEWER_API_KEY": "x"}


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """main: the config with ``prompts_dir`` and a ``_role.j2`` override; feature: the change, which
    also edits that override and adds a ``security.md.j2`` one (neither may be used)."""
    repo = GitRepo.init(tmp_path / "repo")
    repo.commit("base", {
        "src/auth/session.py": BASE,  # a sensitive path: a full review, every agent runs
        ".reviewer.yml": "prompts_dir: .reviewer/prompts\n",
        ".reviewer/prompts/_role.j2": ROLE + "BASE-ROLE-MARKER\n",
        ".reviewer/prompts/README.md": "Our prompt overrides.\n",
    })
    repo.branch("feature")
    repo.commit("constant-time compare", {
        "src/auth/session.py": HEAD,
        ".reviewer/prompts/_role.j2": ROLE + "FEATURE-ROLE-MARKER\n",
        ".reviewer/prompts/security.md.j2": "FEATURE-SECURITY-MARKER {{ agent.name }}\n",
    })
    return repo


@pytest.fixture
def plain_repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo.init(tmp_path / "plain")
    repo.commit("base", {"src/auth/session.py": BASE})
    repo.branch("feature")
    repo.commit("constant-time compare", {"src/auth/session.py": HEAD})
    return repo


def prompts_dir(tmp_path: Path, **templates: str) -> Path:
    folder = tmp_path / "my-prompts"
    folder.mkdir(exist_ok=True)
    for name, text in templates.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def review(repo: GitRepo, model: ScriptedModel, *args: str, cwd: Path | None = None):
    model.default(json_reply({"findings": []}))
    return run_reviewer("review", "--local", "--repo", repo.root, "--base", "main", "--format", "json", *args,
                        cwd=cwd, env=model_env(model))


def test_a_prompts_dir_template_replaces_the_packaged_one_in_the_request(plain_repo, scripted_model, tmp_path):
    prompts_dir(tmp_path, **{"security.md.j2": CLI_SECURITY})
    done = review(plain_repo, scripted_model, "--prompts-dir", "my-prompts", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    security = [messages_text(b) for b in scripted_model.requests if SECURITY_AGENT in messages_text(b)]
    others = [messages_text(b) for b in scripted_model.requests if SECURITY_AGENT not in messages_text(b)]
    assert security and others
    assert all("CLI-SECURITY-MARKER: check every comparison of secrets." in t for t in security)
    assert all("## Security review" not in t and "SEC-010" in t for t in security)  # its rules still shown
    assert not any("CLI-SECURITY-MARKER" in t for t in others)
    assert "warning" not in done.stderr


def test_the_config_prompts_dir_is_read_at_the_base_ref_not_from_the_change(repo, scripted_model):
    assert "FEATURE-ROLE-MARKER" in (repo.root / ".reviewer/prompts/_role.j2").read_text()  # the work tree
    done = review(repo, scripted_model)
    assert done.returncode == 0, done.stderr
    own = [b["messages"][-1]["content"] for b in scripted_model.requests]
    assert len(own) >= 4  # every agent of a full review
    assert all("BASE-ROLE-MARKER" in part for part in own)
    assert not any("FEATURE-ROLE-MARKER" in part or "FEATURE-SECURITY-MARKER" in part for part in own)
    [security] = [part for part in own if SECURITY_AGENT in part]
    assert "## Security review" in security  # the change's own security.md.j2 is not used


def test_the_command_line_folder_is_searched_before_the_config_one(repo, scripted_model, tmp_path):
    prompts_dir(tmp_path, **{"security.md.j2": CLI_SECURITY})
    done = review(repo, scripted_model, "--prompts-dir", "my-prompts", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    own = [b["messages"][-1]["content"] for b in scripted_model.requests]
    [security] = [part for part in own if SECURITY_AGENT in part]
    [quality] = [part for part in own if QUALITY_AGENT in part]
    assert "CLI-SECURITY-MARKER" in security and "BASE-ROLE-MARKER" in security  # CLI template, config partial
    assert "CLI-SECURITY-MARKER" not in quality and "BASE-ROLE-MARKER" in quality


@pytest.mark.parametrize(("text", "message"), [
    ("line one\nline two\n{{ agent.name }\n", "line 3: unexpected '}'"),
    ("line one\nline two\n{{ foo }}\n", "line 3: 'foo' is undefined"),
    ("{% include '_role.j2' %}\n{% for rule in rules %}\n- {{ rule.colour }}\n{% endfor %}\n",
     "line 3: 'dict object' has no attribute 'colour'"),  # only fails once a rule is listed
])
def test_a_broken_override_exits_2_naming_file_and_line_before_any_model_call(plain_repo, scripted_model, tmp_path,
                                                                            text, message):
    prompts_dir(tmp_path, **{"security.md.j2": text})
    done = review(plain_repo, scripted_model, "--prompts-dir", "my-prompts", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last == f"reviewer: error: prompt override my-prompts/security.md.j2 {message}"
    assert scripted_model.calls == 0
    assert done.stdout == ""  # no report either


def test_a_broken_override_on_the_base_branch_exits_2_naming_it(plain_repo, scripted_model):
    plain_repo.checkout("main")
    plain_repo.commit("prompts", {".reviewer.yml": "prompts_dir: .reviewer/prompts\n",
                                  ".reviewer/prompts/_role.j2": "You are the {{ agent.nmae }} reviewer.\n"})
    plain_repo.checkout("feature")
    plain_repo.git("rebase", "-q", "main")
    done = review(plain_repo, scripted_model)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "reviewer: error: prompt override .reviewer/prompts/_role.j2 line 1: "
        "'reviewer.agents.AgentSpec object' has no attribute 'nmae'")
    assert scripted_model.calls == 0


def test_a_misspelt_override_is_a_warning_not_an_error(plain_repo, scripted_model, tmp_path):
    prompts_dir(tmp_path, **{"securty.md.j2": "never used"})
    done = review(plain_repo, scripted_model, "--prompts-dir", "my-prompts", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ("reviewer: warning: prompt override my-prompts/securty.md.j2 replaces no packaged template and no "
            "override includes it, so it is not used (did you mean security.md.j2?)") in done.stderr.splitlines()
    assert scripted_model.calls > 0 and not any("never used" in messages_text(b) for b in scripted_model.requests)


def test_a_config_prompts_dir_without_templates_is_a_warning(plain_repo):
    plain_repo.checkout("main")
    plain_repo.commit("config", {".reviewer.yml": "prompts_dir: .reviewer/prompts\n"})
    plain_repo.checkout("feature")
    plain_repo.git("rebase", "-q", "main")
    done = run_reviewer("review", "--local", "--repo", plain_repo.root, "--base", "main")  # no model
    assert done.returncode == 0, done.stderr
    assert ("reviewer: warning: .reviewer.yml: prompts_dir .reviewer/prompts holds no *.j2 template on the target "
            "branch at main: nothing is overridden") in done.stderr.splitlines()


def test_a_missing_prompts_dir_exits_2(plain_repo, scripted_model, tmp_path):
    done = review(plain_repo, scripted_model, "--prompts-dir", "nope", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "reviewer: error: --prompts-dir nope: no such folder"
    assert scripted_model.calls == 0


# ------------------------------------------------------------------------------ prompts list
def listing(stdout: str) -> dict[str, str]:
    lines = stdout.splitlines()
    columns = {len(line) - len(line.split()[-1]) for line in lines}
    assert len(columns) == 1, f"origins not aligned: {lines}"  # one column for every origin
    return dict(line.split() for line in lines)


def test_prompts_list_shows_where_every_template_comes_from(repo, tmp_path):
    prompts_dir(tmp_path, **{"security.md.j2": CLI_SECURITY, "_extra.j2": "x",
                             "shared.md.j2": "{% include '_extra.j2' %}"})
    done = run_reviewer("prompts", "list", "--prompts-dir", "my-prompts", "--repo", repo.root, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    shown = listing(done.stdout)
    assert set(shown) == {*packaged_names(), "_extra.j2"}
    assert shown["security.md.j2"] == "my-prompts/security.md.j2"
    assert shown["_extra.j2"] == "my-prompts/_extra.j2"
    assert shown["_role.j2"] == ".reviewer/prompts/_role.j2"  # the config's folder, at the default branch
    assert shown["system.md.j2"] == "packaged" and shown["verify.md.j2"] == "packaged"
    assert done.stderr == ""


def test_prompts_list_reads_the_config_at_the_base_not_the_checked_out_change(repo):
    done = run_reviewer("prompts", "list", "--repo", repo.root)
    assert done.returncode == 0, done.stderr
    shown = listing(done.stdout)
    assert shown["_role.j2"] == ".reviewer/prompts/_role.j2"
    assert shown["security.md.j2"] == "packaged"  # added by the change on feature, not on main
    feature = listing(run_reviewer("prompts", "list", "--repo", repo.root, "--base", "feature").stdout)
    assert feature["security.md.j2"] == ".reviewer/prompts/security.md.j2"


def test_prompts_list_without_a_repository_lists_the_packaged_templates(tmp_path):
    done = run_reviewer("prompts", "list", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert listing(done.stdout) == {name: "packaged" for name in packaged_names()}


# ------------------------------------------------------------------------------ prompts render
def formatted(body: dict) -> str:
    return "".join(f"--- {m['role']} ---\n{m['content']}\n" for m in body["messages"])


def test_prompts_render_prints_exactly_what_the_review_sends_and_calls_no_model(repo, scripted_model, tmp_path):
    prompts_dir(tmp_path, **{"security.md.j2": CLI_SECURITY})
    done = review(repo, scripted_model, "--prompts-dir", "my-prompts", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [sent] = [b for b in scripted_model.requests if SECURITY_AGENT in messages_text(b)]
    calls = scripted_model.calls
    shown = run_reviewer("prompts", "render", "--agent", "security", "--local", "--repo", repo.root, "--base", "main",
                         "--prompts-dir", "my-prompts", cwd=tmp_path, env=model_env(scripted_model))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == formatted(sent)
    assert scripted_model.calls == calls  # render sent nothing
    assert "reviewer: security: call 1 of 1, 3 file(s) to review" in shown.stderr  # the .j2 files too


def test_prompts_render_without_a_model_shows_the_diff_the_instructions_and_the_context(plain_repo, tmp_path):
    prompts_dir(tmp_path, **{"security.md.j2": CLI_SECURITY})
    done = run_reviewer("prompts", "render", "--agent", "security", "--local", "--repo", plain_repo.root,
                        "--base", "main", "--prompts-dir", "my-prompts", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert [line for line in out.splitlines() if line.startswith("--- ")] == [
        "--- system ---", "--- user ---", "--- user ---"]
    system, shared, own = out.split("--- user ---\n")[0], *out.split("--- user ---\n")[1:]
    assert "Reply with JSON matching the schema" in system
    assert f"+    {ADDED_LINE}" in shared and "### src/auth/session.py" in shared  # the diff
    assert "src/auth/session.py: check (around the change)" in shared  # code context, as the review adds it
    assert own.startswith(SECURITY_AGENT) and "CLI-SECURITY-MARKER" in own
    assert "placeholder model with a 128,000-token context window" in done.stderr


def test_prompts_render_an_unknown_agent_exits_2_listing_the_agents(plain_repo):
    done = run_reviewer("prompts", "render", "--agent", "secrity", "--local", "--repo", plain_repo.root,
                        "--base", "main")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "reviewer: error: unknown agent 'secrity' (agents: codex, docs, performance, quality, release, security)")


def test_prompts_render_a_chunk_the_agent_does_not_have_exits_2(plain_repo):
    done = run_reviewer("prompts", "render", "--agent", "security", "--local", "--repo", plain_repo.root,
                        "--base", "main", "--chunk", "2")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "reviewer: error: --chunk 2: the security agent makes 1 call(s) for this change")
    assert done.stdout == ""


def test_prompts_render_stops_on_a_broken_override(plain_repo, tmp_path):
    prompts_dir(tmp_path, **{"_role.j2": "{{ agent.name }}\n{% endfor %}\n"})
    done = run_reviewer("prompts", "render", "--agent", "quality", "--local", "--repo", plain_repo.root,
                        "--base", "main", "--prompts-dir", "my-prompts", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "reviewer: error: prompt override my-prompts/_role.j2 line 2: Encountered unknown tag 'endfor'.")
    assert done.stdout == ""


def test_json_report_is_unchanged_by_an_identity_override(plain_repo, scripted_model, tmp_path):
    """Copies of the packaged templates send byte-identical prompts (the override path adds nothing)."""
    plain = review(plain_repo, scripted_model)
    assert plain.returncode == 0, plain.stderr
    before = sorted(json.dumps(b["messages"]) for b in scripted_model.requests)
    prompts_dir(tmp_path, **{n: (data_dir("prompts") / n).read_text(encoding="utf-8") for n in packaged_names()})
    with ScriptedModel() as other:
        copied = review(plain_repo, other, "--prompts-dir", "my-prompts", cwd=tmp_path)
        assert copied.returncode == 0, copied.stderr
        assert sorted(json.dumps(b["messages"]) for b in other.requests) == before
