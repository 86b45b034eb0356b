"""Push after push through the CLI: fixed findings are acknowledged once, moved ones followed,
dismissed ones never raised again unless they get worse, a rebase makes no twins."""

from __future__ import annotations

import json
import re

from reviewer.gitlab_mr import markers
from tests.iterations.conftest import DIFF_BLOCK, BASE_FILES, EXPOSED, FLAWS, Scenario, diff_files

MD5, PASSWORD, SHELL = FLAWS["md5("], FLAWS["password = "], FLAWS["shell_out("]
SHIFT = "".join(f"SETTING_{i} = {i}\n" for i in range(20))


def _findings(run) -> list[tuple[str, int, str, str]]:
    report = json.loads(run.stdout)
    return sorted((f["path"], f["line"], f["severity"], f["title"]) for f in report["findings"])


def _prompt_tokens(run) -> int:
    return sum(a["prompt_tokens"] for a in json.loads(run.stdout)["agents"])


def _diff_chars(prompts: list[str]) -> int:
    return sum(len(block) for p in prompts for block in DIFF_BLOCK.findall(p))


def _line_of(scenario: Scenario, path: str, needle: str) -> int:
    lines = scenario.read_feature(path).splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def test_v2_fixes_one_keeps_one_and_moves_one(scenario: Scenario):
    scenario.review()
    assert scenario.titles() == sorted([MD5, PASSWORD, SHELL])
    shell_line_v1 = _line_of(scenario, "app/mod3.py", "shell_out(")
    writes_before = len(scenario.writes())

    mod1 = scenario.read_feature("app/mod1.py").replace("hashlib.md5(secret.encode())", "hashlib.sha256(secret.encode())")
    mod3 = scenario.read_feature("app/mod3.py").replace("import hashlib\n", "import hashlib\n" + SHIFT)
    scenario.push({"app/mod1.py": mod1, "app/mod3.py": mod3}, "fix md5, add settings")
    assert _line_of(scenario, "app/mod3.py", "shell_out(") == shell_line_v1 + 20
    run = scenario.review()

    # The model was shown the moved flaw at its new line and reported it again ...
    assert ("app/mod3.py", shell_line_v1 + 20, "important", SHELL) in _findings(run)
    # ... but GitLab got no new thread: exactly one reply and one resolve, then the summary edit.
    new_writes = scenario.writes()[writes_before:]
    assert [m for m, p in new_writes if p.endswith("/discussions")] == []
    assert [m for m, p in new_writes if p.endswith("/notes") and "/discussions/" in p] == ["POST"]
    assert len([p for m, p in new_writes if m == "PUT" and re.search(r"/discussions/[^/]+$", p)]) == 1  # resolve
    assert [m for m, p in new_writes if p.endswith("/notes") and "/discussions/" not in p] == []  # summary edited
    assert len(scenario.threads()) == 3 and scenario.titles() == sorted([MD5, PASSWORD, SHELL])
    assert len(scenario.replies()) == 1
    md5_thread = scenario.thread_of(MD5)
    assert md5_thread["notes"][0]["resolved"] and md5_thread["notes"][0]["resolved_by"]["username"] == "bot"
    head = scenario.mr.diff_refs["head_sha"]
    assert scenario.replies()[0].startswith(f"Fixed in {head[:7]}")
    assert not scenario.thread_of(PASSWORD)["notes"][0]["resolved"]
    assert not scenario.thread_of(SHELL)["notes"][0]["resolved"]

    summary = scenario.summary()
    assert "New: 0 · Still open: 2 · Fixed since last push: 1 · Dismissed: 0" in summary
    assert "8 files unchanged since" in summary
    marker = markers.summary_marker(summary)
    assert marker is not None and [r.head_sha for r in marker.history][-1] == head and len(marker.history) == 2

    # The agents were told what they had said before about the files they reviewed.
    [prompt] = scenario.security_prompts(start=scenario.model_calls_at[1])
    assert "Earlier findings on these files" in prompt and SHELL in prompt and PASSWORD not in prompt


def test_dismissed_findings_stay_dismissed_until_they_get_worse(scenario: Scenario):
    scenario.review()
    password, shell, md5 = scenario.thread_of(PASSWORD), scenario.thread_of(SHELL), scenario.thread_of(MD5)
    scenario.sim.resolve_as(scenario.mr, password["id"], "alice")
    scenario.sim.add_human_reply(scenario.mr, shell["id"], "Won't fix: the command comes from our own config.", "bob")
    scenario.sim.award(scenario.mr, md5["notes"][0]["id"], "thumbsdown", "bob")

    # v3 touches all three files, so all are reviewed again and the model reports them again.
    scenario.push({path: scenario.read_feature(path) + f"\n\ndef unrelated():\n    return {n}\n"
                   for n, path in enumerate(["app/mod1.py", "app/mod2.py", "app/mod3.py"])}, "v3")
    writes_before = len(scenario.writes())
    run = scenario.review("--fail-on", "important")  # dismissed findings do not fail the job
    assert _findings(run) == []  # found again, but dismissed: not in the reports, not posted
    assert [p for m, p in scenario.writes()[writes_before:] if m == "POST"] == []
    assert len(scenario.threads()) == 3 and scenario.replies() == []
    assert "New: 0 · Still open: 0 · Fixed since last push: 0 · Dismissed: 3" in scenario.summary()

    # A later push makes the shell finding critical: it is raised again, once.
    scenario.push({"app/mod3.py": scenario.read_feature("app/mod3.py") + f"\n{EXPOSED}\n"}, "expose it")
    scenario.review()
    shells = [t for t in scenario.threads() if SHELL in t["notes"][0]["body"]]
    assert len(shells) == 2
    assert sorted(markers.finding_marker(t["notes"][0]["body"]).sev for t in shells) == ["critical", "important"]
    assert len([t for t in scenario.threads() if PASSWORD in t["notes"][0]["body"]]) == 1
    assert "Raised again, now Critical" in scenario.summary()

    # And only once: the next run on the same head posts nothing.
    writes_before = len(scenario.writes())
    scenario.review()
    assert [p for m, p in scenario.writes()[writes_before:] if m == "POST"] == []


def test_outdated_thread_is_followed_by_fingerprint_not_posted_twice(scenario: Scenario):
    scenario.review()
    # Re-indent the flagged line under a new condition: GitLab outdates the thread on it.
    mod3 = scenario.read_feature("app/mod3.py").replace(
        "    out = shell_out(cmd)\n", "    if cmd:\n        out = shell_out(cmd)\n    else:\n        out = None\n")
    scenario.push({"app/mod3.py": mod3}, "guard the command")
    assert scenario.thread_of(SHELL)["notes"][0]["position"]["head_sha"] != scenario.mr.diff_refs["head_sha"]
    writes_before = len(scenario.writes())
    run = scenario.review()
    assert (SHELL in {f[3] for f in _findings(run)})
    assert [p for m, p in scenario.writes()[writes_before:] if m == "POST"] == []
    assert len(scenario.threads()) == 3 and scenario.replies() == []
    assert "New: 0 · Still open: 3 · Fixed since last push: 0" in scenario.summary()


def test_rebase_onto_a_newer_target_moves_every_line_without_duplicates(scenario: Scenario):
    scenario.review()
    old_lines = {t["notes"][0]["position"]["new_line"] for t in scenario.threads()}
    header = "".join(f"# target note {i}\n" for i in range(7))
    scenario.advance_target_and_rebase(
        {path: header + scenario.read_main(path) for path in (f"app/mod{i}.py" for i in range(10))})
    writes_before = len(scenario.writes())
    run = scenario.review()

    lines = {f[1] for f in _findings(run)}
    assert lines == {line + 7 for line in old_lines}  # every flaw reported again, 7 lines lower
    assert [p for m, p in scenario.writes()[writes_before:] if m == "POST"] == []
    assert len(scenario.threads()) == 3
    summary = scenario.summary()
    assert "Full review:" in summary and "force-push or rebase" in summary
    assert "New: 0 · Still open: 3 · Fixed since last push: 0" in summary


def test_incremental_review_sends_only_the_changed_file(scenario: Scenario):
    first = scenario.review()
    v1_prompts = scenario.prompts()
    assert {path for p in v1_prompts for path in diff_files(p)} == set(BASE_FILES)

    scenario.push({"app/mod7.py": scenario.read_feature("app/mod7.py") + "\n\ndef more():\n    return 7\n"}, "v2")
    second = scenario.review()
    v2_prompts = scenario.prompts(scenario.model_calls_at[1])
    # Every model agent that ran received only the changed file ...
    assert v2_prompts and all(set(diff_files(p)) == {"app/mod7.py"} for p in v2_prompts)
    assert len(v2_prompts) <= len(v1_prompts)
    # ... so the diff they were shown shrank tenfold and the prompt tokens with it (the scripted
    # model counts 4 characters a token; the instructions are the same in both runs).
    v1_tokens, v2_tokens = _prompt_tokens(first), _prompt_tokens(second)
    assert v2_tokens == sum(max(1, len(p) // 4) for p in v2_prompts)
    v1_diff, v2_diff = _diff_chars(v1_prompts), _diff_chars(v2_prompts)
    assert v2_diff * 8 < v1_diff
    assert v1_tokens - v2_tokens >= (v1_diff - v2_diff) // 4 * 0.9

    summary = scenario.summary()
    assert "9 files unchanged since" in summary
    saved = int(re.search(r"≈(\d+) prompt tokens saved", summary).group(1))
    assert saved > 0
    assert len(scenario.threads()) == 3 and scenario.replies() == []


def test_summary_only_findings_on_unchanged_files_stay_listed(scenario: Scenario):
    scenario.set_target_config("inline_min_severity: critical\n")
    scenario.review()
    assert scenario.threads() == []
    first = scenario.summary()
    assert all(title in first for title in (MD5, PASSWORD, SHELL))

    scenario.push({"app/mod7.py": scenario.read_feature("app/mod7.py") + "\n\ndef more():\n    return 7\n"}, "v2")
    scenario.review("--fail-on", "important", expect=1)  # still open, though nobody re-read those files
    summary = scenario.summary()
    assert "9 files unchanged since" in summary and "**Open findings (3):**" in summary
    for title in (MD5, PASSWORD, SHELL):
        assert summary.count(title) == 1
    assert summary.count("listed by an earlier review") == 3 and scenario.threads() == []
