"""``reviewer eval`` through the CLI with the scripted model: known answers give known scores."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.cli_runner import run_reviewer
from tests.support.gitrepo import GitRepo
from tests.support.scripted_model import ScriptedModel, json_reply, messages_text, reply_from

BASE = '"""Users."""\n\n\ndef find(db, user_id):\n    return db.get(user_id)\n'
HEAD = BASE + '''

def search(db, name):
    sql = "SELECT * FROM users WHERE name = '%s'" % name
    return db.execute(sql)


def count(items):
    total = 0
    for i in range(len(items) + 1):
        total += items[i]
    return total
'''
CLEAN_HEAD = BASE + '''

def search(db, name):
    return db.execute("SELECT * FROM users WHERE name = ?", (name,))
'''
ROLE = re.compile(r"You are the (.+?) reviewer")


def make_case(root: Path, name: str, head: str, title: str, expected: list[dict]) -> None:
    repo = GitRepo.init(root / name / "repo")
    repo.commit("base", {"users.py": BASE})
    repo.branch("feature")
    repo.commit("change", {"users.py": head})
    lines = [f"repo: repo", "base: main", "head: feature", f"title: {json.dumps(title)}"]
    lines.append("expected:" if expected else "expected: []")
    for e in expected:
        lines += [f"  - path: {e['path']}", f"    lines: {e['lines']}", f"    category: {e['category']}",
                  f"    severity: {e['severity']}", f"    why: {json.dumps(e['why'])}"]
    (root / name / "case.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    root = tmp_path / "cases"
    make_case(root, "sqli", HEAD, "Search users by name", [
        {"path": "users.py", "lines": [9, 10], "category": "security", "severity": "important",
         "why": "name is pasted into the SQL"},
        {"path": "users.py", "lines": [15, 16], "category": "quality", "severity": "important",
         "why": "range(len + 1) reads past the end"},
    ])
    make_case(root, "clean", CLEAN_HEAD, "Search users safely", [])
    return root


def finding(line: int, title: str, severity: str = "important") -> dict:
    return {"path": "users.py", "line": line, "end_line": None, "side": "new", "severity": severity,
            "rule_id": None, "title": title, "body": "b", "suggestion": None}


ANSWERS = {  # (case title, agent label) -> findings
    ("Search users by name", "Security"): [finding(9, "SQL from input")],  # TP security
    ("Search users by name", "Code Quality"): [finding(5, "find has no docstring", "suggestion")],  # FP, misses FN
    ("Search users safely", "Codex Compliance"): [finding(9, "maybe injection", "suggestion")],  # FP, clean case
    # (a 4-line change is trivial: only the codex agent runs on it)
}


def answer(body: dict):
    text = messages_text(body)
    if "## Verify review findings" in text:
        ids = re.findall(r"- id (F\d+):", text)
        return json_reply({"verdicts": [{"id": i, "verdict": "confirmed", "severity": None, "reason": "ok"}
                                        for i in ids]})
    role = ROLE.search(text)
    for (title, label), found in ANSWERS.items():
        if title in text and role and role.group(1) == label:
            return json_reply({"findings": found}, prompt_tokens=100, completion_tokens=10)
    return json_reply({"findings": []}, prompt_tokens=100, completion_tokens=10)


def model_env(model: ScriptedModel) -> dict[str, str]:
    return {"REVIEWER_MODEL": "openai/scripted", "REVIEWER_API_BASE": model.base_url}


def scores(report: dict, category: str) -> tuple:
    c = report["categories"][category]
    return c["tp"], c["fp"], c["fn"], c["precision"], c["recall"], c["f1"]


def test_known_answers_give_the_known_precision_recall_and_f1(cases, scripted_model):
    scripted_model.default(reply_from(answer))
    done = run_reviewer("eval", cases, "--format", "json", env=model_env(scripted_model), timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    extra = [f for c in report["cases"] for f in c["extra"]]
    model_extra = [f for f in extra if f["agent"] in ("security", "quality", "codex")]
    assert sorted(f["title"] for f in model_extra) == ["find has no docstring", "maybe injection"]
    others = {cat: sum(1 for f in extra if f["category"] == cat and f not in model_extra)
              for cat in ("security", "quality", "codex")}  # what the Codex detectors add counts too
    # the scorer's counts: the scripted answers, plus whatever the Codex detectors report on these lines
    assert scores(report, "security")[:3] == (1, others["security"], 0)
    assert scores(report, "quality")[:3] == (0, 1 + others["quality"], 1)
    assert scores(report, "quality")[3:] == (0.0, 0.0, 0.0)
    assert scores(report, "codex")[:3] == (0, 1 + others["codex"], 0)
    assert scores(report, "codex")[4:] == (None, None)  # no TP+FN: recall and F1 are null
    p = 1 / (1 + others["security"])
    assert scores(report, "security")[3:] == (pytest.approx(p, abs=1e-4), 1.0, pytest.approx(2 * p / (p + 1), abs=1e-4))
    assert report["categories"]["docs"] == {"tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None,
                                            "f1": None}
    assert report["clean"]["cases"] == 1
    assert report["clean"]["findings"] == len([c for c in report["cases"] if c["name"] == "clean"][0]["extra"]) >= 1
    by_name = {c["name"]: c for c in report["cases"]}
    assert by_name["sqli"]["expected"] == 2 and by_name["clean"]["expected"] == 0
    assert by_name["sqli"]["prompt_tokens"] > 0 and by_name["sqli"]["seconds"] > 0
    overall = report["overall"]
    fp = 2 + sum(others.values())
    assert (overall["tp"], overall["fp"], overall["fn"]) == (1, fp, 1)
    p = 1 / (1 + fp)
    assert (overall["precision"], overall["recall"], overall["f1"]) == (
        pytest.approx(p, abs=1e-4), 0.5, pytest.approx(2 * p * 0.5 / (p + 0.5), abs=1e-4))


def test_record_then_replay_gives_the_same_report_with_no_request(cases, scripted_model, tmp_path):
    scripted_model.default(reply_from(answer))
    tapes = tmp_path / "tapes"
    recorded = run_reviewer("eval", cases, "--format", "json", "--record", tapes, env=model_env(scripted_model),
                            timeout=300)
    assert recorded.returncode == 0, recorded.stderr
    sent = scripted_model.calls
    assert sent > 0 and (tapes / "sqli" / "security.yaml").is_file() and (tapes / "models.json").is_file()
    import yaml

    tape = yaml.safe_load((tapes / "sqli" / "security.yaml").read_text())
    headers = [k.lower() for i in tape["interactions"] for k in i["request"]["headers"]]
    assert headers and "authorization" not in headers and "api-key" not in headers
    replayed = run_reviewer("eval", cases, "--format", "json", "--replay", tapes, timeout=300)  # no model set
    assert replayed.returncode == 0, replayed.stderr
    assert scripted_model.calls == sent  # not one request more
    strip = lambda r: [{k: v for k, v in c.items() if k != "seconds"} for c in r["cases"]]  # noqa: E731
    a, b = json.loads(recorded.stdout), json.loads(replayed.stdout)
    assert strip(a) == strip(b) and a["categories"] == b["categories"] and a["overall"] == b["overall"]


def test_a_changed_prompt_needs_recording_and_is_not_scored(cases, scripted_model, tmp_path):
    scripted_model.default(reply_from(answer))
    tapes = tmp_path / "tapes"
    assert run_reviewer("eval", cases, "--record", tapes, env=model_env(scripted_model), timeout=300).returncode == 0
    overrides = tmp_path / "prompts"
    overrides.mkdir()
    (overrides / "security.md.j2").write_text("{% include '_role.j2' %}\nLook harder at SQL.\n", encoding="utf-8")
    done = run_reviewer("eval", cases, "--format", "json", "--replay", tapes, "--prompts-dir", overrides, timeout=300)
    assert done.returncode == 3
    report = json.loads(done.stdout)
    by_name = {c["name"]: c for c in report["cases"]}
    assert by_name["sqli"]["error"].startswith("needs recording") and "security" in by_name["sqli"]["error"]
    assert by_name["clean"]["error"] is None  # only codex reviews that trivial change: its prompt did not change
    assert report["overall"]["tp"] == 0 and report["clean"]["cases"] == 1  # the failed case is not counted


def test_compare_runs_both_prompt_folders_and_reports_both_columns(cases, scripted_model, tmp_path):
    scripted_model.default(reply_from(answer))
    overrides = tmp_path / "prompts-b"
    overrides.mkdir()
    (overrides / "quality.md.j2").write_text("{% include '_role.j2' %}\nCOMPARE-B: check loop bounds.\n",
                                             encoding="utf-8")
    done = run_reviewer("eval", cases, "--format", "json", "--compare", overrides, env=model_env(scripted_model),
                        timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) >= {"a", "b", "diff"}
    assert report["a"]["categories"]["security"]["tp"] == 1 and report["b"]["categories"]["security"]["tp"] == 1
    texts = [messages_text(b) for b in scripted_model.requests]
    assert any("COMPARE-B: check loop bounds." in t for t in texts)  # b's quality prompt was sent
    assert sum("COMPARE-B" in t for t in texts) < len([t for t in texts if "Code Quality reviewer" in t])
    text = run_reviewer("eval", cases, "--compare", overrides, env=model_env(scripted_model), timeout=300)
    assert text.returncode == 0 and "b: " in text.stdout and "security" in text.stdout


def test_a_broken_override_is_exit_2_before_any_model_call(cases, scripted_model, tmp_path):
    scripted_model.default(reply_from(answer))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "security.md.j2").write_text("{% if %}\n", encoding="utf-8")
    done = run_reviewer("eval", cases, "--prompts-dir", broken, env=model_env(scripted_model), timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "security.md.j2" in done.stderr and "line 1" in done.stderr
    assert scripted_model.calls == 0


def test_a_bad_case_file_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "case.yaml").write_text("repo: nowhere\nbase: main\nhead: feature\n", encoding="utf-8")
    done = run_reviewer("eval", tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "case.yaml" in done.stderr


def test_judge_model_decides_a_match_by_place_in_another_category(cases, scripted_model):
    answers = {("Search users by name", "Code Quality"): [finding(9, "query built by formatting")]}

    def reply(body: dict):
        text = messages_text(body)
        if "Does this review finding describe the labelled problem?" in text:
            return json_reply({"same_problem": "name is pasted into the SQL" in text, "reason": "same SQL"})
        role = ROLE.search(text)
        for (title, label), found in answers.items():
            if title in text and role and role.group(1) == label:
                return json_reply({"findings": found})
        return json_reply({"findings": []})

    scripted_model.default(reply_from(reply))
    plain = json.loads(run_reviewer("eval", cases, "--format", "json", env=model_env(scripted_model),
                                    timeout=300).stdout)
    assert plain["categories"]["security"]["tp"] == 0  # a quality finding is not a security match
    judged = run_reviewer("eval", cases, "--format", "json", "--judge-model", "openai/judge",
                          env=model_env(scripted_model), timeout=300)
    assert judged.returncode == 0, judged.stderr
    report = json.loads(judged.stdout)
    assert report["categories"]["security"]["tp"] == 1
    [match] = [m for c in report["cases"] for m in c["matches"] if m["judged"]]
    assert match["expected"]["category"] == "security" and match["reported"]["category"] == "quality"
    assert any(b["model"] == "judge" for b in scripted_model.requests)
