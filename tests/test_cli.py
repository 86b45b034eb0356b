"""The ``reviewer`` command end to end on a temporary git repository: every format, every exit code.

The command runs in a child process with a clean environment, as a user or a CI job runs it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli_runner import run_reviewer
from tests.support.gitrepo import GitRepo
from tests.support.scripted_model import json_reply, messages_text

BASE_APP = '''\
"""A tiny calculator service."""


def add(a, b):
    return a + b
'''

FEATURE_APP = BASE_APP + '''\


def evaluate(expression):
    print(expression)
    return eval(expression)


def reset(path):
    wipe_disk(path)
    return legacy_total([1, 2])


def total(values):
    result = 0
    for value in values:
        result += value
    return result
'''
# New-file lines of FEATURE_APP: 9 print (PY-002), 10 eval (SEC-010), 14 wipe_disk (TST-901),
# 15 legacy_total (TST-902), 19-22 the loop. The diff's hunk starts at line 3: lines 1-2 are not in it.
LINE = {"print": 9, "eval": 10, "reset": 13, "wipe": 14, "legacy": 15, "loop": 19, "loop_end": 22}

RULES = {
    "TST-901-wipe-disk.yaml": r"""
id: TST-901
title: Call to `wipe_disk`
rule: If you erase a disk, you must ask the operator first.
why: wipe_disk destroys every file on the volume, with no undo.
category: security
severity: critical
evidence: proof
scope:
  globs: ["**/*.py"]
examples:
  fire: ["wipe_disk(path)"]
  pass: ["keep_disk(path)"]
since: 0.1.0
detector:
  pattern: '\bwipe_disk\('
""",
    "TST-902-legacy-total.yaml": r"""
id: TST-902
title: Call to `legacy_total`
rule: If you add numbers, you must use `sum` instead of `legacy_total`.
why: legacy_total is kept only for old callers and will be removed.
category: codex
severity: note
scope:
  globs: ["**/*.py"]
examples:
  fire: ["x = legacy_total(values)"]
  pass: ["x = sum(values)"]
since: 0.1.0
detector:
  pattern: '\blegacy_total\('
""",
}

FINDING_KEYS = {"path", "line", "end_line", "severity", "category", "rule_id", "title", "body", "suggestion",
                "agent", "fingerprint"}
AGENT_KEYS = {"name", "model", "status", "error", "prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd", "context",
              "seconds"}
SEVERITIES = {"critical", "important", "suggestion", "note"}
CATEGORIES = {"security", "quality", "codex", "docs", "performance", "release"}
API_KEY = "sk-cli-test-0123456789"
CODEQUALITY = {"critical": "critical", "important": "major", "suggestion": "minor", "note": "info"}


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """main: app.py; feature (checked out): 17 new lines of app.py (light tier) and a lock file.

    main moves on after the branch point (its docstring line changes), so only a merge-base
    (three-dot) diff keeps line 1 out of the change, as GitLab shows a merge request.
    """
    repo = GitRepo.init(tmp_path_factory.mktemp("cli") / "repo")
    repo.commit("Base", {"app.py": BASE_APP})
    repo.branch("feature")
    repo.commit("Add evaluate, reset and total", {
        "app.py": FEATURE_APP, "package-lock.json": '{"lockfileVersion": 3}\n',
    })
    repo.checkout("main")
    repo.commit("Reword the docstring", {"app.py": BASE_APP.replace("A tiny calculator service.", "Calculator.")})
    repo.checkout("feature")
    return repo.root


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rules")
    for name, text in RULES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def reports(repo, rules_dir):
    """The no-model review printed to stdout in each format (run once per format, on demand)."""
    cache: dict[str, subprocess.CompletedProcess[str]] = {}

    def get(fmt: str) -> subprocess.CompletedProcess[str]:
        if fmt not in cache:
            cache[fmt] = run_reviewer("review", "--local", "--repo", repo, "--base", "main", "--format", fmt,
                                      "--rules-dir", rules_dir, "--fail-on", "none")
        return cache[fmt]

    return get


def one_line_error(result) -> str:
    """The single stderr line of a usage/config error (exit 2), asserting there is nothing else."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    return lines[0]


def by_rule(findings: list[dict]) -> dict[str, dict]:
    return {f["rule_id"]: f for f in findings if f["rule_id"]}


# -- output formats (exit 0) ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "codequality"])
def test_each_format_to_stdout_and_to_output_path(fmt, repo, rules_dir, reports, tmp_path):
    """``--output`` writes exactly what stdout shows. That run is also the user's plain
    ``reviewer review --local`` inside the repository: ``--repo .`` and no ``--base``, so the
    base is the merge base with the default branch (main) and the report must be identical."""
    printed = reports(fmt)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip()
    target = tmp_path / "out" / f"report.{fmt}"
    written = run_reviewer("review", "--local", "--format", fmt, "--rules-dir", rules_dir, "--output", target,
                           cwd=repo)
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    assert target.read_text(encoding="utf-8") == printed.stdout


def test_json_report_shape(reports):
    report = json.loads(reports("json").stdout)
    assert set(report) == {"risk", "findings", "file_findings", "agents", "not_reviewed", "model_review", "dropped"}
    assert report["model_review"] == {"status": "skipped", "failed_agents": [], "causes": []}
    assert report["dropped"] == []
    assert set(report["risk"]) == {"tier", "reasons"}
    assert report["risk"]["tier"] == "light" and report["risk"]["reasons"]
    assert all(isinstance(r, str) and r for r in report["risk"]["reasons"])
    for finding in report["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["severity"] in SEVERITIES and finding["category"] in CATEGORIES
        assert finding["path"] == "app.py" and isinstance(finding["line"], int) and finding["fingerprint"]
    for finding in report["file_findings"]:
        assert set(finding) == FINDING_KEYS - {"line", "end_line"}
    found = by_rule(report["findings"])
    expected = {"TST-901": ("critical", "security", "wipe"), "SEC-010": ("important", "security", "eval"),
                "PY-002": ("suggestion", "quality", "print"), "TST-902": ("note", "codex", "legacy")}
    for rule_id, (severity, category, line) in expected.items():
        finding = found[rule_id]
        assert (finding["severity"], finding["category"], finding["line"]) == (severity, category, LINE[line])
        assert finding["agent"] == "codex-detector" and finding["end_line"] is None
    assert report["not_reviewed"] and all(set(n) == {"path", "reason"} for n in report["not_reviewed"])
    assert "package-lock.json" in {n["path"] for n in report["not_reviewed"]}
    assert {a["name"] for a in report["agents"]} >= {"security", "quality", "codex", "docs", "performance", "release"}
    for agent in report["agents"]:
        assert set(agent) == AGENT_KEYS
        assert agent["status"] == "skipped" and agent["error"] and agent["model"] is None
        assert (agent["prompt_tokens"], agent["completion_tokens"], agent["cached_tokens"], agent["cost_usd"]) == (
            0, 0, 0, 0.0)
    assert {a["error"] for a in report["agents"] if a["name"] == "security"} == {"no model configured"}


def test_text_report_without_a_model_says_how_to_configure_one(reports):
    text = reports("text").stdout
    assert "Risk: light" in text
    assert "No model is configured" in text and "REVIEWER_MODEL" in text and "REVIEWER_API_BASE" in text
    assert f"app.py:{LINE['wipe']} [TST-901]" in text and f"app.py:{LINE['eval']} [SEC-010]" in text
    assert text.index("Critical") < text.index("Important") < text.index("Suggestion")
    assert "no model configured" in text  # the agents table


def test_markdown_report(reports):
    markdown = reports("markdown").stdout
    assert markdown.startswith("## Review: light risk")
    assert "### Findings" in markdown and "TST-901" in markdown and "### Agents" in markdown
    assert "package-lock.json" in markdown


def test_codequality_severity_map(reports):
    items = json.loads(reports("codequality").stdout)
    assert isinstance(items, list) and items
    by_check = {item["check_name"]: item for item in items}
    expected = {"TST-901": ("critical", "wipe"), "SEC-010": ("important", "eval"),
                "PY-002": ("suggestion", "print"), "TST-902": ("note", "legacy")}
    for rule_id, (severity, line) in expected.items():
        item = by_check[rule_id]
        assert item["severity"] == CODEQUALITY[severity]
        assert item["location"] == {"path": "app.py", "lines": {"begin": LINE[line]}}
        assert item["type"] == "issue" and item["description"]
    fingerprints = [item["fingerprint"] for item in items]
    assert all(fingerprints) and len(set(fingerprints)) == len(fingerprints)


# -- exit code 1: a finding at or above --fail-on ------------------------------------------------------


def test_fail_on_critical_with_a_critical_finding_exits_1(repo, rules_dir):
    result = run_reviewer("review", "--local", "--repo", repo, "--base", "main", "--rules-dir", rules_dir,
                          "--fail-on", "critical", "--format", "json")
    assert result.returncode == 1, result.stderr
    assert "TST-901" in by_rule(json.loads(result.stdout)["findings"])  # the report is still printed


@pytest.mark.parametrize(("fail_on", "code"), [("critical", 0), ("important", 1)])
def test_fail_on_threshold(fail_on, code, repo):
    """Without the test rules the worst finding is SEC-010 (important): critical passes, important fails."""
    result = run_reviewer("review", "--local", "--repo", repo, "--base", "main", "--fail-on", fail_on,
                          "--format", "json")
    assert result.returncode == code, result.stderr
    severities = {f["severity"] for f in json.loads(result.stdout)["findings"]}
    assert "important" in severities and "critical" not in severities



def test_logs_are_json_lines_in_ci_and_quiet_on_a_terminal(repo):
    args = ("review", "--local", "--repo", repo, "--base", "main", "--format", "json")
    in_ci = run_reviewer(*args, env={"CI": "true"})
    # Logs are JSON lines; what the user must read (here the no-model note) is one plain line.
    said = [line for line in in_ci.stderr.splitlines() if line.startswith("reviewer: ")]
    events = [json.loads(line) for line in in_ci.stderr.splitlines() if not line.startswith("reviewer: ")]
    assert "classified" in {e["event"] for e in events}, in_ci.stderr
    assert len(said) == 1 and "REVIEWER_MODEL" in said[0]
    assert "classified" not in run_reviewer(*args).stderr

# -- exit code 2: usage and configuration errors, one line each ---------------------------------------


def test_unknown_flag(repo):
    line = one_line_error(run_reviewer("review", "--local", "--bogus", cwd=repo))
    assert "--bogus" in line and "--help" in line


def test_bad_fail_on_value(repo):
    line = one_line_error(run_reviewer("review", "--local", "--fail-on", "high", cwd=repo))
    assert "--fail-on" in line and "'high'" in line and "important" in line


def test_unknown_base_ref(repo):
    line = one_line_error(run_reviewer("review", "--local", "--repo", repo, "--base", "no-such-branch"))
    assert "no-such-branch" in line and "--base" in line


def test_repo_that_is_not_a_git_repository(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    line = one_line_error(run_reviewer("review", "--local", "--repo", plain, "--base", "main"))
    assert str(plain) in line and "not a git repository" in line and "--repo" in line


def test_unknown_key_in_repo_config_on_the_base_branch(tmp_path):
    repo = GitRepo.init(tmp_path / "repo")
    repo.commit("Base", {"app.py": BASE_APP, ".reviewer.yml": "agents: {docs: false}\nignroe: ['*.lock']\n"})
    repo.branch("feature")
    repo.commit("Change", {"app.py": FEATURE_APP})
    line = one_line_error(run_reviewer("review", "--local", "--repo", repo.root, "--base", "main"))
    assert ".reviewer.yml" in line and "ignroe" in line


REPO_RULE = r"""
id: ACME-001
title: Call to `frobnicate`
rule: If you need frobnication, you must call `safe_frob` instead of `frobnicate`.
why: frobnicate deletes the home directory on Tuesdays.
category: quality
severity: important
evidence: proof
scope:
  globs: ["**/*.py"]
examples:
  fire: ["frobnicate(x)"]
  pass: ["safe_frob(x)"]
since: 0.1.0
detector:
  pattern: '\bfrobnicate\('
"""


def _repo_with_own_rules(root: Path, rule_text: str) -> GitRepo:
    """main: a rule folder listed in .reviewer.yml; feature: calls the rule's API and adds a rule of its own."""
    repo = GitRepo.init(root)
    repo.commit("Base", {"app.py": BASE_APP, ".reviewer.yml": "codex_rule_dirs: ['.codex']\n",
                         ".codex/ACME-001-frobnicate.yaml": rule_text})
    repo.branch("feature")
    repo.commit("Change", {
        "app.py": FEATURE_APP + "\n\ndef frob(x):\n    return frobnicate(x) + legacy_total([x])\n",
        ".codex/ACME-002-legacy.yaml": RULES["TST-902-legacy-total.yaml"].replace("TST-902", "ACME-002"),
    })
    return repo


def test_repo_rules_from_the_base_branch_fire_and_are_cited(tmp_path, rules_dir):
    repo = _repo_with_own_rules(tmp_path / "repo", REPO_RULE)
    result = run_reviewer("review", "--local", "--repo", repo.root, "--base", "main", "--format", "json",
                          "--rules-dir", rules_dir)
    assert result.returncode == 0, result.stderr
    found = by_rule(json.loads(result.stdout)["findings"])
    acme = found["ACME-001"]
    assert (acme["severity"], acme["category"], acme["agent"]) == ("important", "quality", "codex-detector")
    assert acme["path"] == "app.py" and acme["title"] == "Call to `frobnicate`"
    assert {"TST-901", "TST-902", "SEC-010"} <= set(found)  # --rules-dir and packaged rules still apply
    assert "ACME-002" not in found  # a rule the MR adds is not used to review that MR


def test_a_broken_repo_rule_is_one_line_naming_the_file(tmp_path):
    repo = _repo_with_own_rules(tmp_path / "repo", REPO_RULE.replace("severity: important", "severity: blocker"))
    line = one_line_error(run_reviewer("review", "--local", "--repo", repo.root, "--base", "main"))
    assert line.startswith("reviewer: error: .codex/ACME-001-frobnicate.yaml: bad value for 'severity'"), line


def test_module_entry_point_and_version():
    result = subprocess.run([sys.executable, "-m", "reviewer", "--version"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and result.stdout.startswith("reviewer ")


# -- exit code 3: the review could not finish ------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_gitlab_exits_3_without_leaking_the_token():
    token = "glpat-cli-test-secret"
    url = f"http://127.0.0.1:{_closed_port()}"
    result = run_reviewer("review", "--gitlab-url", url, "--project", "group/app", "--mr", "7",
                          env={"REVIEWER_GITLAB_TOKEN": token})
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("reviewer: failed:") and url in last
    assert token not in result.stderr + result.stdout


# -- with a model: the scripted OpenAI-compatible server ------------------------------------------------


def _model_finding(path: str, line: int, title: str, *, severity: str = "important",
                   rule_id: str | None = None, end_line: int | None = None) -> dict:
    return {"path": path, "line": line, "end_line": end_line, "severity": severity, "rule_id": rule_id,
            "title": title, "body": "Explained for the test.", "suggestion": None}


def test_review_with_a_model_applies_the_judge(repo, tmp_path, scripted_model):
    scripted_model.route("You are the Security reviewer", json_reply({"findings": [
        _model_finding("app.py", LINE["loop"], "Loop re-implements the built-in sum",
                       severity="suggestion", end_line=LINE["loop_end"]),
        _model_finding("src/missing.py", 3, "Secret in a file that is not in this change"),
        _model_finding("app.py", 1, "Module docstring oversells the service", severity="suggestion"),
        _model_finding("app.py", LINE["reset"], "reset() has no authorisation check", rule_id="SEC-999"),
    ]}, prompt_tokens=800, completion_tokens=150))
    report_path = tmp_path / "review.json"
    env = {"REVIEWER_MODEL": "openai/scripted", "REVIEWER_API_BASE": scripted_model.base_url,
           "REVIEWER_API_KEY": API_KEY, "REVIEWER_LLM_MAX_RETRIES": "1"}
    result = run_reviewer("review", "--local", "--repo", repo, "--base", "main", "--json-report", report_path,
                          env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))

    mine = [f for f in report["findings"] if f["agent"] == "security"]
    assert [(f["line"], f["end_line"], f["title"], f["rule_id"]) for f in mine] == [
        (LINE["reset"], None, "reset() has no authorisation check", None),           # bogus rule ID removed
        (LINE["loop"], LINE["loop_end"], "Loop re-implements the built-in sum", None),  # valid, inline
    ]
    assert all(f["category"] == "security" for f in mine)
    assert [(f["path"], f["title"]) for f in report["file_findings"]] == [
        ("app.py", "Module docstring oversells the service")]                        # line 1 is not in the diff
    everything = report["findings"] + report["file_findings"]
    assert all(f["path"] == "app.py" for f in everything)                            # missing.py dropped
    assert all(f["rule_id"] != "SEC-999" for f in everything)

    agents = {a["name"]: a for a in report["agents"]}
    security = agents["security"]
    assert security["status"] == "ok" and security["error"] is None
    assert security["model"] == "openai/scripted"
    assert (security["prompt_tokens"], security["completion_tokens"]) == (800, 150)
    ran = [a for a in report["agents"] if a["status"] == "ok"]
    assert {a["name"] for a in ran} >= {"security", "quality", "codex"}
    assert agents["performance"]["status"] == "skipped"                             # full tier only
    reviews = [b for b in scripted_model.requests if "## Verify review findings" not in messages_text(b)]
    assert len(reviews) == len([a for a in ran if a["name"] != "verify"])          # one call per agent
    assert all(h.get("authorization") == f"Bearer {API_KEY}" for h in scripted_model.request_headers)
    assert API_KEY not in result.stdout + result.stderr

    text = result.stdout                                                             # the judge explains itself
    assert "dropped" in text and "src/missing.py" in text and "SEC-999" in text
    assert "No model is configured" not in text


# -- rules commands -------------------------------------------------------------------------------------


def test_rules_check_passes_on_the_shipped_codex():
    result = run_reviewer("rules", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def test_rules_list_for_a_path(rules_dir):
    result = run_reviewer("rules", "list", "--path", "app.py", "--rules-dir", rules_dir)
    assert result.returncode == 0, result.stderr
    ids = {line.split()[0] for line in result.stdout.splitlines()[1:] if line.strip()}
    assert {"SEC-010", "PY-002", "TST-901", "TST-902"} <= ids
    assert "JS-001" not in ids and "GO-001" not in ids


def test_output_piped_into_a_reader_that_leaves_is_not_an_error():
    import subprocess
    import sys

    command = f"'{sys.executable}' -m reviewer rules list | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("ID") and "Traceback" not in done.stderr and done.returncode == 0


def test_an_unexpected_fault_is_one_line_and_exit_3(monkeypatch, capsys, tmp_path):
    from reviewer import cli, review

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(review, "run", broken)
    assert cli.main(["review", "--local", "--repo", str(tmp_path)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["reviewer: failed: unexpected RuntimeError: boom (a bug in the reviewer; "
                   "rerun with --verbose for the traceback)"]
